import { MediaClock } from '../../src/media/media-clock.js';

/** A clock whose time moves only when the test says so. */
export function manualClock(options: { maxCatchUpTicks?: number; groups?: number } = {}) {
  let now = 0;
  let pending: { at: number; fn: () => void } | undefined;
  let cleared = 0;
  const clock = new MediaClock({
    ...options,
    now: () => now,
    setTimer: (fn, ms) => (pending = { at: now + ms, fn }),
    clearTimer: () => {
      pending = undefined;
      cleared++;
    },
  });
  return {
    clock,
    /** Moves time to `to`, firing the timer when due (as a blocked loop would: late). */
    advance(by: number): void {
      const target = now + by;
      while (pending && pending.at <= target) {
        const p = pending;
        pending = undefined;
        now = Math.max(now, p.at);
        p.fn();
      }
      now = target;
    },
    /** Jumps time without firing (the event loop is blocked). */
    block(ms: number): void {
      now += ms;
    },
    fireLate(): void {
      const p = pending;
      pending = undefined;
      p?.fn();
    },
    get armed(): boolean {
      return pending !== undefined;
    },
    get cleared(): number {
      return cleared;
    },
    get now(): number {
      return now;
    },
  };
}
