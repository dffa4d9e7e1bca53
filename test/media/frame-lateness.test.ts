import { describe, expect, it } from 'vitest';
import { Pacer } from '../../src/media/pacer.js';
import { manualClock } from '../helpers/manual-clock.js';

describe('MediaClock frame lateness (when each frame actually leaves)', () => {
  it('times each frame against its slot, not the tick start: later subscribers of a tick are later', () => {
    const m = manualClock();
    // Three calls in one tick; each one's work takes 2 ms before its frame leaves.
    for (let i = 0; i < 3; i++) {
      m.clock.subscribe(() => {
        m.block(2);
        m.clock.markFrameSent();
      });
    }
    m.advance(20 * 100);
    const s = m.clock.stats();
    expect(s.framesTimed).toBe(300);
    // Frames leave 2, 4 and 6 ms after their slot; the tick itself started on time.
    expect(s.p99LatenessMs).toBe(0);
    expect(s.p50FrameLatenessMs).toBeCloseTo(4.1, 5);
    expect(s.p99FrameLatenessMs).toBeCloseTo(6.1, 5);
    expect(s.maxFrameLatenessMs).toBe(6);
    expect(s.lateFrames).toBe(100); // the third call's frames, 6 ms > 5 ms
  });

  it('counts a late tick in the lateness of every frame it sends', () => {
    const m = manualClock();
    const lateness: number[] = [];
    m.clock.subscribe(() => lateness.push(m.clock.markFrameSent()));
    m.advance(20);
    m.block(33); // the loop was busy: the next slot (40) runs at 53
    m.fireLate();
    expect(lateness).toEqual([0, 13]);
    expect(m.clock.stats().maxFrameLatenessMs).toBe(13);
  });

  it('records nothing outside a tick, and starts afresh on resetStats', () => {
    const m = manualClock();
    m.clock.subscribe(() => m.clock.markFrameSent());
    expect(m.clock.markFrameSent()).toBe(0);
    m.advance(100);
    expect(m.clock.stats().framesTimed).toBe(5);
    m.clock.resetStats();
    const s = m.clock.stats();
    expect([s.framesTimed, s.lateFrames, s.maxFrameLatenessMs, s.p99FrameLatenessMs]).toEqual([0, 0, 0, 0]);
  });

  it('keeps the percentiles over the last 30 to 60 s: an old stall ages out', () => {
    const m = manualClock();
    let stall = true;
    m.clock.subscribe(() => {
      if (stall) m.block(30);
      stall = false;
      m.clock.markFrameSent();
    });
    m.advance(20);
    expect(m.clock.stats().p99FrameLatenessMs).toBeGreaterThan(29);
    m.advance(65_000); // two windows later
    expect(m.clock.stats().p99FrameLatenessMs).toBeLessThanOrEqual(0.1);
    expect(m.clock.stats().maxFrameLatenessMs).toBe(30); // the worst since the last reset stays
  });
});

describe('Pacer frame lateness', () => {
  it('times its frames on its clock and counts those more than 5 ms late', () => {
    const m = manualClock();
    const sent: Buffer[] = [];
    let work = 0;
    // Another call's work before this one's frame in each tick.
    m.clock.subscribe(() => m.block(work));
    const pacer = new Pacer({ frameBytes: 160, clock: m.clock, send: (f) => void sent.push(f) });
    pacer.write(new Uint8Array(160 * 4));
    m.advance(40);
    work = 7;
    m.advance(40);
    expect(sent).toHaveLength(4);
    expect(pacer.stats.lateFrames).toBe(2);
    expect(m.clock.stats().lateFrames).toBe(2);
    pacer.close();
  });

  it("with clock 'manual', times frames only on the clock it is given as `timing`", () => {
    const m = manualClock();
    const untimed = new Pacer({ frameBytes: 160, clock: 'manual', send: () => {} });
    const timed = new Pacer({ frameBytes: 160, clock: 'manual', timing: m.clock, send: () => {} });
    untimed.write(new Uint8Array(320));
    timed.write(new Uint8Array(320));
    m.clock.subscribe(() => {
      m.block(8);
      untimed.tick();
      timed.tick();
    });
    m.advance(40);
    expect(m.clock.stats().framesTimed).toBe(2);
    expect(timed.stats.lateFrames).toBe(2);
    expect(untimed.stats.lateFrames).toBe(0);
  });
});
