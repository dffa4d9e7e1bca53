import { createSocket } from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { MediaClock } from '../../src/media/media-clock.js';
import { Pacer } from '../../src/media/pacer.js';

/** A clock whose time moves only when the test says so. */
function manualClock(options: { maxCatchUpTicks?: number } = {}) {
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
  };
}

describe('MediaClock', () => {
  it('ticks every period without drift, catches up after a short stall, skips after a long one', () => {
    const m = manualClock({ maxCatchUpTicks: 5 });
    const ticks: number[] = [];
    const off = m.clock.subscribe((t) => ticks.push(t));
    m.advance(100);
    expect(ticks).toEqual([1, 2, 3, 4, 5]);
    m.block(70);
    m.fireLate();
    expect(ticks).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    m.block(400);
    m.fireLate();
    expect(ticks.length).toBe(13);
    expect(m.clock.stats()).toMatchObject({ ticks: 13, skippedTicks: 15 });
    off();
    expect(m.armed).toBe(false);
  });

  it('runs one timer even when a tick swaps its last subscriber, and calls new subscribers from the next tick', () => {
    const m = manualClock();
    const seen: string[] = [];
    let offA: () => void = () => {};
    const b = (t: number): void => void seen.push(`b${t}`);
    offA = m.clock.subscribe((t) => {
      seen.push(`a${t}`);
      offA();
      m.clock.subscribe(b);
    });
    m.advance(100);
    expect(seen).toEqual(['a1', 'b2', 'b3', 'b4', 'b5']);
  });

  it('keeps going when a handler throws, and reports it', () => {
    const errors: unknown[] = [];
    let now = 0;
    let timer: (() => void) | undefined;
    const clock = new MediaClock({ now: () => now, setTimer: (fn) => (timer = fn), clearTimer: () => (timer = undefined), onError: (e) => errors.push(e) });
    const seen: number[] = [];
    clock.subscribe(() => {
      throw new Error('bad subscriber');
    });
    clock.subscribe((t) => seen.push(t));
    for (let i = 1; i <= 3; i++) {
      now = i * 20;
      timer!();
    }
    expect(seen).toEqual([1, 2, 3]);
    expect(errors.length).toBe(3);
    expect(clock.stats().errors).toBe(3);
  });
});

