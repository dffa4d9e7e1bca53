import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runStepChild } from '../helpers/step-child.js';
import { freeUdpRange } from '../helpers/udp.js';

const CHILD = fileURLToPath(new URL('./children/one-call.ts', import.meta.url));

describe('FreeSwitchSimulator.stop() leaves nothing behind', () => {
  it('after a full call (the application closes the lingering socket first), no handle is left and the process exits at once', async () => {
    const run = await runStepChild(CHILD, { MEDIA_PORT: String(await freeUdpRange(2)) });
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
    const run = await runStepChild(CHILD, { SCENARIO: 'dialing' });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const stopped = run.steps.find((s) => s.step === 'stopped')!;
    expect(stopped.after).toEqual(stopped.before);
    expect(run.exitAfterStopMs).toBeLessThan(2000);
  }, 30_000);
});
