/**
 * When the caller's voice counts as an interruption of the assistant.
 *
 * @module
 */

/** Barge-in policy of a {@link RealtimeSession}. */
export interface BargeInPolicy {
  /** `false` turns barge-in off: the assistant always finishes. Default `true`. */
  enabled?: boolean;
  /**
   * The caller must keep speaking this long before the assistant is cut, ms. Speech that stops
   * sooner (a cough, "uh-huh") is a false interruption and the answer simply goes on — nothing
   * was flushed, so there is nothing to resume. Default 0 (the provider's VAD already waits).
   */
  minSpeechMs?: number;
  /** The first ms of the greeting cannot be interrupted (callers often say "hello?" over it). Default 1000. */
  protectGreetingMs?: number;
}

/** Applies a {@link BargeInPolicy} to the provider's VAD events. */
export class BargeInGate {
  private pending: NodeJS.Timeout | undefined;

  constructor(private readonly policy: BargeInPolicy = {}) {}

  /** The caller started speaking; `fire` cuts the assistant when the policy says so. */
  speechStarted(assistantSpeaking: boolean, greetingStartedAt: number | undefined, fire: () => void): void {
    if (this.policy.enabled === false || !assistantSpeaking) return;
    const protect = this.policy.protectGreetingMs ?? 1000;
    if (greetingStartedAt !== undefined && performance.now() - greetingStartedAt < protect) return;
    const wait = this.policy.minSpeechMs ?? 0;
    if (wait <= 0) return fire();
    this.cancel();
    this.pending = setTimeout(() => {
      this.pending = undefined;
      fire();
    }, wait);
  }

  /** The caller stopped: a pending (too short) interruption is dropped. */
  speechStopped(): void {
    this.cancel();
  }

  /** Drops a pending interruption. */
  cancel(): void {
    if (this.pending) clearTimeout(this.pending);
    this.pending = undefined;
  }
}
