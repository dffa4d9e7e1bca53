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
  /**
   * Phase groups: subscribers are spread over this many groups, group g ticking
   * `g × periodMs / groups` after group 0. Each subscriber still ticks once per period, but no
   * single timer callback does every call's work, so datagrams are read in between and the
   * ticks of a loaded process stay on time. Default 1 (the process-wide clock uses 8).
   */
  groups?: number;
  /** Receives an error a handler threw (the clock and the other handlers go on). */
  onError?: (error: unknown) => void;
  /** Time source (tests). Default `performance.now`. */
  now?: () => number;
  /** Timer functions (tests). Default `setTimeout` / `clearTimeout`. */
  setTimer?: (fn: () => void, ms: number) => unknown;
  /** Cancels a timer `setTimer` returned (tests). Default `clearTimeout`. */
  clearTimer?: (timer: unknown) => void;
}

/** Counters of a {@link MediaClock}. */
export interface MediaClockStats {
  /** Ticks run (a tick of each phase group counts once). */
  ticks: number;
  /** Ticks that ran more than 2 ms after their time. */
  lateTicks: number;
  /** Ticks skipped after the event loop was blocked too long. */
  skippedTicks: number;
  /** Handlers that threw. */
  errors: number;
  /** Lateness of ticks, ms: median, 99th percentile and worst (over the last 4 096 ticks). */
  p50LatenessMs: number;
  /** 99th percentile of ticks' lateness, ms. */
  p99LatenessMs: number;
  /** Worst lateness of a tick, ms. */
  maxLatenessMs: number;
  /**
   * Time the handlers of one timer callback took, ms (99th percentile and worst, same window):
   * near the period, the process has no room left for more calls.
   */
  p99WorkMs: number;
  /** Worst time the handlers of one timer callback took, ms. */
  maxWorkMs: number;
  /**
   * Frames whose departure was timed ({@link MediaClock.markFrameSent}): what the caller hears
   * depends on when each call's frame actually leaves, not on when the tick began.
   */
  framesTimed: number;
  /** Timed frames that left more than 5 ms after their 20 ms slot. */
  lateFrames: number;
  /**
   * How long after its slot each frame left, ms: the median (0.1 ms resolution, over the last
   * 30–60 s).
   */
  p50FrameLatenessMs: number;
  /** The 99th percentile of how long after its slot each frame left, ms (same window): keep it under 5. */
  p99FrameLatenessMs: number;
  /** The latest a frame left after its slot, ms (since {@link MediaClock.resetStats}). */
  maxFrameLatenessMs: number;
}

const HISTORY = 4096;
/** Frame lateness histogram: 0.1 ms buckets up to 100 ms, then one for everything later. */
const FRAME_BUCKETS = 1000;
/** A frame this late (ms) counts in {@link MediaClockStats.lateFrames} (and a pacer's `lateFrames`). @internal */
export const LATE_FRAME_MS = 5;
/** The frame lateness histogram starts afresh this often (the previous one is kept), ms. */
const FRAME_WINDOW_MS = 30_000;

/** A periodic clock shared by many subscribers; runs only while it has some, and never keeps the process alive. */
export class MediaClock {
  /** Tick period, ms (20 for call audio). */
  readonly periodMs: number;
  /** Phase groups (see {@link MediaClockOptions.groups}). */
  readonly groups: number;
  private readonly slotMs: number;
  private readonly maxCatchUp: number;
  /** Each handler's phase group. */
  private readonly handlers = new Map<TickHandler, number>();
  /** Each group's handlers as an array, rebuilt on change: a tick calls exactly those subscribed when it began. */
  private readonly lists: TickHandler[][];
  /** Inside a tick: (un)subscribing must not arm or disarm the timer (the tick's end does). */
  private firing = false;
  /** A handler left during this tick: the rest of the tick checks each handler is still subscribed. */
  private removedWhileFiring = false;
  private readonly now: () => number;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (timer: unknown) => void;
  private readonly onError: (error: unknown) => void;
  private readonly lateness = new Float64Array(HISTORY);
  private readonly work = new Float64Array(HISTORY);
  private fires = 0;
  /** Frame lateness: this window's histogram and the previous one's. */
  private frameNow = new Uint32Array(FRAME_BUCKETS + 1);
  private framePrev = new Uint32Array(FRAME_BUCKETS + 1);
  private frameWindowStart = 0;
  /** When the slot being run was due (`performance.now()` base); NaN outside a tick. */
  private dueMs = Number.NaN;
  private timer: unknown;
  private start = 0;
  /** Slots (period / groups) since start. */
  private step = 0;
  private readonly counts = { ticks: 0, lateTicks: 0, skippedTicks: 0, errors: 0, maxLatenessMs: 0, maxWorkMs: 0, framesTimed: 0, lateFrames: 0, maxFrameLatenessMs: 0 };

