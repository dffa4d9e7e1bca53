/**
 * Media: N full-duplex calls in one process (the bridge under test runs in a child process, the
 * load generator here): each call receives one 20 ms datagram per 20 ms and sends one back
 * through its pacer (the consumer echoes what it hears); calls are spread over the 20 ms period
 * as independent calls are. Once with µ-law passthrough, once with 8 kHz ↔ 16 kHz resampling.
 * Reports CPU of the media process, pacing error of the shared clock, each tick's work, GC pauses and memory
 * per call. Measured in the same run for comparison: the same load echoed by bare node:dgram with
 * no SDK (the floor: what the sockets alone cost), the resampler per frame on its SIMD and
 * JavaScript engines, and our RTP header codec against werift-rtp's `RtpPacket` per packet.
 *
 * Each count runs twice: with a UDP port per call (`RTP_PORT_MIN..MAX`) and with one
 * {@link SharedMediaSocket} for every call (the mode for more calls than the port range holds).
 *
 * Run alone: `node --import tsx bench/media.ts` (BENCH_CALLS="100,300,500" for a port per call,
 * BENCH_SHARED_CALLS="300,400,500,600" (an empty list skips that socket mode),
 * BENCH_MODES="floor,passthrough,resample", BENCH_SECONDS=4, BENCH_NODE_FLAGS for the media process
 * (default --max-semi-space-size=32),
 * BENCH_PROFILE=dir to write a CPU profile of each measured window).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { type Socket, createSocket } from 'node:dgram';
import { fileURLToPath } from 'node:url';
import { RtpPacket } from 'werift-rtp';
import { getMediaClock } from '../src/media/media-clock.js';
import { PortAllocator } from '../src/media/port-allocator.js';
import { Resampler } from '../src/media/resampler.js';
import { RtpBridge } from '../src/media/rtp-bridge.js';
import { SharedMediaSocket } from '../src/media/shared-media-socket.js';
import { UdpSendMonitor } from '../src/media/udp-send-errors.js';
import { createMediaSocket } from '../src/media/udp-socket.js';
import { createRtpHeaderFields, readRtpHeader, writeRtpHeader } from '../src/media/rtp-header.js';
import { wireFormat } from '../src/media/wire-codec.js';
import { WireDecoder, WireEncoder } from '../src/media/wire-transcoder.js';
import { AudioFormats } from '../src/realtime/audio-format.js';
import { runIfMain } from './fixtures.js';
import { startProfile, startWindow } from './sampler.js';
import { measureUnderLoad } from './slotted-load.js';

const counts = (list: string): number[] => list.split(',').map(Number).filter((n) => n > 0);
const COUNTS = counts(process.env.BENCH_CALLS ?? '100,300,500');
const SHARED_COUNTS = counts(process.env.BENCH_SHARED_CALLS ?? '300,400,500,600');
/** The rows to run (BENCH_MODES, comma-separated): `floor`, `passthrough`, `resample`. */
const MODES = (process.env.BENCH_MODES ?? 'floor,passthrough,resample').split(',');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
/**
 * Node flags of the media process. A larger young generation: received datagrams live about
 * one jitter-buffer delay (100 ms), long enough to survive small, frequent scavenges and be
 * copied or promoted; with 32 MB semi-spaces they die young and pauses stay short.
 */
const MEDIA_NODE_FLAGS = process.env.BENCH_NODE_FLAGS ?? '--max-semi-space-size=32';
/** `floor`: no SDK at all, node:dgram echoing on a 20 ms timer: what the sockets alone cost. */
type Mode = 'passthrough' | 'resample' | 'floor';
/** `port`: a UDP port per call (`RTP_PORT_MIN..MAX`); `shared`: one socket for every call. */
type Sockets = 'port' | 'shared';
interface Setup {
  n: number;
  mode: Mode;
  sockets: Sockets;
  /** The generator's port of each call (FreeSWITCH's `local-port`). */
  peers: number[];
  /** Write the CPU profile of the measured window here (BENCH_PROFILE). */
  profile?: string;
}
interface Result {
  cpu: number;
  p50: number;
  p99: number;
  max: number;
  /** Share of one core used by the JavaScript thread alone. */
  main: number;
  /** 99th percentile of one tick's work, ms. */
  workP99: number;
  /** Garbage-collection pauses in the window: ms per second, and the longest, ms. */
  gcMsPerS: number;
  gcMax: number;
  /** Share of the VM's CPU time its host took (steal) during the window. */
  steal: number;
  perCall: number;
  echoed: number;
}

