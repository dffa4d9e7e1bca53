import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MediaError } from '../../src/errors.js';
import { ulawDecode } from '../../src/media/g711.js';
import { wavFile, wavSamples } from '../../src/testing/index.js';
import { FIXTURES_DIR } from '../helpers/fixtures.js';
import { db, power, tone } from '../helpers/signal.js';
import { readWav } from '../helpers/wav.js';

const dir = mkdtempSync(join(tmpdir(), 'wav-samples-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, bytes: Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

describe('wavSamples', () => {
  it('reads a recorded 8 kHz PCM caller as it is', () => {
    const path = join(FIXTURES_DIR, 'audio', 'caller-en-8k.wav');
    expect(wavSamples(path)).toEqual(readWav(path).samples);
  });

  it('decodes a µ-law recording', () => {
    const path = join(FIXTURES_DIR, 'audio', 'caller-pt-ulaw.wav');
    const { bytes, format } = readWav(path);
    expect(format).toBe(7);
    expect(wavSamples(path)).toEqual(ulawDecode(bytes));
  });

  it('takes the first channel of a stereo 16 kHz file and resamples it to 8 kHz, in place in time', () => {
    const left = new Int16Array(16000);
    left.set(tone(400, 16000, 0.5), 8000); // silence for 0.5 s, then 0.5 s of 400 Hz
    const right = tone(1000, 16000, 1);
    const samples = wavSamples(file('stereo16k.wav', wavFile([left, right], 16000)));
    expect(samples.length).toBe(8000);
    const first = samples.subarray(0, 3900);
    const second = samples.subarray(4100);
    expect(Math.max(...first.map(Math.abs))).toBeLessThan(200); // still silent until 0.5 s
    const onset = samples.findIndex((x) => Math.abs(x) > 2000);
    expect(Math.abs(onset - 4000)).toBeLessThanOrEqual(3); // the filter's delay (13 samples here) taken off
    expect(db(power(second, 400, 8000) / power(second, 1000, 8000))).toBeGreaterThan(40); // the left channel's tone, not the right's
  });

  it('gives 16 kHz when asked, from an 8 kHz file', () => {
    const samples = wavSamples(file('mono8k.wav', wavFile([tone(300, 8000, 1)])), 16000);
    expect(samples.length).toBe(16000);
    expect(db(power(samples, 300, 16000) / power(samples, 1000, 16000))).toBeGreaterThan(40);
  });

  it('refuses what it cannot read with a MediaError naming the file', () => {
    const notWav = file('text.wav', Buffer.from('hello, not a wav file'));
    expect(() => wavSamples(notWav)).toThrow(MediaError);
    expect(() => wavSamples(notWav)).toThrow(/text\.wav: not a RIFF\/WAVE file/);
    const odd = wavFile([tone(300, 8000, 0.1)]);
    odd.writeUInt32LE(22050, 24);
    expect(() => wavSamples(file('22050.wav', odd))).toThrow(/22050 Hz; expected 8000, 16000, 24000 or 48000/);
    const eightBit = Buffer.from(wavFile([tone(300, 8000, 0.1)]));
    eightBit.writeUInt16LE(8, 34);
    expect(() => wavSamples(file('8bit.wav', eightBit))).toThrow(/format 1 with 8-bit samples/);
    const noData = readFileSync(join(FIXTURES_DIR, 'audio', 'caller-en-8k.wav')).subarray(0, 36);
    expect(() => wavSamples(file('nodata.wav', noData))).toThrow(/no data chunk/);
  });
});
