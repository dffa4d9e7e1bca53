import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

/** Runs `freeswitch-voice-ai demo` as `npm run demo` does, in a child process; never killed: it must exit by itself. */
function runDemo(outDir: string): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/bin.ts', 'demo', '--out', outDir], {
    cwd: ROOT,
    env: { ...process.env, TSX_TSCONFIG_PATH: 'tsconfig.test.json', FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => (stdout += c));
  child.stderr.on('data', (c) => (stderr += c));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr, ms: performance.now() - started })));
}

/** Seconds of a WAV channel louder than -30 dBFS, 20 ms at a time. */
function activeSeconds(wav: Buffer, channel: number): number {
  const channels = wav.readUInt16LE(22);
  const samples = (wav.length - 44) / 2 / channels;
  let active = 0;
  for (let frame = 0; frame + 160 <= samples; frame += 160) {
    let peak = 0;
    for (let i = frame; i < frame + 160; i++) peak = Math.max(peak, Math.abs(wav.readInt16LE(44 + 2 * (i * channels + channel))));
    if (peak > 1000) active += 0.02;
  }
  return active;
}

describe('npm run demo', () => {
  it('runs the secretary end to end — a warm transfer and a message after hours — prints it, writes the audio, and exits 0 by itself in under 30 s', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'voice-ai-demo-'));
    try {
      const r = await runDemo(outDir);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.ms).toBeLessThan(30_000);
      const lines = r.stdout.split('\n');
      const find = (re: RegExp): string | undefined => lines.find((l) => re.test(l));
      const at = (re: RegExp): number => Number(/^\s*([\d.]+)s/.exec(find(re) ?? '')?.[1] ?? NaN);
      // Call 1: greeted, asks for Maria, on hold while her phone rings, she is briefed and accepts, bridged.
      expect(find(/call 1 +secretary +Good morning, ACME, this is Ana/)).toBeDefined();
      expect(find(/call 1 +caller +Hi, this is John Doe\. Could I speak to Maria in sales/)).toBeDefined();
      expect(find(/switch +originate user\/1001@acme\.example\.com → socket 127\.0\.0\.1:\d+ async full/)).toBeDefined();
      expect(find(/call 1> Ana→Maria +Hi Maria, this is Ana\. John Doe is on the line about an invoice/)).toBeDefined();
      expect(find(/call 1> Maria +Yes, put him through\./)).toBeDefined();
      expect(find(/switch +uuid_bridge [0-9a-f-]{36} [0-9a-f-]{36}/)).toBeDefined();
      expect(at(/switch +originate/)).toBeLessThan(at(/Ana→Maria +Hi Maria/));
      expect(at(/Ana→Maria +Hi Maria/)).toBeLessThan(at(/uuid_bridge/));
      // Call 2: closed, takes the message, hangs up.
      expect(find(/call 2 +secretary +Globex Corporation.*closed right now/)).toBeDefined();
      expect(find(/call 2 +tool +take_message\(.*"for":"Hank".*→ \{"saved":true,"for":"Hank Scorpio","callback_number":"13105550142"\}/)).toBeDefined();
      expect(find(/call 2 +tool +hangup_call/)).toBeDefined();
      // The records.
      expect(find(/^call 1: transferred\. John Doe \(5511988887777\) called ACME; asked for Maria in sales; was introduced and transferred to Maria Silva \(sales\), 1001\./)).toBeDefined();
      expect(find(/^call 2: message\. Marge \(13105550142\) called Globex; left a high message for Hank Scorpio/)).toBeDefined();
      expect(lines.filter((l) => /answer latencies \(caller stops → first audio\): \d+ ms/.test(l))).toHaveLength(2);
      expect(find(/^demo finished in [\d.]+ s$/)).toBeDefined();
      // The audio: stereo 8 kHz WAV files with both sides speaking.
      expect(readdirSync(outDir).sort()).toEqual(['call-1-briefing-maria.wav', 'call-1-john-and-the-secretary.wav', 'call-2-marge-leaves-a-message.wav']);
      for (const name of readdirSync(outDir)) {
        const wav = readFileSync(join(outDir, name));
        expect(wav.toString('ascii', 0, 4)).toBe('RIFF');
        expect([wav.readUInt16LE(22), wav.readUInt32LE(24), wav.readUInt16LE(34)]).toEqual([2, 8000, 16]);
        expect(activeSeconds(wav, 0), `${name}: the caller`).toBeGreaterThan(0.4);
        expect(activeSeconds(wav, 1), `${name}: the secretary`).toBeGreaterThan(1);
      }
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  }, 60_000);
});
