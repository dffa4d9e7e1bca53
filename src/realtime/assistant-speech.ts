/**
 * Whether the assistant is speaking — an answer is arriving from the provider, or its audio is
 * still queued for the caller — and a wait for it to have finished: what side-effect tools
 * (`hangup_call`, `transfer_call`) wait for, so the caller hears the farewell before the call ends.
 *
 * @module
 */

const UNKNOWN = '\0unknown';

/** How long {@link AssistantSpeech.untilSilent} waits. */
export interface SilenceWait {
  /** The assistant must stay silent this long (a follow-up answer may still come), ms. */
  readonly graceMs: number;
  /** Gives up waiting after this long, ms. */
  readonly maxWaitMs: number;
  /** Aborts the wait (it rejects with the reason). */
  readonly signal: AbortSignal;
}

/** The assistant's speech, as the session sees it. */
export class AssistantSpeech {
  private readonly answering = new Set<string>();
  private readonly watchers = new Set<() => void>();

  /** @param queuedMs - ms of assistant audio still queued for the caller. */
  constructor(private readonly queuedMs: () => number) {}

  /** An answer is arriving or its audio is still queued. */
  get speaking(): boolean {
    return this.answering.size > 0 || this.queuedMs() > 0;
  }

  /** Audio of an answer arrived. */
  audio(responseId: string | undefined): void {
    const key = responseId ?? UNKNOWN;
    if (this.answering.has(key)) return;
    this.answering.add(key);
    this.changed();
  }

  /** The provider finished an answer. */
  done(responseId: string | undefined): void {
    if (this.answering.delete(responseId ?? UNKNOWN)) this.changed();
  }

  /** Barge-in: nothing is being said any more. */
  stopped(): void {
    this.answering.clear();
    this.changed();
  }

  /** The queue may have changed (played out, flushed). */
  changed(): void {
    for (const watch of [...this.watchers]) watch();
  }

  /**
   * Resolves once the assistant has been silent for `graceMs` without a break (an answer that
   * starts meanwhile restarts the wait), or after `maxWaitMs`; rejects when `signal` aborts.
   */
  untilSilent({ graceMs, maxWaitMs, signal }: SilenceWait): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let grace: NodeJS.Timeout | undefined;
      const cleanup = (): void => {
        clearTimeout(limit);
        clearTimeout(grace);
        this.watchers.delete(watch);
        signal.removeEventListener('abort', onAbort);
      };
      const finish = (): void => {
        cleanup();
        resolve();
      };
      const onAbort = (): void => {
        cleanup();
        reject(signal.reason);
      };
      const watch = (): void => {
        if (this.speaking) {
          clearTimeout(grace);
          grace = undefined;
        } else grace ??= setTimeout(finish, graceMs);
      };
      const limit = setTimeout(finish, maxWaitMs);
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      this.watchers.add(watch);
      watch();
    });
  }
}