describe('Pacer', () => {
  function setup(frameBytes = 160) {
    const m = manualClock();
    const sent: Buffer[] = [];
    const pacer = new Pacer({ frameBytes, send: (f) => sent.push(f), silenceByte: 0xff, clock: m.clock });
    return { m, sent, pacer };
  }

  it('sends exactly one full frame per tick whatever the chunk sizes, padding only the last', () => {
    const { m, sent, pacer } = setup();
    const audio = Buffer.from(Array.from({ length: 1000 }, (_, i) => i & 0x7f));
    let at = 0;
    for (const size of [1, 159, 7, 500, 333]) {
      pacer.write(audio.subarray(at, at + size));
      at += size;
    }
    pacer.end();
    m.advance(20);
    expect(sent.length).toBe(1);
    m.advance(200);
    expect(sent.length).toBe(7);
    expect(sent.every((f) => f.length === 160)).toBe(true);
    expect(Buffer.concat(sent).subarray(0, 1000)).toEqual(audio);
    expect(sent[6]!.subarray(1000 - 960).every((b) => b === 0xff)).toBe(true);
    expect(pacer.playedMs).toBe(125); // 1000 bytes: the padding is not audio the caller heard
  });

  it('never sends an empty or short datagram, under random writes, flushes and ends', () => {
    const { m, sent, pacer } = setup(320);
    let seed = 1;
    const rand = (n: number): number => {
      seed = (seed * 16807) % 2147483647;
      return seed % n;
    };
    for (let i = 0; i < 2000; i++) {
      const r = rand(10);
      if (r < 6) pacer.write(new Uint8Array(rand(900)));
      else if (r === 6) pacer.flush();
      else if (r === 7) pacer.end();
      else m.advance(20);
    }
    expect(sent.length).toBeGreaterThan(100);
    expect(sent.every((f) => f.length === 320)).toBe(true);
  });

  it('flush drops everything queued before the next tick and reports what the caller heard', () => {
    const { m, sent, pacer } = setup();
    const events: string[] = [];
    pacer.on('talkspurtStart', () => events.push('start'));
    pacer.on('drained', () => events.push('drained'));
    pacer.write(new Uint8Array(160 * 50));
    m.advance(60);
    expect(pacer.playedMs).toBe(60);
    expect(pacer.flush().droppedMs).toBe(940);
    m.advance(100);
    expect(sent.length).toBe(3);
    pacer.write(new Uint8Array(320));
    pacer.end();
    m.advance(100);
    expect(sent.length).toBe(5);
    expect(pacer.playedMs).toBe(40);
    expect(events).toEqual(['start', 'start', 'drained']);
  });

  it('keeps answers on frames of their own, and playedMs per answer', () => {
    const { m, sent, pacer } = setup();
    const starts: number[] = [];
    let drained = 0;
    pacer.on('talkspurtStart', () => starts.push(sent.length));
    pacer.on('drained', () => drained++);
    pacer.write(new Uint8Array(100).fill(1));
    pacer.end();
    pacer.write(new Uint8Array(160).fill(2)); // the next answer, queued before the first is out
    m.advance(20);
    expect(sent[0]!.subarray(0, 100).every((b) => b === 1) && sent[0]!.subarray(100).every((b) => b === 0xff)).toBe(true);
    expect(drained).toBe(1);
    expect(pacer.playedMs).toBe(0); // the first answer is out; nothing of the second yet
    m.advance(20);
    expect(sent[1]!.every((b) => b === 2)).toBe(true);
    expect(pacer.playedMs).toBe(20);
    expect(starts).toEqual([0, 1]);
  });

  it('counts a gap once and marks the talkspurt that resumes after it', () => {
    const { m, sent, pacer } = setup();
    const starts: number[] = [];
    pacer.on('talkspurtStart', () => starts.push(sent.length));
    pacer.write(new Uint8Array(320));
    m.advance(100); // 2 frames, then a 3-tick gap
    pacer.write(new Uint8Array(160));
    m.advance(20);
    expect(pacer.stats.underruns).toBe(1);
    expect(starts).toEqual([0, 2]);
  });

  it('bounds its queue and counts what it drops; counts underruns', () => {
    const m = manualClock();
    const pacer = new Pacer({ frameBytes: 160, send: () => {}, maxQueueMs: 100, clock: m.clock });
    pacer.write(new Uint8Array(160 * 8));
    expect(pacer.queuedMs).toBe(100);
    expect(pacer.stats.bytesDropped).toBe(160 * 3);
    m.advance(140);
    expect(pacer.stats.underruns).toBeGreaterThan(0);
    pacer.close();
    expect(m.armed).toBe(false);
  });

  it('paces frames to a real UDP socket on the real clock, in order', async () => {
    const rx = createSocket('udp4');
    const tx = createSocket('udp4');
    await new Promise<void>((r) => rx.bind(0, '127.0.0.1', () => r()));
    const port = rx.address().port;
    const got: Buffer[] = [];
    const done = new Promise<void>((resolve) => rx.on('message', (m) => got.push(m) === 10 && resolve()));
    const clock = new MediaClock();
    const pacer = new Pacer({ frameBytes: 160, send: (f) => tx.send(f, port, '127.0.0.1'), clock });
    const audio = new Uint8Array(1600).map((_, i) => Math.floor(i / 160));
    pacer.write(audio);
    await done;
    expect(got.map((f) => [f.length, f[0]])).toEqual(Array.from({ length: 10 }, (_, i) => [160, i]));
    pacer.close();
    expect(clock.size).toBe(0);
    rx.close();
    tx.close();
  });
});
