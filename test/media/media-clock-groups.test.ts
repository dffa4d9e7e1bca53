import { describe, expect, it } from 'vitest';
import { MediaClock, getMediaClock } from '../../src/media/media-clock.js';
import { manualClock } from '../helpers/manual-clock.js';

function fakeClock(groups: number, maxCatchUpTicks = 5) {
  const m = manualClock({ groups, maxCatchUpTicks });
  return Object.assign(m, {
    /** The event loop is blocked for `ms`, then the timer fires late. */
    stall(ms: number): void {
      m.block(ms);
      m.fireLate();
    },
  });
}

describe('MediaClock phase groups', () => {
  it('spreads subscribers over the groups: each ticks once per period, group g at g × period / groups', () => {
    const f = fakeClock(4);
    const times: number[][] = [[], [], [], [], []];
    for (let i = 0; i < 5; i++) f.clock.subscribe(() => times[i]!.push(f.now));
    f.advance(60);
    // Subscribers 0..3 land in groups 0..3; the fifth joins the least busy group (0).
    expect(times[0]).toEqual([20, 40, 60]);
    expect(times[1]).toEqual([5, 25, 45]);
    expect(times[2]).toEqual([10, 30, 50]);
    expect(times[3]).toEqual([15, 35, 55]);
    expect(times[4]).toEqual([20, 40, 60]);
    // Ticks counted per group callback: 3 of group 0 plus 3 of each other group.
    expect(f.clock.stats().ticks).toBe(12);
  });

  it('passes each subscriber consecutive tick numbers, and keeps the period exact after a stall', () => {
    const f = fakeClock(4);
    const seen: { tick: number; at: number }[] = [];
    f.clock.subscribe(() => {}); // group 0
    f.clock.subscribe((tick) => seen.push({ tick, at: f.now })); // group 1
    f.advance(50);
    f.stall(33); // blocked from 50 to 83: the group-1 slot at 65 runs late, at 83
    f.advance(40);
    expect(seen.map((s) => s.tick)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(seen.map((s) => s.at)).toEqual([5, 25, 45, 83, 85, 105]);
    expect(f.clock.stats().lateTicks).toBeGreaterThan(0);
  });

  it('skips ticks beyond the catch-up bound and counts only those of groups with subscribers', () => {
    const f = fakeClock(4, 2);
    const ticks: number[] = [];
    f.clock.subscribe((t) => ticks.push(t)); // group 0 only
    f.advance(20);
    f.stall(200); // 10 periods late: 2 caught up, the rest skipped
    expect(ticks.length).toBe(1 + 2);
    expect(f.clock.stats().skippedTicks).toBe(8);
  });

  it('moves no subscriber between groups, and stops when the last one leaves', () => {
    const f = fakeClock(2);
    const a: number[] = [];
    const offA = f.clock.subscribe(() => a.push(f.now)); // group 0
    const offB = f.clock.subscribe(() => {}); // group 1
    offA();
    const c: number[] = [];
    f.clock.subscribe(() => c.push(f.now)); // the free group 0
    f.advance(20);
    expect(c).toEqual([20]);
    expect(a).toEqual([]);
    offB();
    expect(f.clock.size).toBe(1);
  });

  it('rejects a group count that is not a positive integer; the process-wide clock has eight', () => {
    expect(() => new MediaClock({ groups: 0 })).toThrow(RangeError);
    expect(() => new MediaClock({ groups: 1.5 })).toThrow(RangeError);
    expect(getMediaClock().groups).toBe(8);
  });

  it('says how long until its next tick: the next slot of any group, negative when overdue, Infinity when stopped', () => {
    const f = fakeClock(8);
    expect(f.clock.msUntilNextTick()).toBe(Number.POSITIVE_INFINITY);
    const off = f.clock.subscribe(() => {});
    expect(f.clock.msUntilNextTick()).toBe(2.5);
    f.advance(1);
    expect(f.clock.msUntilNextTick()).toBe(1.5);
    f.advance(2); // slot 1 ran at 2.5; slot 2 is due at 5 (its group is empty: the clock still wakes)
    expect(f.clock.msUntilNextTick()).toBe(2);
    f.block(6);
    expect(f.clock.msUntilNextTick()).toBe(-4);
    off();
    expect(f.clock.msUntilNextTick()).toBe(Number.POSITIVE_INFINITY);
  });
});
