import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runStepChild } from '../helpers/step-child.js';

const CHILD = fileURLToPath(new URL('./children/replay-stop.ts', import.meta.url));

describe('CaptureReplayServer.stop() leaves nothing behind', () => {
  it('closes every connection and the listening socket, ends a waiting whenPlayed at once; the process exits', async () => {
    const run = await runStepChild(CHILD);
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
