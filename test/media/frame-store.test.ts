import { describe, expect, it } from 'vitest';
import { FrameStore } from '../../src/media/frame-store.js';

const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);

/** Shifts everything out: [seq, first byte] in order. */
function drain(store: FrameStore): [number, number][] {
  const out: [number, number][] = [];
  while (store.size > 0) {
    const seq = store.oldest;
    out.push([seq, store.shift()[0]!]);
  }
  return out;
}

describe('FrameStore', () => {
  it('keeps frames oldest first whatever order they come in', () => {
    const store = new FrameStore(8);
    for (const s of [5, 7, 6, 9, 8]) store.insert(s, bytes(s));
    expect(store.oldest).toBe(5);
    expect(store.has(8)).toBe(true);
    expect(store.has(4)).toBe(false);
    expect(store.has(10)).toBe(false);
    expect(drain(store)).toEqual([[5, 5], [6, 6], [7, 7], [8, 8], [9, 9]]);
    expect(store.oldest).toBe(Infinity);
  });

  it('copies frames in: the caller may reuse its buffer', () => {
    const store = new FrameStore(4);
    const datagram = bytes(1, 2, 3);
    store.insert(1, datagram);
    datagram.fill(0);
    expect([...store.shift()]).toEqual([1, 2, 3]);
  });

  it('reuses its buffers in steady state, and the spare given back on shift', () => {
    const store = new FrameStore(4);
    const seen = new Set<Uint8Array>();
    let last: Uint8Array | undefined;
    for (let s = 0; s < 200; s++) {
      store.insert(s, bytes(s & 0xff, 0));
      if (store.size > 2) {
        last = store.shift(last);
        seen.add(last);
      }
    }
    // Ring slots plus the one held outside: no allocation per frame.
    expect(seen.size).toBeLessThanOrEqual(5);
  });

  it('grows past its capacity without losing order, and wraps around its ring', () => {
    const store = new FrameStore(3);
    for (let s = 0; s < 2; s++) store.insert(s, bytes(s));
    store.shift();
    store.shift();
    // The ring's head is now mid-array; ten frames make it grow twice.
    for (const s of [12, 10, 11, 15, 13, 14, 19, 16, 18, 17]) store.insert(s, bytes(s));
    expect(drain(store).map(([s]) => s)).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
  });

  it('drops the oldest and clears', () => {
    const store = new FrameStore(4);
    for (const s of [3, 1, 2]) store.insert(s, bytes(s));
    store.dropOldest();
    expect(store.oldest).toBe(2);
    store.clear();
    expect(store.size).toBe(0);
    store.dropOldest();
    expect(store.size).toBe(0);
    store.insert(7, bytes(7, 7));
    expect([...store.shift()]).toEqual([7, 7]);
  });
});
