import { describe, expect, it } from 'vitest';
import { JitterBuffer, type JitterPacket, pcm16Conceal } from '../../src/media/jitter-buffer.js';

const SILENCE = new Uint8Array([0xff]);
const frame = (n: number): Uint8Array => new Uint8Array([n & 0xff]);

function packet(seq: number, arrivalMs: number, extra: Partial<JitterPacket> = {}): JitterPacket {
  return { sequenceNumber: seq & 0xffff, timestamp: (seq * 160) >>> 0, ssrc: 1, marker: false, payload: frame(seq), arrivalMs, ...extra };
}

/** Pulls `n` frames and returns what played: the payload byte, `c` concealed, `.` silence. */
function play(jb: JitterBuffer, n: number): (number | string)[] {
  return Array.from({ length: n }, () => {
    const f = jb.pull();
    return f.kind === 'audio' ? f.payload[0]! : f.kind === 'concealed' ? 'c' : '.';
  });
}

const buffer = (o: Partial<ConstructorParameters<typeof JitterBuffer>[0]> = {}): JitterBuffer =>
  new JitterBuffer({ minMs: 40, maxMs: 200, targetMs: 60, silence: SILENCE, ...o });

describe('JitterBuffer', () => {
  it('waits for the target delay, then plays in order', () => {
    const jb = buffer();
    jb.push(packet(10, 0));
    expect(play(jb, 1)).toEqual(['.']);
    jb.push(packet(11, 20));
    jb.push(packet(12, 40));
    expect(play(jb, 3)).toEqual([10, 11, 12]);
    expect(jb.stats().delayMs).toBe(60);
  });

  it('reorders, drops duplicates and late packets, and counts each', () => {
    const jb = buffer();
    for (const s of [1, 3, 2, 2]) jb.push(packet(s, s * 20));
    expect(play(jb, 3)).toEqual([1, 2, 3]);
    jb.push(packet(2, 100));
    jb.push(packet(0, 100));
    jb.push(packet(4, 100));
    jb.push(packet(4, 101));
    expect(jb.stats()).toMatchObject({ received: 4, reordered: 1, duplicate: 3, late: 1 });
  });

  it('conceals a loss (repeat, then silence) and keeps timing', () => {
    const jb = buffer({ targetMs: 40 });
    for (const s of [1, 2, 6, 7]) jb.push(packet(s, s * 20));
    expect(play(jb, 7)).toEqual([1, 2, 'c', 'c', '.', 6, 7]);
    expect(jb.stats()).toMatchObject({ lost: 3, concealed: 2 });
  });

  it('crosses the 16-bit sequence and 32-bit timestamp wrap without a glitch', () => {
    const jb = buffer({ targetMs: 40 });
    const seqs = [65534, 65535, 0, 1, 2];
    seqs.forEach((s, i) => jb.push(packet(s, i * 20, { timestamp: (0xffffff00 + i * 160) >>> 0, payload: frame(i) })));
    expect(play(jb, 5)).toEqual([0, 1, 2, 3, 4]);
    expect(jb.stats()).toMatchObject({ lost: 0, late: 0, received: 5, expected: 5 });
    jb.push(packet(65535, 200));
    expect(jb.stats().late + jb.stats().duplicate).toBe(1);
  });

  it('resets on an SSRC change', () => {
    const jb = buffer({ targetMs: 40 });
    jb.push(packet(100, 0));
    jb.push(packet(101, 20));
    expect(play(jb, 1)).toEqual([100]);
    jb.push(packet(5000, 40, { ssrc: 2 }));
    jb.push(packet(5001, 60, { ssrc: 2 }));
    expect(play(jb, 2)).toEqual([5000 & 0xff, 5001 & 0xff]);
    expect(jb.stats().late).toBe(0);
  });

  it('re-anchors at a talkspurt start after silence suppression, without counting a loss', () => {
    const jb = buffer({ targetMs: 40 });
    jb.push(packet(1, 0));
    jb.push(packet(2, 20));
    expect(play(jb, 2)).toEqual([1, 2]);
    expect(play(jb, 3)).toEqual(['c', 'c', '.']);
    jb.push(packet(50, 500, { marker: true, timestamp: 50 * 160 }));
    jb.push(packet(51, 520, { timestamp: 51 * 160 }));
    expect(play(jb, 2)).toEqual([50, 51]);
    expect(jb.stats().lost).toBe(0);
  });

  it('grows its delay under jitter (within maxMs) and shrinks back when the network calms', () => {
    const jb = buffer({ minMs: 40, maxMs: 200, targetMs: 40 });
    /** Sends one packet per 20 ms for `ms`; `delay(sendMs)` is the network delay; pulls every 20 ms. */
    let seq = 0;
    let now = 0;
    const run = (ms: number, delay: (sendMs: number) => number): (number | string)[] => {
      const inFlight: JitterPacket[] = [];
      const out: (number | string)[] = [];
      for (const end = now + ms; now < end; now += 20) {
        inFlight.push(packet(seq++, now + delay(now)));
        for (let i = inFlight.length - 1; i >= 0; i--) {
          if (inFlight[i]!.arrivalMs <= now) jb.push(inFlight.splice(i, 1)[0]!);
        }
        out.push(...play(jb, 1));
      }
      return out;
    };
    // A jittery network: 5..125 ms of delay, varying packet to packet (deterministic).
    let x = 12345;
    const jittery = (): number => {
      x = (x * 1103515245 + 12345) & 0x7fffffff;
      return 5 + (x % 121);
    };
    run(4000, jittery);
    const grown = jb.stats();
    expect(grown.jitterMs).toBeGreaterThan(20);
    expect(grown.delayMs).toBeGreaterThan(40);
    expect(grown.delayMs).toBeLessThanOrEqual(200);
    // With the grown delay, most of the jittery stream now plays.
    const later = run(4000, jittery);
    expect(later.filter((f) => typeof f === 'number').length / later.length).toBeGreaterThan(0.9);
    // A calm network: the estimate decays and the delay comes back down.
    run(20_000, () => 5);
    expect(jb.stats().jitterMs).toBeLessThan(2);
    expect(jb.stats().delayMs).toBeLessThan(grown.delayMs);
  });

  it('never holds more than maxMs of audio', () => {
    const jb = buffer({ maxMs: 100 });
    for (let s = 0; s < 500; s++) jb.push(packet(s, 0));
    expect(jb.depth).toBeLessThanOrEqual(7);
    expect(jb.stats().overflow).toBeGreaterThan(0);
  });

  it('plays raw unicast frames in arrival order with the same delay', () => {
    const jb = buffer({ targetMs: 40 });
    jb.pushRaw(frame(7), 0);
    jb.pushRaw(frame(8), 20);
    jb.pushRaw(frame(9), 40);
    expect(play(jb, 4)).toEqual([7, 8, 9, 'c']);
  });

  it('loses no raw frame when the sender stalls longer than the delay: the late ones are delayed, not dropped', () => {
    const jb = buffer({ targetMs: 40 });
    const heard: (number | string)[] = [];
    let sent = 0;
    // 20 ms slots; the sender (FreeSWITCH's unicast, a generator) stalls for 100 ms at slot 10,
    // then sends what it owed at once.
    for (let slot = 0; slot < 40; slot++) {
      if (slot < 10 || slot >= 15) for (; sent <= slot; sent++) jb.pushRaw(frame(sent), slot * 20);
      heard.push(...play(jb, 1));
    }
    const audio = heard.filter((h): h is number => typeof h === 'number');
    expect(jb.stats().late).toBe(0);
    expect(audio).toEqual(Array.from({ length: audio.length }, (_, i) => i)); // in order, none skipped
    expect(audio.length).toBeGreaterThan(30);
    expect(heard.slice(10, 15)).toContain('c'); // the stall was concealed
  });

  it('copies what it is given and, in steady state, plays from storage it reuses', () => {
    const jb = buffer({ targetMs: 40 });
    const datagram = new Uint8Array(4);
    const played = new Set<Uint8Array>();
    const heard: number[] = [];
    for (let s = 0; s < 300; s++) {
      // One receive buffer for every packet: each is overwritten right after its push.
      datagram.fill(s & 0xff);
      jb.pushRaw(datagram, s * 20);
      const f = jb.pull();
      if (f.kind !== 'audio') continue;
      heard.push(f.payload[0]!);
      played.add(f.payload);
    }
    expect(heard).toEqual(Array.from({ length: heard.length }, (_, i) => i & 0xff));
    expect(heard.length).toBeGreaterThan(290);
    expect(played.size).toBeLessThanOrEqual(14);
  });

  it('fades L16 frames when concealing', () => {
    const last = new Uint8Array(new Int16Array([1000, -1000]).buffer);
    expect([...new Int16Array(pcm16Conceal(last, 1)!.buffer)]).toEqual([500, -500]);
    expect([...new Int16Array(pcm16Conceal(last, 2)!.buffer)]).toEqual([250, -250]);
    expect(pcm16Conceal(last, 3)).toBeUndefined();
  });
});

