import { createSocket } from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { MediaClock, getMediaClock } from '../../src/media/media-clock.js';
import { Pacer } from '../../src/media/pacer.js';
import { manualClock } from '../helpers/manual-clock.js';

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

  it('does not call a handler unsubscribed earlier in the same tick, and calls every other one', () => {
    const m = manualClock();
    const seen: string[] = [];
    let offC: () => void = () => {};
    m.clock.subscribe((t) => {
      seen.push(`a${t}`);
      if (t === 2) offC();
    });
    m.clock.subscribe((t) => void seen.push(`b${t}`));
    offC = m.clock.subscribe((t) => void seen.push(`c${t}`));
    m.clock.subscribe((t) => void seen.push(`d${t}`));
    m.advance(60);
    expect(seen).toEqual(['a1', 'b1', 'c1', 'd1', 'a2', 'b2', 'd2', 'a3', 'b3', 'd3']);
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

describe('MediaClock.resetStats', () => {
  it('starts the counters and the lateness history afresh', () => {
    const m = manualClock();
    const ticks: number[] = [];
    m.clock.subscribe((t) => ticks.push(t));
    m.advance(60);
    m.block(70); // the loop is blocked: the next tick runs 50 ms late, with catch-up ticks
    m.fireLate();
    const before = m.clock.stats();
    expect(before.ticks).toBe(ticks.length);
    expect(before.lateTicks).toBeGreaterThan(0);
    expect(before.maxLatenessMs).toBeGreaterThan(0);
    expect(before.p99LatenessMs).toBeGreaterThan(0);

    m.clock.resetStats();
    expect(m.clock.stats()).toMatchObject({ ticks: 0, lateTicks: 0, skippedTicks: 0, errors: 0, maxLatenessMs: 0, p50LatenessMs: 0, p99LatenessMs: 0 });

    // The clock keeps its schedule: the next ticks are on time.
    const seen = ticks.length;
    m.advance(100);
    expect(ticks.length).toBe(seen + 5);
    expect(ticks.slice(seen)).toEqual([seen + 1, seen + 2, seen + 3, seen + 4, seen + 5]);
    expect(m.clock.stats()).toMatchObject({ ticks: 5, lateTicks: 0, skippedTicks: 0, errors: 0, maxLatenessMs: 0, p50LatenessMs: 0, p99LatenessMs: 0 });
  });

  it('clears skipped ticks and errors too', () => {
    const m = manualClock({ maxCatchUpTicks: 2 });
    m.clock.subscribe(() => {
      throw new Error('bad subscriber');
    });
    m.advance(20);
    m.block(200);
    m.fireLate();
    expect(m.clock.stats().skippedTicks).toBeGreaterThan(0);
    expect(m.clock.stats().errors).toBeGreaterThan(0);
    m.clock.resetStats();
    expect(m.clock.stats()).toMatchObject({ ticks: 0, skippedTicks: 0, errors: 0, lateTicks: 0, maxLatenessMs: 0 });
    m.advance(20);
    expect(m.clock.stats()).toMatchObject({ ticks: 1, errors: 1, skippedTicks: 0, maxLatenessMs: 0 });
  });
});

describe('Pacer with clock: manual', () => {
  it('subscribes to no clock and sends a frame only when tick() is called', () => {
    const shared = getMediaClock();
    const sizeBefore = shared.size;
    const m = manualClock();
    const sent: Buffer[] = [];
    const events: string[] = [];
    const pacer = new Pacer({ frameBytes: 160, send: (f) => sent.push(Buffer.from(f)), silenceByte: 0xff, clock: 'manual' });
    pacer.on('drained', () => events.push('drained'));
    expect(shared.size).toBe(sizeBefore);
    expect(m.clock.size).toBe(0);

    const audio = Buffer.from(Array.from({ length: 560 }, (_, i) => (i * 7) & 0x7f));
    pacer.write(audio.subarray(0, 200));
    pacer.write(audio.subarray(200));
    m.advance(200); // time passing on a clock does nothing: only tick() sends
    expect(sent.length).toBe(0);

    for (let i = 0; i < 4; i++) pacer.tick();
    expect(sent.length).toBe(3);
    expect(sent.every((f) => f.length === 160)).toBe(true);
    expect(Buffer.concat(sent)).toEqual(audio.subarray(0, 480));
    expect(events).toEqual([]);

    pacer.end();
    pacer.tick();
    expect(sent.length).toBe(4);
    expect(sent[3]!.length).toBe(160);
    expect(sent[3]!.subarray(0, 80)).toEqual(audio.subarray(480));
    expect(sent[3]!.subarray(80).every((b) => b === 0xff)).toBe(true);
    expect(events).toEqual(['drained']);
    pacer.tick();
    expect(sent.length).toBe(4);
    pacer.close();
    expect(shared.size).toBe(sizeBefore);
  });
});

describe('Pacer frames', () => {
  it('are the written bytes, copied: a frame per buffer of its own, whatever the writes; the writes are not kept', () => {
    const m = manualClock();
    const sent: Buffer[] = [];
    const pacer = new Pacer({ frameBytes: 160, send: (f) => sent.push(f), clock: m.clock });
    const a = new Uint8Array(400).map((_, i) => i & 0xff); // frames 0, 1 inside it; frame 2 starts in it
    const b = new Uint8Array(320).map((_, i) => 0x80 | (i & 0x7f)); // frame 2 ends in it; frame 3 inside it
    pacer.write(a);
    pacer.write(b);
    m.advance(80);
    expect(sent.length).toBe(4);
    for (const f of sent) {
      expect(Buffer.isBuffer(f)).toBe(true);
      expect(f.length).toBe(160);
    }
    expect(sent[0]).toEqual(Buffer.from(a.subarray(0, 160)));
    expect(sent[1]).toEqual(Buffer.from(a.subarray(160, 320)));
    expect(sent[2]).toEqual(Buffer.concat([a.subarray(320, 400), b.subarray(0, 80)]));
    expect(sent[3]).toEqual(Buffer.from(b.subarray(80, 240)));
    // The pacer keeps its own copy (a chunk may be reused at once, and dies young): no frame is the write's memory.
    for (const f of sent) expect([a.buffer, b.buffer]).not.toContain(f.buffer);
    // Frames handed out earlier are not overwritten by later ones.
    expect(sent[0]![0]).toBe(0);
    expect(sent[1]![0]).toBe(160);
    expect(Buffer.concat(sent)).toEqual(Buffer.concat([a, b.subarray(0, 240)]));
  });

  it('are the right bytes of a write that is itself a view into a larger buffer, and survive its reuse', () => {
    const m = manualClock();
    const sent: Buffer[] = [];
    const pacer = new Pacer({ frameBytes: 160, send: (f) => sent.push(f), clock: m.clock });
    const backing = new Uint8Array(1000).map((_, i) => (i * 13) & 0xff);
    const chunk = backing.subarray(37, 37 + 320);
    const expected = Buffer.from(chunk);
    pacer.write(chunk);
    chunk.fill(0); // the writer reuses its buffer
    m.advance(40);
    expect(sent.length).toBe(2);
    expect(Buffer.concat(sent)).toEqual(expected);
    expect(sent.every((f) => f.length === 160)).toBe(true);
  });
});

describe('Pacer queue storage', () => {
  it('grows past its first second of audio and wraps around, keeping every byte in order', () => {
    const m = manualClock();
    const sent: Buffer[] = [];
    const pacer = new Pacer({ frameBytes: 160, send: (f) => sent.push(f), clock: m.clock });
    const written: number[] = [];
    let n = 0;
    const write = (bytes: number): void => {
      const chunk = new Uint8Array(bytes).map(() => n++ & 0xff);
      written.push(...chunk);
      pacer.write(chunk);
    };
    write(800 * 3); // 300 ms
    m.advance(200); // 10 frames out: the ring's start is free again
    for (let i = 0; i < 30; i++) write(800); // 3 s more: past the first second, wrapping
    pacer.end();
    m.advance(20 * 200);
    expect(Buffer.concat(sent)).toEqual(Buffer.from(written));
    expect(pacer.queuedMs).toBe(0);
    expect(pacer.playedMs).toBe(3300);
  });
});
