import { type AddressInfo, type Server, createServer } from 'node:net';
import { FrameParser } from '../src/esl/frame-parser.js';

/**
 * A minimal Event Socket peer for benchmarks: answers `auth`, `event`, `api` (with a fixed
 * `api/response`), and any other command with `+OK`, and — once a client is authenticated —
 * streams `events` (exact recorded bytes) to it. The same bytes for every library.
 */
export async function startBenchServer(events: Buffer | undefined): Promise<{ port: number; server: Server }> {
  const server = createServer((socket) => {
    socket.setNoDelay(true);
    socket.on('error', () => {});
    let streamed = false;
    const parser = new FrameParser((frame) => {
      const line = frame.raw.toString('utf8', 0, Math.min(frame.raw.length, 64));
      if (line.startsWith('auth')) {
        socket.write('Content-Type: command/reply\nReply-Text: +OK accepted\n\n');
        if (events && !streamed) {
          streamed = true;
          setImmediate(() => socket.write(events));
        }
      } else if (line.startsWith('api ')) {
        socket.write('Content-Type: api/response\nContent-Length: 5\n\nfalse');
      } else if (line.startsWith('event')) {
        socket.write(`Content-Type: command/reply\nReply-Text: +OK event listener enabled ${line.split(' ')[1] ?? 'plain'}\n\n`);
      } else {
        socket.write('Content-Type: command/reply\nReply-Text: +OK\n\n');
      }
    });
    socket.on('data', (c: Buffer) => parser.push(c));
    socket.write('Content-Type: auth/request\n\n');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as AddressInfo).port, server };
}