describe('JitterBuffer.readAhead', () => {
  it('hands out the frames that have arrived in order, early; the pulls of their slots say `early`', () => {
    const jb = buffer();
    for (const s of [1, 2, 3]) jb.push(packet(s, s * 20));
    expect(play(jb, 1)).toEqual([1]);
    expect(jb.readAhead()?.[0]).toBe(2);
    expect(jb.readAhead()?.[0]).toBe(3);
    expect(jb.readAhead()).toBeUndefined(); // 4 has not come
    expect(jb.ahead).toBe(2);
    expect([jb.pull().kind, jb.pull().kind]).toEqual(['early', 'early']);
    jb.push(packet(4, 80));
    expect(play(jb, 1)).toEqual([4]);
    expect(jb.stats()).toMatchObject({ received: 4, lost: 0, late: 0, concealed: 0, delayMs: 60 });
  });

  it('never reads across a gap or while buffering: a missing frame gets its slot and is lost as before', () => {
    const jb = buffer();
    expect(jb.readAhead()).toBeUndefined();
    for (const s of [1, 2, 4]) jb.push(packet(s, s * 20));
    expect(jb.readAhead()).toBeUndefined(); // still buffering (target 3 frames)
    expect(play(jb, 1)).toEqual([1]);
    expect(jb.readAhead()?.[0]).toBe(2);
    expect(jb.readAhead()).toBeUndefined(); // 3 is missing
    expect(jb.pull().kind).toBe('early'); // 2's slot
    expect(play(jb, 2)).toEqual(['c', 4]); // 3's slot: lost and concealed, then 4
    expect(jb.stats().lost).toBe(1);
  });

  it('plays the same frames with the same losses, delay and late packets as a buffer pulled once per slot', () => {
    // A network with jitter, loss, duplicates and reordering, played by two buffers: one pulled
    // once per 20 ms slot, one that also reads up to 4 frames ahead at each slot.
    let seed = 7;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const arrivals: { seq: number; at: number }[] = [];
    for (let seq = 0; seq < 1500; seq++) {
      if (random() < 0.02) continue;
      arrivals.push({ seq, at: seq * 20 + random() * (seq > 700 && seq < 800 ? 120 : 35) });
      if (random() < 0.01) arrivals.push({ seq, at: seq * 20 + 50 });
    }
    arrivals.sort((a, b) => a.at - b.at);
    const plain = buffer({ minMs: 40, targetMs: 100, maxMs: 300 });
    const ahead = buffer({ minMs: 40, targetMs: 100, maxMs: 300 });
    const heardPlain: number[] = [];
    const heardAhead: number[] = [];
    let next = 0;
    for (let slot = 0; slot < 1560; slot++) {
      const now = slot * 20;
      for (; next < arrivals.length && arrivals[next]!.at <= now; next++) {
        plain.push(packet(arrivals[next]!.seq, arrivals[next]!.at));
        ahead.push(packet(arrivals[next]!.seq, arrivals[next]!.at));
      }
      const p = plain.pull();
      if (p.kind === 'audio') heardPlain.push(p.payload[0]!);
      const a = ahead.pull();
      if (a.kind === 'audio') heardAhead.push(a.payload[0]!);
      if (a.kind !== 'early') for (let n = 1, f; n < 5 && (f = ahead.readAhead()); n++) heardAhead.push(f[0]!);
    }
    const { jitter: _a, jitterMs: _b, ...plainStats } = plain.stats();
    const { jitter: _c, jitterMs: _d, ...aheadStats } = ahead.stats();
    expect(aheadStats).toEqual(plainStats);
    // In the same order; frames the plain buffer dropped to shrink its delay had already gone out early.
    let i = 0;
    for (const b of heardAhead) if (b === heardPlain[i]) i++;
    expect(i).toBe(heardPlain.length);
    expect(heardAhead.length - heardPlain.length).toBeLessThan(10);
    expect(plainStats.late + plainStats.lost + plainStats.duplicate).toBeGreaterThan(0);
  });
});
