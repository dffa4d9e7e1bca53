/**
 * The no-answer watchdog of a session: the caller's turn ended (or the session asked for an
 * answer) and no assistant audio came within `noAnswerMs` — the bot went silent, as users of
 * other stacks report after an interruption. The first time, the session asks for an answer
 * again; the second time in a row, it falls back (an operator, a prompt) instead of leaving the
 * caller in silence.
 *
 * @module
 */

/** Options of the watchdog (`RealtimeSessionOptions.watchdog`). */
export interface WatchdogOptions {
  /** Silence after the caller's turn (or a request) before acting, ms. Default 6 000; 0 turns it off. */
  noAnswerMs?: number;
  /**
   * Instructions of the answer asked for the first time (`generateReply`). Default: none (the
   * model just answers); providers that need instructions to answer get "Answer the caller.".
   */
  reprompt?: string;
}

/** A timer armed when an answer is due, disarmed when it comes. */
export class AnswerWatchdog {
  private timer: NodeJS.Timeout | undefined;
  private misses = 0;

  /**
   * @param ms - the silence allowed, ms (0: never fires).
   * @param onMiss - called with 1, 2, ... for consecutive answers that did not come.
   * @param busy - the assistant is still being heard (earlier audio playing out): not a silence,
   *   the wait starts again.
   */
  constructor(
    private readonly ms: number,
    private readonly onMiss: (consecutive: number) => void,
    private readonly busy: () => boolean = () => false,
  ) {}

  /** An answer is due from now. */
  arm(): void {
    if (this.ms <= 0) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.busy()) return this.arm();
      this.onMiss(++this.misses);
    }, this.ms);
  }

  /** The assistant answered: the count of misses starts again. */
  answered(): void {
    this.pause();
    this.misses = 0;
  }

  /** Not the assistant's turn for now (the caller speaks, a tool runs); misses are kept. */
  pause(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Whether an answer is awaited. */
  get armed(): boolean {
    return this.timer !== undefined;
  }
}
