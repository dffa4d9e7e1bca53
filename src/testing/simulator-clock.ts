/**
 * The time applications run on in the simulated switch (how long a `playback`, a `sleep` or a
 * `tone_stream` lasts): the real clock by default, or a {@link ManualClock} a test moves by hand
 * so a three-second prompt takes no time to test.
 *
 * @module
 */

/** A timer a {@link SimulatorClock} scheduled (opaque: only given back to `clearTimeout`). */
export type ClockTimer = unknown;

/** Where the simulated switch reads the time and schedules the end of timed applications. */
export interface SimulatorClock {
  /** Ms on this clock (any origin; only differences are used). */
  now(): number;
  /** Runs `fn` once, `ms` from now. */
  setTimeout(fn: () => void, ms: number): ClockTimer;
  /** Cancels a timer of this clock (a no-op for one that already ran). */
  clearTimeout(timer: ClockTimer): void;
}

/** The real clock: `performance.now()` and Node's timers. */
export const realClock: SimulatorClock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (timer) => clearTimeout(timer as NodeJS.Timeout),
};

interface ManualTimer {
  at: number;
  seq: number;
  fn: () => void;
}

/**
 * A clock that moves only when told to: pass it as the simulator's `clock`, then
 * {@link ManualClock.advance} by the length of the prompt instead of waiting for it. Timers due
 * fire in time order (ties in the order they were set), each seeing `now()` at its due time.
 *
 * ```ts
 * const clock = new ManualClock();
 * const sim = new FreeSwitchSimulator({ clock, playback: { defaultMs: 3000 } });
 * // ... the bot starts `playback ivr/welcome.wav`
 * clock.advance(3000); // the prompt has played: CHANNEL_EXECUTE_COMPLETE goes out
 * ```
 */
export class ManualClock implements SimulatorClock {
  private time: number;
  private seq = 0;
  private readonly timers = new Set<ManualTimer>();

  constructor(startMs = 0) {
    this.time = startMs;
  }

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): ClockTimer {
    const timer: ManualTimer = { at: this.time + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.add(timer);
    return timer;
  }

  clearTimeout(timer: ClockTimer): void {
    this.timers.delete(timer as ManualTimer);
  }

  /** Timers waiting to fire. */
  get pending(): number {
    return this.timers.size;
  }

  /** Moves the time forward by `ms`, firing every timer that falls due on the way. */
  advance(ms: number): void {
    const target = this.time + Math.max(0, ms);
    for (let next = this.nextDue(target); next; next = this.nextDue(target)) {
      this.timers.delete(next);
      this.time = next.at;
      next.fn();
    }
    this.time = target;
  }

  private nextDue(limit: number): ManualTimer | undefined {
    let best: ManualTimer | undefined;
    for (const t of this.timers) if (t.at <= limit && (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq))) best = t;
    return best;
  }
}
