/**
 * Bounded logging of something that can repeat without end (a refused peer, a port scanner, a
 * socket error per datagram): the first occurrence is logged at once, the rest are counted and
 * summed up once per interval, so a flood costs one log line per interval.
 *
 * @module
 */
import type { Logger } from './logger.js';

/** Options of {@link ThrottledLog}. */
export interface ThrottledLogOptions {
  /** Level of every line. */
  level: 'warn' | 'error';
  /** The message of the first line; the summaries add the count. */
  message: string;
  /** Length of a counting window, ms. Default 60 000. */
  intervalMs?: number;
}

/**
 * Logs the first occurrence at once, then at most one summary per interval: `<message>
 * (<n> more within <s> s)` with the fields of the latest occurrence and `suppressed: n`.
 * Its timer never keeps the process alive; {@link ThrottledLog.flush} writes the pending count
 * (call it when the owner closes).
 */
export class ThrottledLog {
  /** Occurrences since creation, logged or not. */
  total = 0;
  private readonly intervalMs: number;
  private suppressed = 0;
  private lastFields: object = {};
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly logger: Logger,
    private readonly options: ThrottledLogOptions,
  ) {
    this.intervalMs = options.intervalMs ?? 60_000;
  }

  /** Records one occurrence. */
  log(fields: object = {}): void {
    this.total++;
    if (this.timer === undefined) {
      this.logger[this.options.level](fields, this.options.message);
      this.openWindow();
      return;
    }
    this.suppressed++;
    this.lastFields = fields;
  }

  /** Writes the count of what the current window suppressed (if anything) and stops the timer. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.summarise();
  }

  private openWindow(): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // A flood still going on keeps one summary per interval; a quiet window ends the throttling.
      if (this.summarise()) this.openWindow();
    }, this.intervalMs);
    this.timer.unref();
  }

  private summarise(): boolean {
    const n = this.suppressed;
    if (n === 0) return false;
    this.suppressed = 0;
    const seconds = Math.round(this.intervalMs / 1000);
    this.logger[this.options.level]({ ...this.lastFields, suppressed: n }, `${this.options.message} (${n} more within ${seconds} s)`);
    return true;
  }
}
