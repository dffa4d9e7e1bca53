import { type Socket, connect } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FrameParser } from '../../src/esl/frame-parser.js';
import { FreeSwitchSimulator } from '../../src/testing/index.js';
import { loadCapture } from '../helpers/fixtures.js';

/** A raw connection that returns each frame's exact bytes. */
class RawClient {
  private frames: string[] = [];
  private waiters: (() => void)[] = [];
  closed = false;
  constructor(readonly socket: Socket) {
    const parser = new FrameParser((f) => {
      this.frames.push(`${f.raw.toString()}\n\n${f.body?.toString() ?? ''}`);
      for (const w of this.waiters.splice(0)) w();
    });
    socket.on('data', (c: Buffer) => parser.push(c));
    socket.on('close', () => {
      this.closed = true;
      for (const w of this.waiters.splice(0)) w();
    });
  }
  async next(n = 1): Promise<string> {
    while (this.frames.length < n && !this.closed) await new Promise<void>((r) => this.waiters.push(r));
    return this.frames.splice(0, n).join('');
  }
}

let sim: FreeSwitchSimulator;
let raw: RawClient;

beforeEach(async () => {
  sim = new FreeSwitchSimulator();
  const { port } = await sim.start();
  const socket = connect(port, '127.0.0.1');
  raw = new RawClient(socket);
});

afterEach(async () => {
  raw.socket.destroy();
  await sim.stop();
});

/** The first `frames` frames FreeSWITCH answered to `send` in a capture. */
function recorded(capture: string, send: string): { recv: string; frames: number } {
  const steps = loadCapture(capture).steps;
  const i = steps.findIndex((s) => s.send === send);
  if (i === -1) throw new Error(`no such send in ${capture}: ${send}`);
  const next = steps[i + 1]!;
  return { recv: next.recv!, frames: next.frames! };
}

describe('the simulator answers recorded commands with the recorded bytes', () => {
  const session = 'inbound-session';

  it('auth/request on accept and +OK accepted', async () => {
    expect(await raw.next()).toBe(loadCapture(session).steps[0]!.recv);
    raw.socket.write('auth ClueCon\n\n');
    expect(await raw.next()).toBe(recorded(session, 'auth ClueCon\n\n').recv);
  });

  it.each([
    'api uuid_exists 00000000-0000-0000-0000-000000000000\n\n',
    'api no_such_command\n\n',
    'api show channels as json\n\n',
    'event plain CHANNEL_CREATE CHANNEL_ANSWER CHANNEL_HANGUP CHANNEL_HANGUP_COMPLETE CHANNEL_EXECUTE CHANNEL_EXECUTE_COMPLETE CHANNEL_PARK BACKGROUND_JOB CUSTOM voiceai::test\n\n',
    'noevents\n\n',
    'event json CHANNEL_CREATE CHANNEL_ANSWER CHANNEL_HANGUP_COMPLETE BACKGROUND_JOB\n\n',
    'event xml CHANNEL_CREATE CHANNEL_HANGUP\n\n',
    'filter Unique-ID 15a66b70-9789-4f0d-9e7c-de97bbe8eac6\n\n',
    'filter delete Unique-ID 15a66b70-9789-4f0d-9e7c-de97bbe8eac6\n\n',
    'api originate loopback/7777/nosuchcontext &park()\n\n',
    'api originate error/USER_BUSY &park()\n\n',
    'log 7\n\n',
    'nolog\n\n',
  ])('%j', async (send) => {
    await raw.next();
    raw.socket.write('auth ClueCon\n\n');
    await raw.next();
    raw.socket.write(send);
    const { recv } = recorded(session, send);
    // Replies only: the recorded step may go on with events from live channels.
    const firstFrame = recv.slice(0, recv.indexOf('\n\n') + 2 + (Number(/^Content-Length: (\d+)/m.exec(recv.slice(0, recv.indexOf('\n\n')))?.[1] ?? 0)));
    expect(await raw.next()).toBe(firstFrame);
  });

  it('inbound-extras: empty api, unknown command, unset variable, eval', async () => {
    await raw.next();
    raw.socket.write('auth ClueCon\n\n');
    await raw.next();
    for (const send of ['api\n\n', 'bogus_command here\n\n', 'api eval ${no_such_global}\n\n', 'api uuid_getvar 00000000-0000-0000-0000-000000000000 x\n\n']) {
      raw.socket.write(send);
      expect(await raw.next()).toBe(recorded('inbound-extras', send).recv);
    }
  });

  it('exit: +OK bye, the disconnect notice, and the socket closes', async () => {
    await raw.next();
    raw.socket.write('auth ClueCon\n\nexit\n\n');
    await raw.next();
    const { recv, frames } = recorded(session, 'exit\n\n');
    expect(await raw.next(frames)).toBe(recv);
    await raw.next();
    expect(raw.closed).toBe(true);
  });

  it('a wrong password: -ERR invalid, the disconnect notice, close (inbound-auth-failure)', async () => {
    await raw.next();
    raw.socket.write('auth not-the-password\n\n');
    const { recv, frames } = recorded('inbound-auth-failure', 'auth not-the-password\n\n');
    expect(await raw.next(frames)).toBe(recv);
  });
});
