import { AsyncESLClient } from 'freeswitch-voice-ai';
import { CaptureRecorder, FreeSwitchSimulator, replayCapture } from 'freeswitch-voice-ai/testing';
import { expect, it } from 'vitest';

/** The code under test: what your service asks FreeSWITCH. */
async function callsUp(at: { host: string; port: number }): Promise<number | undefined> {
  const client = new AsyncESLClient({ host: at.host, port: at.port, password: 'test-secret', maxReconnectAttempts: 0 });
  await client.connect();
  const { sessions } = await client.status();
  await client.close();
  return sessions;
}

it('records a conversation with FreeSWITCH, then replays it byte for byte without one', async () => {
  // Recording: a proxy between your code and FreeSWITCH (here the simulator plays your switch).
  const sim = new FreeSwitchSimulator({ password: 'test-secret' });
  const recorder = new CaptureRecorder({ target: await sim.start() });
  const recorded = recorder.next();                               // the next conversation to end
  expect(await callsUp(await recorder.start())).toBe(0);
  const capture = await recorded;                                 // JSON-serialisable: keep it in test/fixtures
  await recorder.stop();
  await sim.stop();
  expect(capture.steps.map((s) => s.send).filter(Boolean)).toEqual(['auth test-secret\n\n', 'api status\n\n', 'exit\n\n']);

  // Replaying: the server answers what the recording says and closes on any byte that differs.
  const replay = await replayCapture(capture);
  expect(await callsUp(replay)).toBe(0);
  await replay.whenPlayed();
  expect(replay.mismatches).toEqual([]);
  await replay.stop();
});
