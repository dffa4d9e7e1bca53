/**
 * A child process for the replay server's shutdown test: a client in the middle of a recorded
 * conversation, another that played a whole recording (the server closed it), a `whenPlayed`
 * still waiting, then `stop()`. It prints one JSON line per step; the last,
 * `{"step":"stopped","before":[...],"after":[...],"outcome":...}`, lists the active resources
 * before the server existed and once it stopped, and what became of the waiting `whenPlayed`.
 * Nothing should keep the process alive after that line.
 */
import { once } from 'node:events';
import { connect } from 'node:net';
import { replayCapture } from '../../../src/testing/index.js';
import { loadCapture } from '../../helpers/fixtures.js';

const say = (step: string, extra: Record<string, unknown> = {}): void => {
  process.stdout.write(`${JSON.stringify({ step, ...extra })}\n`);
};

/** Active handles and requests by type (what keeps the event loop alive), stdio left out. */
const resources = (): string[] => process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap' && r !== 'PipeWrap').sort();

/** A client that writes `sends` one by one, each once the bytes before it came back. */
async function client(port: number, sends: string[]): Promise<{ closed: Promise<unknown> }> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  const closed = once(socket, 'close');
  await once(socket, 'connect');
  await once(socket, 'data');
  for (const text of sends) {
    socket.write(text);
    await once(socket, 'data');
  }
  return { closed };
}

const before = resources();
const session = await replayCapture(loadCapture('inbound-session'));
const failure = await replayCapture(loadCapture('inbound-auth-failure'));
// The auth failure plays to its end (the server closes that socket); the session stays mid-way.
const done = await client(failure.port, ['auth not-the-password\n\n']);
await failure.whenPlayed();
await done.closed;
const midway = await client(session.port, ['auth ClueCon\n\n']);
let outcome = 'pending';
const waiting = session.whenPlayed(20_000).then(
  () => (outcome = 'played'),
  (error: unknown) => (outcome = `rejected: ${(error as Error).message}`),
);
await Promise.all([session.stop(), failure.stop()]);
await midway.closed;
// Handles closed during stop() are released in the loop's close phase: look after it.
await new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
say('stopped', { before, after: resources(), outcome });
await waiting;
say('waiter', { outcome });