// ------------------------------------------------------------------ child: the bridges

/**
 * The floor: one socket, every datagram echoed at the next tick of the shared clock (its
 * phase groups, as the bridges' sends are spread), nothing else.
 */
async function serveFloor(setup: Setup): Promise<void> {
  const socket = createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  const bufs: Buffer[] = [];
  const ports: number[] = [];
  socket.on('message', (data, rinfo) => {
    bufs.push(data);
    ports.push(rinfo.port);
  });
  const drain = (): void => {
    for (let i = 0; i < bufs.length; i++) socket.send(bufs[i]!, ports[i]!, '127.0.0.1');
    bufs.length = 0;
    ports.length = 0;
  };
  const clock = getMediaClock();
  for (let g = 0; g < clock.groups; g++) clock.subscribe(() => drain());
  const port = socket.address().port;
  report(setup, new Array<number>(setup.n).fill(port), 0);
}

async function serve(setup: Setup): Promise<void> {
  if (setup.mode === 'floor') return serveFloor(setup);
  const { n, mode, sockets, peers } = setup;
  const ports = new PortAllocator({ min: 30000, max: 30000 + n + 100, bindAddress: '127.0.0.1' });
  const shared = sockets === 'shared' ? new SharedMediaSocket() : undefined;
  await shared?.bind(0, '127.0.0.1');
  const bridges: RtpBridge[] = [];
  const bound: number[] = [];
  globalThis.gc?.();
  const before = process.memoryUsage();
  for (let i = 0; i < n; i++) {
    const remote = { address: '127.0.0.1', port: peers[i]! };
    const b = new RtpBridge({
      framing: 'raw',
      codec: 'PCMU',
      output: mode === 'passthrough' ? AudioFormats.MULAW_8K : AudioFormats.PCM16_16K,
      ports,
      shared,
      remote,
    });
    bound.push((await b.start()).port);
    b.on('audio', (frame) => b.write(frame));
    bridges.push(b);
  }
  globalThis.gc?.();
  const after = process.memoryUsage();
  const perCall = (after.heapUsed + after.external - before.heapUsed - before.external) / n;
  report(setup, bound, perCall);
}

/** Sends the ports to the generator, then measures a window when it asks. */
function report(setup: Setup, bound: number[], perCall: number): void {
  process.send!({ ports: bound, perCall });
  process.on('message', (m: { measure?: boolean }) => {
    if (!m.measure) return;
    // Only the steady state counts: start-up (binding, GC) is behind us.
    getMediaClock().resetStats();
    const session = setup.profile ? startProfile() : undefined;
    const window = startWindow();
    setTimeout(() => {
      const w = window.stop();
      const s = getMediaClock().stats();
      const finish = (): void => {
        process.send!({ cpu: w.cpu, p50: s.p50LatenessMs, p99: s.p99LatenessMs, max: s.maxLatenessMs, workP99: s.p99WorkMs, main: w.main, gcMsPerS: w.gcMsPerS, gcMax: w.gcMax, steal: w.steal });
      };
      if (session) void session.stop(setup.profile!).then(finish);
      else finish();
    }, SECONDS * 1000);
  });
}

// ------------------------------------------------------------------ parent: the load generator

async function measure(n: number, mode: Mode, sockets: Sockets): Promise<Result> {
  // FreeSWITCH's end of each call: bound first, so the media process knows every call's source.
  const peers: Socket[] = [];
  let echoed = 0;
  for (let i = 0; i < n; i++) {
    const s = createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
    s.on('message', () => echoed++);
    peers.push(s);
  }
  const setup: Setup = { n, mode, sockets, peers: peers.map((s) => s.address().port), profile: process.env.BENCH_PROFILE };
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['serve', JSON.stringify(setup)], {
    execArgv: ['--import', 'tsx', '--expose-gc', ...MEDIA_NODE_FLAGS.split(' ').filter(Boolean)],
  });
  const { ports, perCall } = await new Promise<{ ports: number[]; perCall: number }>((r) => child.once('message', (m) => r(m as never)));
  const frame = Buffer.alloc(160, 0x55);
  const { result, seconds } = await measureUnderLoad<Omit<Result, 'perCall' | 'echoed'>>(
    child,
    n,
    (i) => peers[i]!.send(frame, ports[i]!, '127.0.0.1'),
    () => (echoed = 0),
  );
  for (const s of peers) s.close();
  return { ...result, perCall, echoed: echoed / seconds / n };
}