  constructor(options: MediaClockOptions = {}) {
    this.periodMs = options.periodMs ?? 20;
    this.groups = options.groups ?? 1;
    if (!(Number.isInteger(this.groups) && this.groups >= 1)) throw new RangeError(`MediaClock groups must be a positive integer, not ${options.groups}`);
    this.slotMs = this.periodMs / this.groups;
    this.lists = Array.from({ length: this.groups }, () => []);
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

  /** Adds a handler (to the least busy phase group); returns its unsubscribe function. The clock starts with the first one. */
  subscribe(handler: TickHandler): () => void {
    if (this.handlers.has(handler)) return () => this.remove(handler);
    let group = 0;
    for (let g = 1; g < this.groups; g++) if (this.lists[g]!.length < this.lists[group]!.length) group = g;
    this.handlers.set(handler, group);
    this.lists[group] = [...this.lists[group]!, handler];
    if (this.timer === undefined && !this.firing) {
      this.start = this.now();
      this.step = 0;
      this.schedule();
    }
    return () => this.remove(handler);
  }

  private remove(handler: TickHandler): void {
    const group = this.handlers.get(handler);
    if (group === undefined) return;
    this.handlers.delete(handler);
    if (this.firing) this.removedWhileFiring = true;
    this.lists[group] = this.lists[group]!.filter((h) => h !== handler);
    if (this.handlers.size === 0 && this.timer !== undefined && !this.firing) {
      this.clearTimer(this.timer);
      this.timer = undefined;
    }
  }

  /**
   * A subscriber sent its frame of the slot being run, now: records how long after the slot's
   * time it left (a pacer calls it right after handing the datagram to the socket) and returns
   * that lateness, ms. Outside a tick it records nothing and returns 0. Costs one clock read.
   */
  markFrameSent(): number {
    const due = this.dueMs;
    if (due !== due) return 0; // NaN: not inside a tick
    const late = this.now() - due;
    const ms = late > 0 ? late : 0;
    const bucket = (ms * 10) | 0;
    this.frameNow[bucket < FRAME_BUCKETS ? bucket : FRAME_BUCKETS]!++;
    this.counts.framesTimed++;
    if (ms > LATE_FRAME_MS) this.counts.lateFrames++;
    if (ms > this.counts.maxFrameLatenessMs) this.counts.maxFrameLatenessMs = ms;
    return ms;
  }

  /**
   * How long until the clock's next tick is due, ms (negative when it is overdue; `Infinity`
   * when the clock is not running). Work that may wait — a provider's write — checks it and
   * yields to the tick rather than delay every call's frame.
   */
  msUntilNextTick(): number {
    if (this.timer === undefined) return Number.POSITIVE_INFINITY;
    return this.start + (this.step + 1) * this.slotMs - this.now();
  }

  /** Counters and lateness percentiles. */
  stats(): MediaClockStats {
    /** The recorded values, sorted (one sort for every percentile of them). */
    const sorted = (history: Float64Array, count: number): Float64Array => history.slice(0, Math.min(count, HISTORY)).sort();
    const percentile = (values: Float64Array, q: number): number => (values.length === 0 ? 0 : values[Math.min(values.length - 1, Math.floor(q * values.length))]!);
    const lateness = sorted(this.lateness, this.counts.ticks);
    return {
      ...this.counts,
      p50LatenessMs: percentile(lateness, 0.5),
      p99LatenessMs: percentile(lateness, 0.99),
      p99WorkMs: percentile(sorted(this.work, this.fires), 0.99),
      p50FrameLatenessMs: this.framePercentile(0.5),
      p99FrameLatenessMs: this.framePercentile(0.99),
    };
  }

  /** A percentile of the frame lateness histograms (this window's and the previous), ms. */
  private framePercentile(q: number): number {
    let total = 0;
    for (let b = 0; b <= FRAME_BUCKETS; b++) total += this.frameNow[b]! + this.framePrev[b]!;
    if (total === 0) return 0;
    const rank = Math.min(total - 1, Math.floor(q * total));
    let seen = 0;
    for (let b = 0; b <= FRAME_BUCKETS; b++) {
      seen += this.frameNow[b]! + this.framePrev[b]!;
      // The bucket's upper edge: a percentile never reads better than the frames were.
      if (seen > rank) return b === FRAME_BUCKETS ? this.counts.maxFrameLatenessMs : (b + 1) / 10;
    }
    return this.counts.maxFrameLatenessMs;
  }

  /** Starts the counters and the lateness history afresh (e.g. after start-up, to measure a steady state). */
  resetStats(): void {
    this.counts.ticks = 0;
    this.counts.lateTicks = 0;
    this.counts.skippedTicks = 0;
    this.counts.errors = 0;
    this.counts.maxLatenessMs = 0;
    this.counts.maxWorkMs = 0;
    this.counts.framesTimed = 0;
    this.counts.lateFrames = 0;
    this.counts.maxFrameLatenessMs = 0;
    this.frameNow.fill(0);
    this.framePrev.fill(0);
    this.frameWindowStart = this.now();
    this.fires = 0;
  }

  private schedule(): void {
    const due = this.start + (this.step + 1) * this.slotMs;
    this.timer = this.setTimer(() => this.fire(), Math.max(0, due - this.now()));
  }

  private fire(): void {
    this.timer = undefined;
    this.firing = true;
    this.removedWhileFiring = false;
    const now = this.now();
    if (now - this.frameWindowStart >= FRAME_WINDOW_MS) this.rotateFrameWindow(now);
    const maxSlots = this.maxCatchUp * this.groups;
    let behind = Math.floor((now - this.start) / this.slotMs) - this.step;
    if (behind > maxSlots) {
      const skipped = behind - maxSlots;
      this.counts.skippedTicks += this.groups === 1 ? skipped : this.countTicks(this.step, skipped);
      this.step += skipped;
      behind = maxSlots;
    }
    for (let i = 0; i < Math.max(1, behind) && this.handlers.size > 0; i++) {
      this.step++;
      const list = this.lists[this.step % this.groups]!;
      if (list.length === 0) continue;
      this.dueMs = this.start + this.step * this.slotMs;
      const late = now - this.dueMs;
      this.record(Math.max(0, late));
      const tick = Math.ceil(this.step / this.groups);
      for (const h of list) {
        // Unsubscribed earlier in this tick (looked up only once someone has left: ticks are hot).
        if (this.removedWhileFiring && !this.handlers.has(h)) continue;
        try {
          h(tick, now);
        } catch (error) {
          this.counts.errors++;
          this.onError(error);
        }
      }
    }
    this.firing = false;
    this.dueMs = Number.NaN;
    const work = this.now() - now;
    this.work[this.fires++ % HISTORY] = work;
    if (work > this.counts.maxWorkMs) this.counts.maxWorkMs = work;
    if (this.handlers.size > 0) this.schedule();
  }

  /** The frame lateness window ends: it becomes the previous one. */
  private rotateFrameWindow(now: number): void {
    const previous = this.framePrev;
    this.framePrev = this.frameNow;
    previous.fill(0);
    this.frameNow = previous;
    this.frameWindowStart = now;
  }

  /** Ticks of non-empty groups among the `n` slots after `step`. */
  private countTicks(step: number, n: number): number {
    let ticks = 0;
    for (let g = 0; g < this.groups; g++) {
      if (this.lists[g]!.length === 0) continue;
      // Slots s in (step, step + n] with s % groups === g.
      const first = step + 1 + ((g - ((step + 1) % this.groups) + this.groups) % this.groups);
      if (first <= step + n) ticks += Math.floor((step + n - first) / this.groups) + 1;
    }
    return ticks;
  }

  private record(lateMs: number): void {
    this.lateness[this.counts.ticks % HISTORY] = lateMs;
    this.counts.ticks++;
    if (lateMs > 2) this.counts.lateTicks++;
    if (lateMs > this.counts.maxLatenessMs) this.counts.maxLatenessMs = lateMs;
  }
}

let shared: MediaClock | undefined;

/**
 * The process-wide clock every bridge uses unless given its own: 20 ms, calls spread over eight
 * phase groups (a timer every 2.5 ms running an eighth of the calls: at 500 sessions a tick's
 * work stays under 1 ms at p99, see `bench/sessions.ts`).
 */
export function getMediaClock(): MediaClock {
  shared ??= new MediaClock({ groups: 8 });
  return shared;
}
