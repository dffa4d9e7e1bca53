/**
 * Outbound server: call setups per second (accept → connect → myevents → linger → answer →
 * hangup) and memory per idle call with 1 000 concurrent connections, ours and modesl's
 * `Server` in the same run.
 *
 * The server under test runs in a child process (so its memory is its own); this process plays
 * FreeSWITCH's `socket` application with a scripted peer that answers as fast as it can, with
 * frames of real size (a 7 KB channel data reply, 3 KB events).
 *
 * Run alone: `node --import tsx bench/outbound.ts` (BENCH_CALLS, BENCH_IDLE to change sizes).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { type Socket, connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { commandReplyFrame, eventFrame, lingerNoticeFrame, serializePlainEvent } from '../src/esl/event-serializer.js';
import { FrameParser } from '../src/esl/frame-parser.js';
import { createOutboundServer } from '../src/esl/outbound-server.js';
import { runIfMain } from './fixtures.js';

const CALLS = Number(process.env.BENCH_CALLS ?? 5000);
const IDLE = Number(process.env.BENCH_IDLE ?? 1000);
const CONCURRENCY = 64;
type Impl = 'freeswitch-voice-ai' | 'modesl';

// ------------------------------------------------------------------ the scripted FreeSWITCH

function channelHeaders(uuid: string): [string, string][] {
  const h: [string, string][] = [
    ['Event-Name', 'CHANNEL_DATA'], ['Core-UUID', '96753d64-6273-4222-b7bc-0159bc713694'], ['FreeSWITCH-Hostname', 'vm'],
    ['Event-Date-Timestamp', '1795568060172091'], ['Channel-Direction', 'inbound'], ['Channel-Caller-ID-Name', 'Maria Silva'],
    ['Channel-Caller-ID-Number', '5511999990000'], ['Channel-Destination-Number', '8000'], ['Channel-Context', 'default'],
    ['Channel-State', 'CS_EXECUTE'], ['Channel-Call-State', 'ACTIVE'], ['Channel-Name', 'sofia/internal/5511999990000@127.0.0.1:5070'],
    ['Unique-ID', uuid], ['Call-Direction', 'inbound'], ['Answer-State', 'answered'], ['Channel-Read-Codec-Name', 'PCMU'],
    ['Channel-Read-Codec-Rate', '8000'], ['Caller-Caller-ID-Name', 'Maria Silva'], ['Caller-Caller-ID-Number', '5511999990000'],
    ['Caller-Destination-Number', '8000'], ['Caller-Context', 'default'], ['Caller-Unique-ID', uuid],
  ];
  for (let i = 0; i < 85; i++) h.push([`variable_sip_header_${i}`, `value ${i} with some length: ${'x'.repeat(40)}`]);
  h.push(['variable_domain_uuid', '11111111-2222-3333-4444-555555555555']);
  return h;
}

function connectReply(uuid: string): string {
  return serializePlainEvent([
    ...channelHeaders(uuid),
    ['Content-Type', 'command/reply'], ['Reply-Text', '+OK\n'], ['Socket-Mode', 'async'], ['Control', 'full'],
  ]);
}

function event(uuid: string, name: string, extra: [string, string][] = []): string {
  const headers = channelHeaders(uuid).slice(0, 60);
  headers[0] = ['Event-Name', name];
  return eventFrame('plain', serializePlainEvent([...headers, ...extra]));
}

/**
 * One call as FreeSWITCH's socket application places it. Resolves when the socket closes.
 * With `idle`, it answers the handshake and then never completes an application.
 */
function placeCall(port: number, idle = false): Promise<Socket> {
  const uuid = randomUUID();
  const socket = connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  let lingering = false;
  let ready: (() => void) | undefined;
  const parser = new FrameParser((frame) => {
    const lines = frame.raw.toString('latin1').split('\n');
    const line = lines[0] ?? '';
    const header = (name: string): string | undefined => {
      const l = lines.find((x) => x.toLowerCase().startsWith(`${name.toLowerCase()}:`));
      return l?.slice(name.length + 1).trim();
    };
    if (line === 'connect') return socket.write(connectReply(uuid));
    if (line === 'myevents') return socket.write(commandReplyFrame('+OK Events Enabled'));
    if (line.startsWith('linger')) {
      lingering = true;
      return socket.write(commandReplyFrame('+OK will linger 10 seconds'));
    }
    if (!line.startsWith('sendmsg')) return socket.write(commandReplyFrame('-ERR command not found'));
    const app = header('execute-app-name');
    const isHangup = header('call-command') === 'hangup' || app === 'hangup';
    let out = commandReplyFrame('+OK');
    if (idle) {
      socket.write(out);
      return ready?.();
    }
    if (isHangup) {
      out += event(uuid, 'CHANNEL_HANGUP', [['Hangup-Cause', 'NORMAL_CLEARING']]);
      if (app) out += event(uuid, 'CHANNEL_EXECUTE_COMPLETE', [['Application', app], ['Application-UUID', header('Event-UUID') ?? '']]);
      out += event(uuid, 'CHANNEL_HANGUP_COMPLETE', [['Hangup-Cause', 'NORMAL_CLEARING'], ['variable_billsec', '1']]);
      if (lingering) out += lingerNoticeFrame({ uuid, name: 'sofia/internal/x', lingerSeconds: 10 });
      socket.write(out);
      if (!lingering) socket.end();
      return;
    }
    out += event(uuid, 'CHANNEL_EXECUTE', [['Application', app ?? ''], ['Application-UUID', header('Event-UUID') ?? '']]);
    out += event(uuid, 'CHANNEL_EXECUTE_COMPLETE', [['Application', app ?? ''], ['Application-Response', '_none_'], ['Application-UUID', header('Event-UUID') ?? '']]);
    socket.write(out);
  });
  socket.on('data', (c: Buffer) => parser.push(c));
  socket.on('error', () => {});
  return new Promise((resolve) => {
    if (idle) ready = () => resolve(socket);
    socket.once('close', () => resolve(socket));
  });
}

