import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** What a child script that prints one JSON step per line did. */
export interface StepChildRun {
  code: number | null;
  steps: { step: string; outcome?: string; before?: string[]; after?: string[] }[];
  /** Ms from the `stopped` line to the process's `exit` event. */
  exitAfterStopMs: number;
  stderr: string;
}

/**
 * Runs a TypeScript child script that prints one JSON step per line (`{ "step": ... }`) and
 * measures from its `stopped` step (an event) to its `exit` event: how long anything it left
 * behind kept the process alive.
 */
export function runStepChild(script: string, env: Record<string, string> = {}): Promise<StepChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const steps: StepChildRun['steps'] = [];
    let stoppedAt: number | undefined;
    let out = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      for (let nl = out.indexOf('\n'); nl !== -1; nl = out.indexOf('\n')) {
        const step = JSON.parse(out.slice(0, nl)) as StepChildRun['steps'][number];
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
