import { describe, expect, it } from 'vitest';
import type { AnswerFileWriter } from '../../src/media/answer-file-writers.js';
import { FileAnswerPlayer, type PlaybackControl } from '../../src/media/file-answer.js';

/** Writes resolve when the test says so; FreeSWITCH's playout is driven by the test too. */
class Fake implements AnswerFileWriter, PlaybackControl {
  readonly writes: { bytes: number; resolve: (path: string) => void; reject: (e: Error) => void }[] = [];
  readonly played: string[] = [];
  readonly released: string[] = [];
  stops = 0;
  private listener: ((path: string, phase: 'start' | 'stop') => void) | undefined;
  write(pcm: Uint8Array): Promise<string> {
    return new Promise((resolve, reject) => this.writes.push({ bytes: pcm.length, resolve, reject }));
  }
  release(path: string): void {
    this.released.push(path);
  }
  close(): void {}
  play(path: string): Promise<void> {
    this.played.push(path);
    return Promise.resolve();
  }
  stopAll(): Promise<void> {
    this.stops++;
    return Promise.resolve();
  }
  watch(listener: (path: string, phase: 'start' | 'stop') => void): () => void {
    this.listener = listener;
    return () => (this.listener = undefined);
  }
  event(path: string, phase: 'start' | 'stop'): void {
    this.listener?.(path, phase);
  }
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));
const ms = (n: number): Uint8Array => new Uint8Array(n * 16); // 8 kHz PCM16: 16 bytes per ms

function player(now = { t: 0 }): { p: FileAnswerPlayer; f: Fake; now: { t: number } } {
  const f = new Fake();
  const p = new FileAnswerPlayer({ sampleRate: 8000, writer: f, control: f, minChunkMs: 200, chunkMs: 1000, lowWaterMs: 400, now: () => now.t });
  return { p, f, now };
}

describe('FileAnswerPlayer', () => {
  it('cuts a short first file, then longer ones, and plays them in order even when written out of order', async () => {
    const { p, f } = player();
    p.write(ms(150));
    expect(f.writes).toHaveLength(0);
    p.write(ms(100)); // 250 ms pending, nothing queued: the first file goes
    expect(f.writes.map((w) => w.bytes)).toEqual([ms(250).length]);
    p.write(ms(300)); // 300 ms pending, 250 in flight (< low water): a second file
    p.write(ms(2500));
    expect(f.writes.map((w) => w.bytes / 16)).toEqual([250, 300, 1000, 1000]);
    expect(p.queuedMs).toBe(3050);
    f.writes[1]!.resolve('/b');
    await tick();
    expect(f.played).toEqual([]); // waits for the first
    f.writes[0]!.resolve('/a');
    await tick();
    expect(f.played).toEqual(['/a', '/b']);
  });

  it('accounts playout from FreeSWITCH\'s events: talkspurtStart, playedMs, queuedMs, drained', async () => {
    const { p, f, now } = player();
    const seen: string[] = [];
    p.on('talkspurtStart', () => seen.push('start'));
    p.on('drained', () => seen.push('drained'));
    p.write(ms(600));
    p.end();
    f.writes[0]!.resolve('/a');
    await tick();
    f.event('/a', 'start');
    now.t = 250;
    expect([p.playedMs, p.queuedMs]).toEqual([250, 350]);
    now.t = 700;
    expect(p.playedMs).toBe(600);
    f.event('/a', 'stop');
    expect(seen).toEqual(['start', 'drained']);
    expect([p.playedMs, p.queuedMs]).toEqual([600, 0]);
    expect(f.released).toEqual(['/a']);
  });

  it('barge-in: says what it drops, stops FreeSWITCH once, ignores the late events of dropped files', async () => {
    const { p, f, now } = player();
    p.write(ms(1200));
    f.writes[0]!.resolve('/a');
    await tick();
    f.event('/a', 'start');
    now.t = 300;
    expect(p.flush()).toEqual({ droppedMs: 900 });
    expect(f.stops).toBe(1);
    expect(p.queuedMs).toBe(0);
    expect(p.playedMs).toBe(0);
    f.event('/a', 'stop'); // the break's completion
    expect(p.stats()).toMatchObject({ filesCancelled: 1, filesPlayed: 0, flushes: 1 });
    // Nothing in FreeSWITCH: no uuid_break.
    p.flush();
    expect(f.stops).toBe(1);
  });

  it('a file that cannot be written is reported and skipped; the next ones play', async () => {
    const { p, f } = player();
    const errors: Error[] = [];
    p.on('error', (e) => errors.push(e));
    p.write(ms(1000));
    p.write(ms(1000));
    f.writes[0]!.reject(new Error('disk full'));
    f.writes[1]!.resolve('/b');
    await tick();
    expect(errors.map((e) => e.message)).toEqual(['disk full']);
    expect(f.played).toEqual(['/b']);
    expect(p.stats()).toMatchObject({ files: 2, filesFailed: 1 });
  });

  it('the queue is bounded: beyond maxQueueMs the newest audio is dropped and counted', () => {
    const f = new Fake();
    const p = new FileAnswerPlayer({ sampleRate: 8000, writer: f, control: f, maxQueueMs: 1000, now: () => 0 });
    p.write(ms(800));
    p.write(ms(800));
    expect(p.queuedMs).toBe(1000);
    expect(p.stats().bytesDropped).toBe(ms(600).length);
  });
});
