/**
 * One clock for every call's media in the process: a self-correcting `setTimeout` on the
 * monotonic `performance.now()` base (never `setInterval`, which drifts by hundreds of ms under
 * load). Each tick is scheduled at `start + n × period`, so lateness never accumulates.
 *
 * @module
 */

/** Called once per tick; `tick` counts from 0, `nowMs` is `performance.now()`. */
export type TickHandler = (tick: number, nowMs: number) => void;

/** Options of {@link MediaClock}. */
export interface MediaClockOptions {
  /** Tick period, ms. Default 20. */
  periodMs?: number;
  /**
   * When the event loop was blocked, missed ticks run back to back up to this many (audio keeps
   * its timing); beyond it the clock skips ahead and counts what it skipped. Default 5.
   */
  maxCatchUpTicks?: number;
  /** Receives an error a handler threw (the clock and the other handlers go on). */
  onError?: (error: unknown) => void;
  /** Time source (tests). Default `performance.now`. */
  now?: () => number;
  /** Timer functions (tests). Default `setTimeout` / `clearTimeout`. */
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (timer: unknown) => void;
}

/** Counters of a {@link MediaClock}. */
export interface MediaClockStats {
  ticks: number;
  /** Ticks that ran more than 2 ms after their time. */
  lateTicks: number;
  /** Ticks skipped after the event loop was blocked too long. */
  skippedTicks: number;
  /** Handlers that threw. */
  errors: number;
  /** Lateness of ticks, ms: median, 99th percentile and worst (over the last 4 096 ticks). */
  p50LatenessMs: number;
  p99LatenessMs: number;
  maxLatenessMs: number;
}

const HISTORY = 4096;

/** A periodic clock shared by many subscribers; runs only while it has some, and never keeps the process alive. */
export class MediaClock {
  readonly periodMs: number;
  private readonly maxCatchUp: number;
  private readonly handlers = new Set<TickHandler>();
  /** The handlers as an array, rebuilt on change: a tick calls exactly those subscribed when it began. */
  private list: TickHandler[] = [];
  /** Inside a tick: (un)subscribing must not arm or disarm the timer (the tick's end does). */
  private firing = false;
  private readonly now: () => number;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (timer: unknown) => void;
  private readonly onError: (error: unknown) => void;
  private readonly lateness = new Float64Array(HISTORY);
  private timer: unknown;
  private start = 0;
  private tick = 0;
  private readonly counts = { ticks: 0, lateTicks: 0, skippedTicks: 0, errors: 0, maxLatenessMs: 0 };

  constructor(options: MediaClockOptions = {}) {
    this.periodMs = options.periodMs ?? 20;
    this.maxCatchUp = options.maxCatchUpTicks ?? 5;
    this.now = options.now ?? (() => performance.now());
    this.setTimer =
      options.setTimer ??
      ((fn, ms) => {
        const t = setTimeout(fn, ms);
        t.unref();
        return t;
      });
    this.clearTimer = options.clearTimer ?? ((t) => clearTimeout(t as NodeJS.Timeout));
    this.onError = options.onError ?? (() => {});
  }

  /** Subscribers. */
  get size(): number {
    return this.handlers.size;
  }

  /** Adds a handler; returns its unsubscribe function. The clock starts with the first one. */
  subscribe(handler: TickHandler): () => void {
    this.handlers.add(handler);
    this.list = [...this.handlers];
    if (this.timer === undefined && !this.firing) {
      this.start = this.now();
      this.tick = 0;
      this.schedule();
    }
    return () => {
      if (!this.handlers.delete(handler)) return;
      this.list = [...this.handlers];
      if (this.handlers.size === 0 && this.timer !== undefined && !this.firing) {
        this.clearTimer(this.timer);
        this.timer = undefined;
      }
    };
  }

  /** Counters and lateness percentiles. */
  stats(): MediaClockStats {
    const n = Math.min(this.counts.ticks, HISTORY);
    const sorted = Array.from(this.lateness.subarray(0, n)).sort((a, b) => a - b);
    const at = (q: number): number => (n === 0 ? 0 : sorted[Math.min(n - 1, Math.floor(q * n))]!);
    return { ...this.counts, p50LatenessMs: at(0.5), p99LatenessMs: at(0.99) };
  }

  /** Starts the counters and the lateness history afresh (e.g. after start-up, to measure a steady state). */
  resetStats(): void {
    this.counts.ticks = 0;
    this.counts.lateTicks = 0;
    this.counts.skippedTicks = 0;
    this.counts.errors = 0;
    this.counts.maxLatenessMs = 0;
  }

  private schedule(): void {
    const due = this.start + (this.tick + 1) * this.periodMs;
    this.timer = this.setTimer(() => this.fire(), Math.max(0, due - this.now()));
  }

  private fire(): void {
    this.timer = undefined;
    this.firing = true;
    const now = this.now();
    let behind = Math.floor((now - this.start) / this.periodMs) - this.tick;
    if (behind > this.maxCatchUp) {
      this.counts.skippedTicks += behind - this.maxCatchUp;
      this.tick += behind - this.maxCatchUp;
      behind = this.maxCatchUp;
    }
    for (let i = 0; i < Math.max(1, behind) && this.handlers.size > 0; i++) {
      this.tick++;
      const late = now - (this.start + this.tick * this.periodMs);
      this.record(Math.max(0, late));
      for (const h of this.list) {
        if (!this.handlers.has(h)) continue; // unsubscribed earlier in this tick
        try {
          h(this.tick, now);
        } catch (error) {
          this.counts.errors++;
          this.onError(error);
        }
      }
    }
    this.firing = false;
    if (this.handlers.size > 0) this.schedule();
  }

  private record(lateMs: number): void {
    this.lateness[this.counts.ticks % HISTORY] = lateMs;
    this.counts.ticks++;
    if (lateMs > 2) this.counts.lateTicks++;
    if (lateMs > this.counts.maxLatenessMs) this.counts.maxLatenessMs = lateMs;
  }
}

let shared: MediaClock | undefined;

/** The process-wide clock every bridge uses unless given its own. */
export function getMediaClock(): MediaClock {
  shared ??= new MediaClock();
  return shared;
}
