/**
 * The FreeSWITCH side of `bench/sessions.ts`: the SDK's simulator places the calls (answer, then
 * `socket ... async full` to the SDK's outbound server, µ-law channels), and this process plays
 * each call's `unicast` itself — the simulator's own unicast is made for tests (a timer and a
 * record of every datagram per call), not for hundreds of calls for minutes. Each call sends
 * one 20 ms µ-law frame per 20 ms, calls spread over ten 2 ms slots as independent calls are,
 * speech for 2 s then silence for 2 s (each call from its own point of the cycle), and counts
 * what it sent and the answer frames it received.
 */
import { type Socket, createSocket } from 'node:dgram';
import { ulawEncode } from '../../src/media/g711.js';
import { FreeSwitchSimulator } from '../../src/testing/index.js';
import type { UnicastParams } from '../../src/testing/unicast-media.js';
import { startWindow } from '../sampler.js';
import { type CallerCallCounts, SILENCE_FRAMES, SPEECH_FRAMES, serveRequests } from './sessions-protocol.js';

const SLOTS = 10;
const SPEECH = Buffer.from(ulawEncode(Int16Array.from({ length: 160 }, (_, i) => Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 8000)))));
const SILENCE = Buffer.alloc(160, 0xff);

interface CallMedia {
  readonly counts: CallerCallCounts;
  readonly socket: Socket;
  readonly params: UnicastParams;
  /** Where in the speech cycle the call starts. */
  readonly phase: number;
  frame: number;
  sending: boolean;
}

const noop = (): void => {};
const logger = { debug: noop, info: noop, warn: (o: unknown, m?: string) => console.error('caller:', m, o), error: (o: unknown, m?: string) => console.error('caller:', m, o) };
const sim = new FreeSwitchSimulator({ logger });
const calls = new Map<string, CallMedia>();
const slots: CallMedia[][] = Array.from({ length: SLOTS }, () => []);
let quiet = false;
let started: (() => void) | undefined;
let window: ReturnType<typeof startWindow> | undefined;
let running = false;
/** How late the send loop ran (the generator's own pacing): the worst, and slots over 20 ms late. */
const lag = { maxMs: 0, over20: 0 };

/** Addresses are IP literals: no lookup (node:dgram's default one waits a tick per datagram). */
function literal(host: string, _options: unknown, callback: (error: null, address: string, family: number) => void): void {
  callback(null, host, 4);
}

/** The simulator's `unicast` handler, replaced: this process plays the calls' audio. */
sim.core.unicastHandler = (channel, params) => {
  const socket = createSocket({ type: 'udp4', lookup: literal as never });
  const counts: CallerCallCounts = { uuid: channel.uuid, sent: 0, received: 0, badSize: 0 };
  const media: CallMedia = { counts, socket, params, phase: Math.floor(Math.random() * (SPEECH_FRAMES + SILENCE_FRAMES)), frame: 0, sending: false };
  socket.on('error', (e) => console.error('caller: unicast socket', e.message));
  socket.on('message', (data) => {
    counts.received++;
    if (data.length !== 160) counts.badSize++;
  });
  socket.bind(params.localPort, params.localIp, () => {
    calls.set(channel.uuid, media);
    slots[calls.size % SLOTS]!.push(media);
    media.sending = true;
    started?.();
  });
};

/** Every call sends in its slot of the 20 ms period. */
function startLoop(): void {
  if (running) return;
  running = true;
  const start = performance.now();
  let tick = 0;
  const loop = (): void => {
    const late = performance.now() - (start + tick * (20 / SLOTS));
    if (late > lag.maxMs) lag.maxMs = late;
    if (late > 20) lag.over20++;
    for (const m of slots[tick % SLOTS]!) {
      if (!m.sending) continue;
      const at = (m.frame++ + m.phase) % (SPEECH_FRAMES + SILENCE_FRAMES);
      m.counts.sent++;
      m.socket.send(!quiet && at < SPEECH_FRAMES ? SPEECH : SILENCE, m.params.remotePort, m.params.remoteIp);
    }
    tick++;
    setTimeout(loop, Math.max(0, start + tick * (20 / SLOTS) - performance.now()));
  };
  loop();
}

serveRequests({
  async start() {
    await sim.start();
    return {};
  },
  /** Places `n` calls to the SDK at `rate` calls/s; resolves once every call's audio runs. */
  async place(r) {
    const n = r.n as number;
    const rate = r.rate as number;
    startLoop();
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const wait = t0 + (i * 1000) / rate - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      sim.callSocket({ port: r.port as number }, { codec: 'PCMU' });
    }
    const deadline = performance.now() + 30_000;
    while (calls.size < n && performance.now() < deadline) await new Promise<void>((resolve) => (started = resolve));
    return { calls: calls.size, ms: performance.now() - t0 };
  },
  /** The callers stop talking (silence frames go on, as FreeSWITCH sends while parked). */
  quiet() {
    quiet = true;
  },
  /** Stops every call's audio, then hangs every call up. */
  async hangup() {
    for (const m of calls.values()) m.sending = false;
    await new Promise((resolve) => setTimeout(resolve, 200));
    for (const uuid of calls.keys()) sim.hangup(uuid);
    return {};
  },
  startWindow() {
    window = startWindow();
    lag.maxMs = 0;
    lag.over20 = 0;
  },
  stopWindow() {
    return { ...window?.stop(), lagMaxMs: lag.maxMs, lagOver20: lag.over20 };
  },
  /** The send loop's lateness so far (and from now on afresh). */
  lag() {
    const now = { ...lag };
    lag.maxMs = 0;
    lag.over20 = 0;
    return now;
  },
  counts() {
    return [...calls.values()].map((m) => m.counts);
  },
});
