import { describe, expect, it } from 'vitest';
import { ByteAligner } from '../../src/media/byte-aligner.js';

describe('ByteAligner', () => {
  it('gives whole units of a stream cut anywhere, carrying the rest to the next chunk', () => {
    const samples = new ByteAligner(2);
    const whole = Uint8Array.from([1, 2, 3, 4]);
    expect(samples.push(whole)).toBe(whole); // nothing carried, nothing cut: the chunk itself
    expect([...samples.push(Uint8Array.from([5, 6, 7]))]).toEqual([5, 6]);
    expect([...samples.push(Uint8Array.from([8]))]).toEqual([7, 8]);
    expect([...samples.push(Uint8Array.from([9]))]).toEqual([]);
    samples.reset(); // barge-in: the half sample is dropped
    expect([...samples.push(Uint8Array.from([10, 11]))]).toEqual([10, 11]);
  });

  it('frames: several units at once, a remainder longer than one chunk', () => {
    const frames = new ByteAligner(4);
    expect(frames.push(new Uint8Array(3)).length).toBe(0);
    expect(frames.push(new Uint8Array(3)).length).toBe(4);
    expect(frames.push(new Uint8Array(10)).length).toBe(12);
  });
});