function rtpCodecCost(): { ours: number; werift: number } {
  const packet = Buffer.alloc(172);
  writeRtpHeader(packet, 0, { marker: false, payloadType: 0, sequenceNumber: 1, timestamp: 160, ssrc: 42 });
  const h = createRtpHeaderFields();
  const out = Buffer.alloc(172);
  const N = 200_000;
  const time = (fn: () => void): number => {
    for (let i = 0; i < 10_000; i++) fn();
    const t = process.hrtime.bigint();
    for (let i = 0; i < N; i++) fn();
    return Number(process.hrtime.bigint() - t) / N;
  };
  const ours = time(() => {
    readRtpHeader(packet, h);
    writeRtpHeader(out, 0, h);
  });
  const werift = time(() => RtpPacket.deSerialize(packet).serialize());
  return { ours, werift };
}

/**
 * A UDP send's cost, µs, three ways: no callback (node:dgram then drops a failure silently), the
 * SDK's {@link UdpSendMonitor} (a callback on one datagram in 64), and a callback on every
 * datagram (a queued tick each). CPU time of this process per datagram, the receiver included
 * (loopback), bursts of 500 as a busy tick sends them; the three interleaved over 5 rounds.
 */
async function udpSendCost(): Promise<{ none: number; monitor: number; every: number }> {
  const rx = createSocket('udp4');
  await new Promise<void>((r) => rx.bind(0, '127.0.0.1', () => r()));
  rx.setRecvBufferSize(4 << 20);
  rx.on('message', () => {});
  const tx = createMediaSocket();
  await new Promise<void>((r) => tx.bind(0, '127.0.0.1', () => r()));
  const port = rx.address().port;
  const frame = Buffer.alloc(172, 0x55);
  const monitor = new UdpSendMonitor(() => {});
  const every = (_e: Error | null): void => {};
  const ways = {
    none: () => tx.send(frame, port, '127.0.0.1'),
    monitor: () => tx.send(frame, port, '127.0.0.1', monitor.callback()),
    every: () => tx.send(frame, port, '127.0.0.1', every),
  };
  const total = { none: 0, monitor: 0, every: 0 };
  const N = 100_000;
  for (let round = 0; round < 6; round++) {
    for (const [name, send] of Object.entries(ways) as [keyof typeof ways, () => void][]) {
      const cpu = process.cpuUsage();
      for (let b = 0; b < N / 500; b++) {
        for (let i = 0; i < 500; i++) send();
        await new Promise((r) => setImmediate(r));
      }
      const used = process.cpuUsage(cpu);
      if (round > 0) total[name] += (used.user + used.system) / N; // round 0 warms up
    }
  }
  rx.close();
  tx.close();
  return { none: total.none / 5, monitor: total.monitor / 5, every: total.every / 5 };
}

/** µs per call of `fn`, after a warm-up. */
function microsPer(fn: () => void): number {
  for (let i = 0; i < 5_000; i++) fn();
  const N = 20_000;
  const t = process.hrtime.bigint();
  for (let i = 0; i < N; i++) fn();
  return Number(process.hrtime.bigint() - t) / N / 1000;
}

/** µs per 20 ms frame, 8 → 16 kHz and back, on each engine. */
function resamplerCost(): { simd: number; js: number } {
  const frame = Int16Array.from({ length: 160 }, (_, i) => Math.round(8000 * Math.sin(i * 0.39)));
  const cost = (engine: 'simd' | 'js'): number => {
    const up = new Resampler({ from: 8000, to: 16000, engine });
    const down = new Resampler({ from: 16000, to: 8000, engine });
    const once = (): void => void down.process(Int16Array.from(up.process(frame)));
    return microsPer(once);
  };
  return { simd: cost('simd'), js: cost('js') };
}

/** µs per 20 ms frame through the bridge's conversions: a µ-law frame to PCM16 16 kHz and 20 ms of PCM16 16 kHz back to µ-law. */
function transcodeCost(): { simd: number; js: number } {
  const wire = wireFormat('PCMU', 'raw');
  const ulaw = Buffer.alloc(160, 0x55);
  const pcm = Int16Array.from({ length: 320 }, (_, i) => Math.round(8000 * Math.sin(i * 0.2)));
  const cost = (engine: 'simd' | 'js'): number => {
    const decoder = new WireDecoder(wire, 16000, { engine });
    const encoder = new WireEncoder(wire, 16000, { engine });
    const once = (): void => void (decoder.decode(ulaw), encoder.encode(pcm));
    return microsPer(once);
  };
  return { simd: cost('simd'), js: cost('js') };
}