// ------------------------------------------------------------------ the server under test (child)

async function serve(impl: Impl): Promise<void> {
  const send = (m: unknown): void => void process.send!(m);
  let port: number;
  if (impl === 'freeswitch-voice-ai') {
    const server = createOutboundServer({ host: '127.0.0.1', port: 0, maxConnections: 100_000 }, async (call) => {
      await call.answer();
      await call.hangup();
    });
    port = (await server.listen()).port;
  } else {
    const esl = createRequire(import.meta.url)('modesl') as {
      Server: new (o: object, cb: () => void) => { on(e: string, f: (c: ModeslConn) => void): void; server: { address(): { port: number } } };
    };
    interface ModeslConn {
      execute(app: string, arg: string, cb: () => void): void;
      on(e: string, f: () => void): void;
    }
    port = await new Promise<number>((resolve) => {
      const server = new esl.Server({ port: 0, host: '127.0.0.1', myevents: true }, () => resolve(server.server.address().port));
      server.on('connection::ready', (conn) => {
        conn.on('error', () => {});
        conn.execute('answer', '', () => conn.execute('hangup', '', () => {}));
      });
    });
  }
  send({ port });
  process.on('message', (m: { memory?: boolean }) => {
    if (!m.memory) return;
    globalThis.gc?.();
    globalThis.gc?.();
    const u = process.memoryUsage();
    send({ heap: u.heapUsed, external: u.external + u.arrayBuffers, rss: u.rss });
  });
}

// ------------------------------------------------------------------ the harness

interface Memory {
  heap: number;
  external: number;
  rss: number;
}

function child(impl: Impl): Promise<{ proc: ChildProcess; port: number; memory: () => Promise<Memory> }> {
  const proc = fork(fileURLToPath(import.meta.url), ['serve', impl], { execArgv: ['--import', 'tsx', '--expose-gc'], stdio: 'inherit' });
  const memory = (): Promise<Memory> =>
    new Promise((resolve) => {
      proc.once('message', (m) => resolve(m as Memory));
      proc.send({ memory: true });
    });
  return new Promise((resolve) => proc.once('message', (m) => resolve({ proc, port: (m as { port: number }).port, memory })));
}

async function setupsPerSecond(port: number, calls: number): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < calls) await placeCall(port);
    }),
  );
  return (calls / (performance.now() - start)) * 1000;
}

async function idleMemory(port: number, memory: () => Promise<Memory>): Promise<number> {
  const before = await memory();
  const sockets: Socket[] = [];
  for (let i = 0; i < IDLE; i += 100) sockets.push(...(await Promise.all(Array.from({ length: Math.min(100, IDLE - i) }, () => placeCall(port, true)))));
  await new Promise((r) => setTimeout(r, 300));
  const after = await memory();
  for (const s of sockets) s.destroy();
  return (after.heap + after.external - before.heap - before.external) / IDLE;
}

async function measure(impl: Impl): Promise<{ rate: number; perCall: number }> {
  const { proc, port, memory } = await child(impl);
  try {
    await setupsPerSecond(port, Math.min(500, CALLS)); // warm-up
    const rate = await setupsPerSecond(port, CALLS);
    const perCall = await idleMemory(port, memory);
    return { rate, perCall };
  } finally {
    proc.kill();
  }
}

/** Runs the benchmark. */
export async function run(): Promise<Record<Impl, { rate: number; perCall: number }>> {
  const ours = await measure('freeswitch-voice-ai');
  const modesl = await measure('modesl');
  const kb = (b: number): string => `${(b / 1024).toFixed(1)} KB`;
  process.stdout.write(`\noutbound: ${CALLS} call setups (connect → myevents → linger → answer → hangup), ${CONCURRENCY} at a time; memory per idle call at ${IDLE} connections\n`);
  for (const [name, r] of [['freeswitch-voice-ai', ours], ['modesl', modesl]] as const) {
    process.stdout.write(`  ${name.padEnd(22)} ${Math.round(r.rate).toLocaleString('en-US').padStart(8)} setups/s   ${kb(r.perCall).padStart(9)} per idle call\n`);
  }
  process.stdout.write(`  ours / modesl: ${(ours.rate / modesl.rate).toFixed(2)}× setups/s, ${(ours.perCall / modesl.perCall).toFixed(2)}× memory per call\n`);
  return { 'freeswitch-voice-ai': ours, modesl };
}

if (process.argv[2] === 'serve') {
  void serve(process.argv[3] as Impl);
} else {
  runIfMain(import.meta.url, run);
}
