import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EnergyVad, levelDb } from '../../src/realtime/providers/energy-vad.js';
import { toneSpeech } from '../../src/realtime/providers/scripted.js';
import { FIXTURES_DIR } from '../helpers/fixtures.js';
import { readWav } from '../helpers/wav.js';

function frames(samples: Int16Array): Int16Array[] {
  return Array.from({ length: Math.floor(samples.length / 160) }, (_, i) => samples.subarray(i * 160, i * 160 + 160));
}

describe('EnergyVad', () => {
  it('needs startMs of speech to start and hangoverMs of silence to stop', () => {
    const vad = new EnergyVad({ thresholdDb: -40, startMs: 60, hangoverMs: 100 });
    const loud = Int16Array.from({ length: 160 }, (_, i) => Math.round(5000 * Math.sin(i / 3)));
    const quiet = new Int16Array(160);
    const seq = [loud, quiet, loud, loud, loud, quiet, quiet, loud, quiet, quiet, quiet, quiet, quiet].map((f) => vad.push(f));
    expect(seq).toEqual([undefined, undefined, undefined, undefined, 'start', undefined, undefined, undefined, undefined, undefined, undefined, undefined, 'stop']);
    expect(levelDb(quiet)).toBe(-Infinity);
  });

  it('finds the utterance in a recorded caller', () => {
    const { samples } = readWav(join(FIXTURES_DIR, 'audio', 'caller-en-8k.wav'));
    const vad = new EnergyVad();
    const changes = frames(samples).map((f, i) => [i * 20, vad.push(f)] as const).filter(([, c]) => c);
    expect(changes[0]?.[1]).toBe('start');
    expect(changes.filter(([, c]) => c === 'start').length).toBeGreaterThanOrEqual(1);
    expect(changes.length).toBeLessThan(20);
  });

  it('tone speech is deterministic and sized by the text', () => {
    expect(toneSpeech('hello')).toEqual(toneSpeech('hello'));
    expect(toneSpeech('a'.repeat(40), 50).length).toBe(2000 * 8);
    expect(toneSpeech('a'.repeat(400), 50, 3000).length).toBe(3000 * 8);
  });
});
