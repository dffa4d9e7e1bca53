import { afterEach, describe, expect, it } from 'vitest';
import { AsyncESLClient } from '../../src/esl/client.js';
import { createOutboundServer, type OutboundServer } from '../../src/esl/outbound-server.js';
import { CaptureRecorder, FreeSwitchSimulator, replayCapture, type CaptureReplayServer } from '../../src/testing/index.js';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function simulator(): Promise<FreeSwitchSimulator> {
  const sim = new FreeSwitchSimulator({ password: 'ClueCon' });
  await sim.start();
  cleanup.push(() => sim.stop());
  return sim;
}

/** What an application does, and what it saw, so a recording and its replay can be compared. */
async function scenario(port: number): Promise<string[]> {
  const client = new AsyncESLClient({ host: '127.0.0.1', port, password: 'ClueCon', maxReconnectAttempts: 0 });
  await client.connect();
  const seen: string[] = [];
  seen.push((await client.api('uuid_exists 00000000-0000-0000-0000-000000000000')).text);
  seen.push((await client.api('global_getvar hostname')).text);
  seen.push((await client.send('bogus_command\n\n')).text);
  await client.close();
  return seen;
}

describe('CaptureRecorder', () => {
  it('records an inbound conversation that replays byte for byte to the same application', async () => {
    const sim = await simulator();
    const recorder = new CaptureRecorder({ target: { host: '127.0.0.1', port: sim.port }, description: 'three commands' });
    const { port } = await recorder.start();
    cleanup.push(() => recorder.stop());

    const recorded = recorder.next();
    const live = await scenario(port);
    const capture = await recorded;

    expect(capture.description).toBe('three commands');
    expect(capture.steps[0]).toEqual({ recv: 'Content-Type: auth/request\n\n', frames: 1 });
    expect(capture.steps[1]).toEqual({ send: 'auth ClueCon\n\n' });
    expect(capture.steps.filter((s) => s.send !== undefined).map((s) => s.send!.split('\n')[0])).toEqual([
      'auth ClueCon',
      'api uuid_exists 00000000-0000-0000-0000-000000000000',
      'api global_getvar hostname',
      'bogus_command',
      'exit',
    ]);
    for (const step of capture.steps.filter((s) => s.recv !== undefined)) expect(step.frames).toBeGreaterThan(0);

    const replay: CaptureReplayServer = await replayCapture(capture);
    cleanup.push(() => replay.stop());
    expect(await scenario(replay.port)).toEqual(live);
    expect(replay.mismatches).toEqual([]);
  });

  it('keeps a frame split across chunks whole, in the recv step after the next send', async () => {
    const { createServer } = await import('node:net');
    // A peer that writes half a frame, waits for the client's command, then the rest.
    const server = createServer((socket) => {
      socket.write('Content-Type: auth/request\n\nContent-Type: command/re');
      socket.once('data', () => socket.end('ply\nReply-Text: +OK accepted\n\n'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise((resolve) => server.close(resolve)));
    const recorder = new CaptureRecorder({ target: { host: '127.0.0.1', port: (server.address() as { port: number }).port } });
    const { port } = await recorder.start();
    cleanup.push(() => recorder.stop());
    const { connect } = await import('node:net');
    const recorded = recorder.next();
    const socket = connect(port, '127.0.0.1');
    socket.once('data', () => socket.write('auth ClueCon\n\n'));
    socket.resume();
    expect((await recorded).steps).toEqual([
      { recv: 'Content-Type: auth/request\n\n', frames: 1 },
      { send: 'auth ClueCon\n\n' },
      { recv: 'Content-Type: command/reply\nReply-Text: +OK accepted\n\n', frames: 1, closedAfter: true },
    ]);
    socket.destroy();
  });

  it('records the outbound socket: FreeSWITCH connects through it to the application', async () => {
    const sim = await simulator();
    let server: OutboundServer | undefined;
    const ended = new Promise<void>((resolve) => {
      server = createOutboundServer({ host: '127.0.0.1', port: 0 }, async (call) => {
        await call.hangup('NORMAL_CLEARING');
        call.once('end', () => resolve());
      });
    });
    const { port: appPort } = await server!.listen();
    cleanup.push(() => server!.close());
    const recorder = new CaptureRecorder({ target: { host: '127.0.0.1', port: appPort }, freeswitch: 'client' });
    const { port } = await recorder.start();
    cleanup.push(() => recorder.stop());

    const recorded = recorder.next();
    sim.callSocket({ port });
    await ended;
    const capture = await recorded;
    expect(capture.steps[0]!.send).toBe('connect\n\n');
    expect(capture.steps[1]!.recv).toMatch(/^Event-Name: CHANNEL_DATA\n[\s\S]*Content-Type: command\/reply\n[\s\S]*Socket-Mode: async\nControl: full\n\n$/);
    expect(capture.steps.some((s) => s.send?.startsWith('sendmsg') && s.send.includes('hangup-cause: NORMAL_CLEARING'))).toBe(true);
    expect(capture.steps.some((s) => s.recv?.includes('Content-Disposition: linger'))).toBe(true);
  });
});
