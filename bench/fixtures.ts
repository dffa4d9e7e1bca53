import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { FrameParser } from '../src/esl/frame-parser.js';

/** The recordings the tests use (`test/fixtures`). */
const FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'fixtures');

/** Every recorded `CHANNEL_*` event frame of one format, as exact bytes. */
export function recordedChannelEvents(format: 'plain' | 'json'): Buffer[] {
  const out: Buffer[] = [];
  const dir = join(FIXTURES, 'esl');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const steps = (JSON.parse(readFileSync(join(dir, file), 'utf8')) as { steps: { recv?: string }[] }).steps;
    for (const step of steps) {
      if (!step.recv) continue;
      const bytes = Buffer.from(step.recv);
      let offset = 0;
      new FrameParser((f) => {
        const size = bytes.indexOf('\n\n', offset) + 2 - offset + (f.body?.length ?? 0);
        const frame = bytes.subarray(offset, offset + size);
        offset += size;
        if (f.contentType === `text/event-${format}` && /(Event-Name": ?"|Event-Name: )CHANNEL_/.test(f.body!.toString('utf8', 0, 40))) out.push(frame);
      }).push(bytes);
    }
  }
  return out;
}

/** `count` events cycling through the recorded ones, as one stream. */
export function eventStream(format: 'plain' | 'json', count: number): { bytes: Buffer; names: string[] } {
  const events = recordedChannelEvents(format);
  const parts: Buffer[] = [];
  for (let i = 0; i < count; i++) parts.push(events[i % events.length]!);
  const names = [...new Set(events.map((e) => /Event-Name"?: ?"?([A-Z_]+)/.exec(e.toString())![1]!))];
  return { bytes: Buffer.concat(parts), names };
}

/** Median of numbers. */
export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** The `q` quantile of numbers (0.5: the median; `NaN` for none). */
export function percentile(values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
}

/** Formats a number with thousands separators. */
export function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** Runs `run` when the file is executed directly (not imported by `bench/run.ts`), then exits. */
export function runIfMain(moduleUrl: string, run: () => Promise<unknown>): void {
  if (moduleUrl !== pathToFileURL(process.argv[1] ?? '').href) return;
  run().then(
    () => process.exit(0),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
