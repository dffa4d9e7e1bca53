/**
 * WebSocket media against unicast, in the same run:
 *
 * 1. Latency each path adds, through the simulator (real TCP/UDP/WebSocket on 127.0.0.1):
 *    - caller → consumer: a marked frame sent by FreeSWITCH's side until the transport's `audio`
 *      event carries it, beyond the jitter target;
 *    - consumer → caller: the first `write` of an answer (100 ms chunks written at twice real
 *      time, as cloud providers stream) until FreeSWITCH has it to play: the first unicast
 *      datagram, the first binary frame at jambonz's `mod_audio_fork`, or the first file's
 *      playback start (module-written files, files in our directory played with `execute`, and
 *      with `uuid_broadcast`, whose 5 lead frames the simulator reproduces).
 * 2. Calls per core under the same echo load: N calls, each receiving one 20 ms L16 frame per
 *    20 ms and echoing it back through its pacer, over a shared UDP socket (RtpBridge) and over
 *    WebSocket (WebSocketMediaTransport, binary answer path); CPU of the media process.
 *
 * Run alone: `node --import tsx bench/ws-media.ts` (BENCH_RUNS=5 latency runs per path,
 * BENCH_WS_CALLS="100,200", BENCH_SECONDS=3).
 */
import { randomUUID } from 'node:crypto';
import { type ChildProcess, fork } from 'node:child_process';
import { type Socket, createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { type CallTransportOptions, startCallMediaFor } from '../src/media/call-media.js';
import { getMediaClock } from '../src/media/media-clock.js';
import type { MediaTransport } from '../src/media/media-transport.js';
import { pcmFromLE } from '../src/media/pcm.js';
import { PortAllocator } from '../src/media/port-allocator.js';
import { RtpBridge } from '../src/media/rtp-bridge.js';
import { SharedMediaSocket } from '../src/media/shared-media-socket.js';
import { BinaryAnswerStream } from '../src/media/binary-answer.js';
import { WebSocketMediaServer } from '../src/media/ws-media-server.js';
import { WebSocketMediaTransport } from '../src/media/ws-media-transport.js';
import { FreeSwitchSimulator, SimulatedAudioStreamModules } from '../src/testing/index.js';
import { callQueue } from './call-queue.js';
import { percentile, runIfMain } from './fixtures.js';
import { measureUnderLoad } from './slotted-load.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const COUNTS = (process.env.BENCH_WS_CALLS ?? '100,200').split(',').map(Number).filter((n) => n > 0);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const JITTER_MS = 60;

// ------------------------------------------------------------------ 1. latency per path

type Path = 'unicast' | 'ws binary (jambonz)' | 'ws files (module)' | 'ws files (directory, execute)' | 'ws files (directory, broadcast)';
const PATHS: Path[] = ['unicast', 'ws binary (jambonz)', 'ws files (module)', 'ws files (directory, execute)', 'ws files (directory, broadcast)'];

async function latency(): Promise<Record<Path, { inbound: number[]; outbound: number[] }>> {
  const modules = new SimulatedAudioStreamModules();
  const sim = new FreeSwitchSimulator({ api: modules.api, playback: modules.playback() });
  modules.attach(sim);
  await sim.start();
  const { server, port, next } = await callQueue();
  const media = new WebSocketMediaServer({ host: '127.0.0.1', port: 0 });
  await media.listen();
  const dir = mkdtempSync(join(tmpdir(), 'bench-answers-'));
  const min = 31000 + Math.floor(Math.random() * 2000);
  const ports = new PortAllocator({ min, max: min + 20, bindAddress: '127.0.0.1' });
  const out = Object.fromEntries(PATHS.map((p) => [p, { inbound: [] as number[], outbound: [] as number[] }])) as Record<Path, { inbound: number[]; outbound: number[] }>;
  const jitter = { minMs: JITTER_MS, targetMs: JITTER_MS, maxMs: 200 };
  const options = (path: Path): CallTransportOptions => {
    if (path === 'unicast') return { mode: 'rtp', ports, freeswitchPort: (p) => p + 2000, native: false, jitter };
    const websocket = { server: media, noAudioTimeoutMs: 0 };
    if (path === 'ws binary (jambonz)') return { mode: 'websocket', jitter, websocket: { ...websocket, module: 'mod_audio_fork', bidirectional: true } };
    if (path === 'ws files (module)') return { mode: 'websocket', jitter, websocket };
    return { mode: 'websocket', jitter, websocket: { ...websocket, files: { directory: dir, playWith: path.endsWith('broadcast)') ? 'broadcast' : 'execute' } } };
  };
  for (let i = 0; i < RUNS; i++) {
    for (const path of PATHS) {
      const uuid = randomUUID();
      sim.callSocket({ port }, { codec: 'L16', uuid });
      const call = await next();
      const { transport } = await startCallMediaFor(call, options(path));
      // caller → consumer: a marked frame from FreeSWITCH's side.
      const marker = Buffer.alloc(320);
      for (let k = 0; k < 320; k += 2) marker.writeInt16LE(4242, k);
      const heard = new Promise<number>((resolve) => transport.on('audio', (f) => pcmFromLE(f)[0] === 4242 && resolve(performance.now())));
      let sentAt: number;
      if (path === 'unicast') {
        const u = await sim.waitForUnicast(uuid);
        await u.waitForReceived(0);
        sentAt = performance.now();
        u.inject(marker);
      } else {
        const s = await modules.waitForStream(uuid);
        await s.until(() => s.connected);
        sentAt = performance.now();
        s.inject(marker);
      }
      out[path].inbound.push((await heard) - sentAt - JITTER_MS);
      // consumer → caller: the answer, in 100 ms chunks at twice real time.
      await new Promise((r) => setTimeout(r, (i * 7) % 20));
      const firstHeard = whenHeard(path, sim, modules, uuid);
      const spokeAt = performance.now();
      await speak(transport);
      out[path].outbound.push((await firstHeard) - spokeAt);
      sim.hangup(uuid);
      await call.ended();
    }
  }
  await media.close();
  await server.close();
  await sim.stop();
  modules.cleanup();
  rmSync(dir, { recursive: true, force: true });
  return out;
}

/** Ten 100 ms chunks, one every 50 ms. */
async function speak(transport: MediaTransport): Promise<void> {
  const chunk = Buffer.alloc(1600);
  for (let k = 0; k < 1600; k += 2) chunk.writeInt16LE(Math.round(6000 * Math.sin(k * 0.3)), k);
  for (let c = 0; c < 10; c++) {
    transport.write(chunk);
    await new Promise((r) => setTimeout(r, 50));
  }
  transport.endOfAnswer();
}

/** When FreeSWITCH first has the answer to play. */
async function whenHeard(path: Path, sim: FreeSwitchSimulator, modules: SimulatedAudioStreamModules, uuid: string): Promise<number> {
  if (path === 'unicast') {
    const u = sim.unicast(uuid)!;
    const before = u.received.length;
    await u.waitForReceived(before + 1);
    return u.received[before]!.at;
  }
  const s = modules.stream(uuid)!;
  if (path === 'ws binary (jambonz)') {
    const before = s.received.length;
    await s.until(() => s.received.slice(before).some((m) => m.type === 'binary'), 5000);
    return s.received.slice(before).find((m) => m.type === 'binary')!.at;
  }
  await s.until(() => modules.playbacksOf(uuid).length > 0, 5000);
  return modules.playbacksOf(uuid)[0]!.startedAt;
}

// ------------------------------------------------------------------ 2. calls per core

type Load = 'unicast' | 'websocket';
interface Setup {
  load: Load;
  n: number;
  /** unicast: the generator's port of each call; websocket: each call's uuid. */
  peers: (number | string)[];
}

/** The media process: N calls echoing what they hear. */
async function serve(setup: Setup): Promise<void> {
  let address: { port: number };
  if (setup.load === 'unicast') {
    const shared = new SharedMediaSocket();
    await shared.bind(0, '127.0.0.1');
    for (const peer of setup.peers) {
      const b = new RtpBridge({ framing: 'raw', codec: 'L16', shared, remote: { address: '127.0.0.1', port: peer as number } });
      await b.start();
      b.on('audio', (f) => b.write(f));
    }
    address = shared.address()!;
  } else {
    const server = new WebSocketMediaServer({ host: '127.0.0.1', port: 0, bindTimeoutMs: 60_000 });
    address = await server.listen();
    for (const uuid of setup.peers) {
      void server.claim(uuid as string).then((stream) => {
        const t = new WebSocketMediaTransport({ stream, sampleRate: 8000, answer: new BinaryAnswerStream({ stream, sampleRate: 8000 }), noAudioTimeoutMs: 0 });
        t.on('audio', (f) => t.write(f));
      });
    }
  }
  process.send!({ port: address.port });
  process.on('message', (m: { measure?: boolean }) => {
    if (!m.measure) return;
    getMediaClock().resetStats();
    const cpu = process.cpuUsage();
    const t0 = performance.now();
    setTimeout(() => {
      const used = process.cpuUsage(cpu);
      const s = getMediaClock().stats();
      process.send!({ cpu: (used.user + used.system) / 1000 / (performance.now() - t0), p99: s.p99LatenessMs });
    }, SECONDS * 1000);
  });
}

async function load(load: Load, n: number): Promise<{ cpu: number; p99: number; echoed: number }> {
  let echoed = 0;
  const udp: Socket[] = [];
  const uuids: string[] = [];
  if (load === 'unicast') {
    for (let i = 0; i < n; i++) {
      const s = createSocket('udp4');
      await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
      s.on('message', () => echoed++);
      udp.push(s);
    }
  } else for (let i = 0; i < n; i++) uuids.push(randomUUID());
  const setup: Setup = { load, n, peers: load === 'unicast' ? udp.map((s) => s.address().port) : uuids };
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['serve', JSON.stringify(setup)], { execArgv: ['--import', 'tsx'] });
  const { port } = await new Promise<{ port: number }>((r) => child.once('message', (m) => r(m as never)));
  const sockets: WebSocket[] = [];
  for (const uuid of uuids) {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/stream/${uuid}`, { perMessageDeflate: false });
    await new Promise((r) => ws.once('open', r));
    ws.on('message', () => echoed++);
    sockets.push(ws);
  }
  const frame = Buffer.alloc(320, 0x11);
  const send = load === 'unicast' ? (i: number) => udp[i]!.send(frame, port, '127.0.0.1') : (i: number) => sockets[i]!.send(frame, { binary: true });
  const { result, seconds } = await measureUnderLoad<{ cpu: number; p99: number }>(child, n, send, () => (echoed = 0));
  for (const s of udp) s.close();
  for (const s of sockets) s.terminate();
  return { ...result, echoed: echoed / seconds / n };
}

/** Runs the benchmark. */
export async function run(): Promise<unknown> {
  const lat = await latency();
  process.stdout.write(`\nws-media: latency each path adds, ${RUNS} calls per path through the simulator (jitter target ${JITTER_MS} ms)\n`);
  for (const path of PATHS) {
    const { inbound, outbound } = lat[path];
    process.stdout.write(
      `  ${path.padEnd(32)} caller → consumer beyond jitter p50 ${percentile(inbound, 0.5).toFixed(1).padStart(5)} ms max ${Math.max(...inbound).toFixed(1).padStart(5)} ms   consumer → caller p50 ${percentile(outbound, 0.5).toFixed(1).padStart(6)} ms max ${Math.max(...outbound).toFixed(1).padStart(6)} ms\n`,
    );
  }
  const rows: unknown[] = [];
  process.stdout.write(`ws-media: echo load, ${SECONDS} s per row, CPU of the media process (share of one core)\n`);
  for (const n of COUNTS) {
    for (const l of ['unicast', 'websocket'] as const) {
      const r = await load(l, n);
      rows.push({ load: l, n, ...r });
      process.stdout.write(`  ${l.padEnd(9)} ${String(n).padStart(4)} calls  CPU ${(r.cpu * 100).toFixed(0).padStart(3)} %  pacing p99 ${r.p99.toFixed(1)} ms  echoed ${r.echoed.toFixed(1)} frames/s/call\n`);
    }
  }
  return { latency: lat, rows };
}

if (process.argv[2] === 'serve') {
  void serve(JSON.parse(process.argv[3]!) as Setup);
} else {
  runIfMain(import.meta.url, run);
}
