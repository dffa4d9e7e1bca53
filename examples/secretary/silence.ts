/**
 * The secretary's silence timeout: nobody has spoken for a while (hold does not count) → the
 * assistant is asked to say goodbye and hang up; if the call is still up a little later, the
 * session ends. Politer than a bare hangup, and it can pause while the caller is on hold.
 */
import type { RealtimeProvider } from 'freeswitch-voice-ai';

/** Watches a conversation for silence. */
export class SilenceWatch {
  private timer: NodeJS.Timeout | undefined;
  private paused = false;
  private warned = false;
  private stopped = false;

  /**
   * @param timeoutMs silence before the goodbye request.
   * @param onSilence asks for the goodbye (first) and then ends the call (`final`, `graceMs` later).
   */
  constructor(
    private readonly timeoutMs: number,
    private readonly onSilence: (final: boolean) => void,
    private readonly graceMs = 10_000,
  ) {}

  /** Treats the provider's speech detection and answers as activity. */
  follow(provider: RealtimeProvider): this {
    provider.on('speechStarted', () => this.touch());
    provider.on('audio', () => this.touch());
    return this;
  }

  /** Activity: the clock starts again. */
  touch(): void {
    if (this.stopped) return;
    this.warned = false;
    this.arm(this.timeoutMs);
  }

  /** Hold: no clock until {@link SilenceWatch.resume}. */
  pause(): void {
    this.paused = true;
    if (this.timer) clearTimeout(this.timer);
  }

  resume(): void {
    this.paused = false;
    this.touch();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private arm(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.paused || this.stopped || ms <= 0) return;
    this.timer = setTimeout(() => {
      if (this.warned) return this.onSilence(true);
      this.warned = true;
      this.onSilence(false);
      this.arm(this.graceMs);
    }, ms);
  }
}