/** Runs the benchmark. */
export async function run(): Promise<unknown> {
  const codec = rtpCodecCost();
  process.stdout.write(`\nmedia: RTP header parse+write per packet: ours ${codec.ours.toFixed(0)} ns, werift-rtp RtpPacket ${codec.werift.toFixed(0)} ns (${(codec.werift / codec.ours).toFixed(1)}× ours)\n`);
  process.stdout.write(`media: full-duplex calls in one process, ${SECONDS} s each, media process flags "${MEDIA_NODE_FLAGS}" (CPU = share of one core; pacing = shared clock lateness, steady state)\n`);
  const rs = resamplerCost();
  process.stdout.write(`media: resampler 8→16 + 16→8 kHz per 20 ms frame: SIMD ${rs.simd.toFixed(2)} µs, JavaScript ${rs.js.toFixed(2)} µs (${(rs.js / rs.simd).toFixed(1)}×)\n`);
  const udp = await udpSendCost();
  process.stdout.write(`media: UDP send per datagram (CPU, receiver on loopback included): no callback ${udp.none.toFixed(2)} µs, failures counted by UdpSendMonitor ${udp.monitor.toFixed(2)} µs, a callback on every send ${udp.every.toFixed(2)} µs\n`);
  const tc = transcodeCost();
  process.stdout.write(`media: µ-law 8 kHz ↔ PCM16 16 kHz per 20 ms frame each way (decode+resample, resample+encode): fused SIMD ${tc.simd.toFixed(2)} µs, JavaScript ${tc.js.toFixed(2)} µs (${(tc.js / tc.simd).toFixed(1)}×)\n`);
  const rows: unknown[] = [];
  for (const n of MODES.includes('floor') ? SHARED_COUNTS : []) {
    const r = await measure(n, 'floor', 'shared');
    rows.push({ mode: 'floor', sockets: 'shared', n, ...r });
    process.stdout.write(`  floor (node:dgram echo, no SDK) ${String(n).padStart(5)} calls  CPU ${(r.cpu * 100).toFixed(0).padStart(3)} %  pacing p99 ${r.p99.toFixed(1)} ms  echoed ${r.echoed.toFixed(1)} frames/s/call  steal ${(r.steal * 100).toFixed(0)} %\n`);
  }
  for (const mode of (['passthrough', 'resample'] as const).filter((m) => MODES.includes(m))) {
    for (const sockets of (['port', 'shared'] as const).filter((s) => (s === 'port' ? COUNTS : SHARED_COUNTS).length > 0)) {
      let largest = 0;
      for (const n of sockets === 'port' ? COUNTS : SHARED_COUNTS) {
        const r = await measure(n, mode, sockets);
        rows.push({ mode, sockets, n, ...r });
        const ok = r.cpu < 0.7 && r.p99 < 5 && r.echoed > 49;
        if (ok) largest = Math.max(largest, n);
        process.stdout.write(
          `  ${mode.padEnd(11)} ${sockets.padEnd(6)} ${String(n).padStart(5)} calls  CPU ${(r.cpu * 100).toFixed(0).padStart(3)} % (JS thread ${(r.main * 100).toFixed(0)} %)  pacing p50 ${r.p50.toFixed(1)} ms p99 ${r.p99.toFixed(1)} ms max ${r.max.toFixed(1)} ms  tick work p99 ${r.workP99.toFixed(1)} ms  GC ${r.gcMsPerS.toFixed(0)} ms/s (longest ${r.gcMax.toFixed(1)} ms)  ${(r.perCall / 1024).toFixed(1)} KB/call  echoed ${r.echoed.toFixed(1)} frames/s/call  steal ${(r.steal * 100).toFixed(0)} %${ok ? '' : '  (over target)'}\n`,
        );
      }
      process.stdout.write(`  ${mode} ${sockets}: largest N under 70 % of one core, p99 < 5 ms, every frame echoed: ${largest || 'none'}\n`);
    }
  }
  return { codec, resampler: rs, transcode: tc, udp, rows };
}

if (process.argv[2] === 'serve') {
  void serve(JSON.parse(process.argv[3]!) as Setup);
} else {
  runIfMain(import.meta.url, run);
}
