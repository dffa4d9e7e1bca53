import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CHILD = fileURLToPath(new URL('./children/replay-stop.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface ChildRun {
  code: number | null;
  steps: { step: string; outcome?: string; before?: string[]; after?: string[] }[];
  /** Ms from the `stopped` line to the process's `exit` event. */
  exitAfterStopMs: number;
  stderr: string;
}

function runChild(): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
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

describe('CaptureReplayServer.stop() leaves nothing behind', () => {
  it('closes every connection and the listening socket, ends a waiting whenPlayed at once; the process exits', async () => {
    const run = await runChild();
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.steps.map((s) => s.step)).toEqual(['stopped', 'waiter']);
    const stopped = run.steps[0]!;
    // Before the fix: whenPlayed's 20 s timer outlived the server (a `Timeout` left), and its
    // promise stayed pending until it fired.
    expect(stopped.outcome).toBe('rejected: the replay server stopped before a connection played the recording to its end');
    expect(stopped.after).toEqual(stopped.before);
    expect(run.exitAfterStopMs).toBeLessThan(2000);
  }, 30_000);
});
