/**
 * Originates to one FreeSWITCH at the pace it accepts: at most `sps` started in any rolling
 * second (FreeSWITCH refuses sessions past its `sessions-per-second`, 30 by default) and at most
 * `maxConcurrent` in flight (an originate is in flight until its leg answers or fails). Built
 * on p-queue; what does not fit now waits, or fails at once with a typed error.
 *
 * @module
 */
import PQueue from 'p-queue';
import { OriginateRateLimitError } from '../errors.js';

/** What to do with an originate that does not fit now. */
export type OriginateLimitMode = 'wait' | 'fail';

/** Options of {@link OriginateLimiter}. */
export interface OriginateLimiterOptions {
  /** Originates started per rolling second (FreeSWITCH's `sessions-per-second`). Default 30. */
  sps?: number;
  /** Originates in flight at once. Default 1000 (FreeSWITCH's default `max-sessions`). */
  maxConcurrent?: number;
  /** Wait for room (`'wait'`, default) or reject with {@link OriginateRateLimitError} (`'fail'`). */
  onLimit?: OriginateLimitMode;
  /** Most originates waiting; one more is refused with {@link OriginateRateLimitError} (`queue`). Default: no limit. */
  maxQueued?: number;
}

/** Per-call overrides of {@link OriginateLimiter.run}. */
export interface OriginateRunOptions {
  /** Overrides the limiter's `onLimit` for this originate: wait, or fail with `OriginateRateLimitError`. */
  onLimit?: OriginateLimitMode;
  /** Aborts the wait (the originate is then never sent). */
  signal?: AbortSignal;
  /** Higher runs first among those waiting. Default 0. */
  priority?: number;
}

/** A per-node originate rate limit and concurrency cap. */
export class OriginateLimiter {
  /** Originates started per second at most. */
  readonly sps: number;
  /** Originates in flight at most. */
  readonly maxConcurrent: number;
  private readonly queue: PQueue;
  private readonly onLimit: OriginateLimitMode;
  private readonly maxQueued: number;
  /** Aborted by {@link OriginateLimiter.clear}: rejects what waits. */
  private closing = new AbortController();

  constructor(
    /** The node's name, for errors. */
    private readonly node: string,
    options: OriginateLimiterOptions = {},
  ) {
    this.sps = options.sps ?? 30;
    this.maxConcurrent = options.maxConcurrent ?? 1000;
    this.onLimit = options.onLimit ?? 'wait';
    this.maxQueued = options.maxQueued ?? Infinity;
    for (const [name, v] of [['sps', this.sps], ['maxConcurrent', this.maxConcurrent]] as const) {
      if (!(v >= 1 && (Number.isInteger(v) || v === Infinity))) throw new RangeError(`${name} must be a positive integer, not ${v}`);
    }
    // strict: a rolling one-second window, so no burst of 2 × sps straddles a second boundary.
    this.queue = new PQueue({ concurrency: this.maxConcurrent, intervalCap: this.sps, interval: 1000, strict: true });
  }

  /** Originates running now. */
  get inFlight(): number {
    return this.queue.pending;
  }

  /** Originates waiting for room. */
  get waiting(): number {
    return this.queue.size;
  }

  /**
   * Runs `originate` when the node has room. In `fail` mode, or with the waiting queue full,
   * rejects at once with {@link OriginateRateLimitError} and `originate` is never called.
   */
  run<T>(originate: () => Promise<T>, options: OriginateRunOptions = {}): Promise<T> {
    const mode = options.onLimit ?? this.onLimit;
    const full = this.queue.pending >= this.maxConcurrent ? 'concurrency' : 'sps';
    if (mode === 'wait' && this.queue.size >= this.maxQueued) return Promise.reject(new OriginateRateLimitError(this.node, 'queue'));
    const cancel = new AbortController();
    const signals = [cancel.signal, this.closing.signal, ...(options.signal ? [options.signal] : [])];
    const signal = AbortSignal.any(signals);
    let started = false;
    const result = this.queue.add(
      () => {
        started = true;
        return originate();
      },
      { signal, priority: options.priority },
    );
    // p-queue starts a task inside add() when the window and the concurrency allow it.
    if (!started && mode === 'fail') {
      cancel.abort();
      result.catch(() => {});
      return Promise.reject(new OriginateRateLimitError(this.node, full));
    }
    return result as Promise<T>;
  }

  /** Rejects every originate still waiting with `reason` (they are never sent). */
  clear(reason: Error): void {
    this.closing.abort(reason);
    this.closing = new AbortController();
  }
}
