import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { freeUdpRange } from '../helpers/udp.js';

const CHILD = fileURLToPath(new URL('./children/one-call.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface ChildRun {
  code: number | null;
  steps: { step: string; before?: string[]; after?: string[] }[];
  /** Ms from the `stopped` line to the process's `exit` event. */
  exitAfterStopMs: number;
  stderr: string;
}

/** Runs the child script; measures from its `stopped` line (an event) to its `exit` event. */
function runChild(env: Record<string, string>): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const steps: ChildRun['steps'] = [];
    let stoppedAt: number | undefined;
    let out = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      for (let nl = out.indexOf('\n'); nl !== -1; nl = out.indexOf('\n')) {
        const step = JSON.parse(out.slice(0, nl)) as ChildRun['steps'][number];
        out = out.slice(nl + 1);
        steps.push(step);
        if (step.step === 'stopped') stoppedAt = performance.now();
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, steps, exitAfterStopMs: stoppedAt === undefined ? Infinity : performance.now() - stoppedAt, stderr }));
  });
}

describe('FreeSwitchSimulator.stop() leaves nothing behind', () => {
  it('after a full call (the application closes the lingering socket first), no handle is left and the process exits at once', async () => {
    const run = await runChild({ MEDIA_PORT: String(await freeUdpRange(2)) });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.steps.map((s) => s.step)).toEqual(['call-ended', 'stopped']);
    const stopped = run.steps[1]!;
    // Before the fix: a 25 s first-command timer and a 10 s linger timer survived the socket.
    expect(stopped.after).toEqual(stopped.before);
    // Far under the 10 s and 25 s timers FreeSWITCH's socket code arms.
    expect(run.exitAfterStopMs).toBeLessThan(2000);
  }, 30_000);

  it('stop() while the socket application is still connecting destroys that socket', async () => {
    const run = await runChild({ SCENARIO: 'dialing' });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const stopped = run.steps.find((s) => s.step === 'stopped')!;
    expect(stopped.after).toEqual(stopped.before);
    expect(run.exitAfterStopMs).toBeLessThan(2000);
  }, 30_000);
});
