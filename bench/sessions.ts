/**
 * Full voice-AI sessions per core: what a deployment is sized by. Three processes — the SDK's
 * (pinned to core 0 with `taskset` when it is there), and on the other core the FreeSWITCH
 * simulator placing the calls and a provider server speaking OpenAI Realtime's GA shape or
 * Gemini Live's, over `ws://` or `wss://` (a self-signed certificate made at run time, never a
 * committed key). Each call: `unicast` µ-law both ways on the SDK's shared socket, the caller
 * speaking 2 s then silent 2 s, answers of 2–3 s in 100 ms deltas sent at 4× real time, a tool
 * call in one turn of ten, barge-in when the caller talks over an answer.
 *
 * Every frame is accounted call by call in every direction (sent, received, lost): caller →
 * SDK (datagrams; the jitter buffer's late/lost/overflow), SDK → provider (audio bytes), provider
 * → SDK (audio deltas), SDK → caller (answer frames). A count meets the target when the SDK's
 * process stays under 70 % of its core, frames leave at most 5 ms after their 20 ms slot at
 * p99, no frame is lost anywhere, and a session costs at most 1 MB.
 *
 * Knobs (environment): SESSIONS_N (counts, default "200,300,400,500"), SESSIONS_SECONDS (the
 * measured window, default 12), SESSIONS_TRANSPORT ("ws,wss"), SESSIONS_PROVIDER
 * ("openai,gemini"), SESSIONS_BATCH (caller frames per provider message; default the SDK's),
 * SESSIONS_NODE_FLAGS (the SDK process's, default "--single-threaded-gc --max-semi-space-size=2"), SESSIONS_PIN=0 (no
 * taskset), SESSIONS_PROFILE=dir (a CPU profile of the SDK's window), SESSIONS_HEAP_PROFILE=dir
 * (a sampling heap profile of it: allocation sites, collected or not), SESSIONS_PERF=file (`perf
 * record -g` of the SDK's process over the window), SESSIONS_RATE (calls
 * placed per second, default 30: FreeSWITCH's default `sessions-per-second`), SESSIONS_WORKERS=k
 * (the SDK side as an `OutboundCluster` of k workers, worker i pinned to core i; N is the total),
 * SESSIONS_GENERATOR_CORE (the simulator's and provider server's core: 1, or `any`; default 1,
 * `any` with several workers). Run alone: `npm run bench -- sessions`.
 */
import { execFileSync, spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { runIfMain } from './fixtures.js';
import type { WindowSample } from './sampler.js';
import { type CallerCallCounts, type ProviderCallCounts, type SdkCallCounts, call, canPin, startChild } from './workers/sessions-protocol.js';

const list = (s: string): string[] => s.split(',').map((x) => x.trim()).filter(Boolean);
const COUNTS = list(process.env.SESSIONS_N ?? '200,300,400,500').map(Number);
const SECONDS = Number(process.env.SESSIONS_SECONDS ?? 12);
const TRANSPORTS = list(process.env.SESSIONS_TRANSPORT ?? 'ws,wss') as ('ws' | 'wss')[];
const VENDORS = list(process.env.SESSIONS_PROVIDER ?? 'openai,gemini') as ('openai' | 'gemini')[];
const BATCH = process.env.SESSIONS_BATCH ? Number(process.env.SESSIONS_BATCH) : undefined;
const NODE_FLAGS = (process.env.SESSIONS_NODE_FLAGS ?? '--single-threaded-gc --max-semi-space-size=2').split(' ').filter(Boolean);
const PIN = process.env.SESSIONS_PIN !== '0' && canPin();
const PROFILE = process.env.SESSIONS_PROFILE;
/** A sampling heap profile of the SDK's window (what it allocates, collected or not), into this directory. */
const HEAP_PROFILE = process.env.SESSIONS_HEAP_PROFILE;
/** `perf record -g` of the SDK's process over the window, into this file (add --perf-basic-prof to SESSIONS_NODE_FLAGS for JavaScript names). */
const PERF = process.env.SESSIONS_PERF;
const RATE = Number(process.env.SESSIONS_RATE ?? 30);
/** 0: one SDK process; k: an OutboundCluster of k workers (worker i pinned to core i). */
const WORKERS = Number(process.env.SESSIONS_WORKERS ?? 0);
/** Where the simulator and the provider server run: core 1 (default with one SDK process), or `any`. */
const GENERATOR_CORE = process.env.SESSIONS_GENERATOR_CORE ?? (WORKERS > 1 ? 'any' : '1');
/** A whole speech cycle (4 s) before measuring, and time for the last answers to play out after. */
const WARMUP_MS = 4000;
const DRAIN_MS = 5000;

/** The targets. */
const TARGET = { cpu: 0.7, leaveP99Ms: 5, bytesPerSession: 1024 * 1024 };

interface ClockStats {
  p50LatenessMs: number;
  p99LatenessMs: number;
  maxLatenessMs: number;
  p99WorkMs: number;
  framesTimed: number;
  lateFrames: number;
  p50FrameLatenessMs: number;
  p99FrameLatenessMs: number;
  maxFrameLatenessMs: number;
}

interface SdkWindow {
  sample: WindowSample;
  clock: ClockStats;
  messagesPerSecond: number;
  /** The jitter buffers' drops within the window (steady state). */
  jitter: { late: number; lost: number; overflow: number; concealed: number };
  sessions: number;
  heapPerSession: number;
  rssPerSession: number;
  kernelDrops: number;
  warnings: number;
  profile?: string;
  /** With SESSIONS_WORKERS: each worker's share of its core and frame lateness. */
  workers?: { cpu: number; main: number; sessions: number; p99FrameLatenessMs: number; maxFrameLatenessMs: number }[];
}

/** Frames per direction over every call: sent, received, lost. */
interface Accounting {
  callerToSdk: { sent: number; received: number; lost: number; kernelDrops: number };
  jitter: { late: number; lost: number; overflow: number };
  sdkToProvider: { sent: number; received: number; lost: number };
  providerToSdk: { sent: number; received: number; lost: number };
  sdkToCaller: { sent: number; received: number; lost: number };
  /** Calls whose counts are missing on one side (a session that never started, ...). */
  unmatched: number;
  answers: number;
  toolCalls: number;
  bargeIns: number;
}

interface Row {
  vendor: string;
  transport: string;
  n: number;
  sessions: number;
  sdk: SdkWindow;
  /** The SDK process while the calls were placed (SESSIONS_RATE a second). */
  ramp: SdkWindow;
  /** The simulated FreeSWITCH's own send loop meanwhile: a late loop sends the SDK bursts. */
  rampLag: { maxMs: number; over20: number };
  caller: (WindowSample & { lagMaxMs: number; lagOver20: number }) | undefined;
  provider: WindowSample | undefined;
  accounting: Accounting;
  load: number;
  ok: boolean;
}

/**
 * A certificate for 127.0.0.1, made now: the key by node:crypto, signed by `openssl` (undefined
 * without it). The key lives in a temporary directory for the moment openssl reads it.
 */
function selfSigned(): { key: string; cert: string } | undefined {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const key = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const dir = mkdtempSync(join(tmpdir(), 'bench-sessions-'));
  try {
    writeFileSync(join(dir, 'key.pem'), key, { mode: 0o600 });
    const args = ['req', '-new', '-x509', '-key', join(dir, 'key.pem'), '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-days', '1'];
    return { key, cert: execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'ignore'] }).toString() };
  } catch {
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** FreeSWITCH's unicast ports for a run: a range below the ephemeral ports, a different one each run. */
let portBase = 20000 + Math.floor(Math.random() * 50) * 200;
function fsPorts(n: number): number {
  const min = portBase;
  portBase += n + 100;
  if (portBase > 32000) portBase = 20000;
  return min;
}

async function measure(vendor: 'openai' | 'gemini', transport: 'ws' | 'wss', n: number, tls: { key: string; cert: string } | undefined): Promise<Row> {
  const children: ChildProcess[] = [];
  const here = (f: string): URL => new URL(`./workers/${f}`, import.meta.url);
  try {
    const generatorCore = PIN && GENERATOR_CORE !== 'any' ? Number(GENERATOR_CORE) : undefined;
    const provider = startChild(here('sessions-provider.ts'), { core: generatorCore });
    const sdkFlags = ['--expose-gc', ...NODE_FLAGS];
    const sdk = WORKERS > 0 ? startChild(here('sessions-cluster.ts')) : startChild(here('sessions-sdk.ts'), { core: PIN ? 0 : undefined, nodeFlags: sdkFlags });
    const caller = startChild(here('sessions-caller.ts'), { core: generatorCore });
    children.push(provider, sdk, caller);
    const { port: providerPort } = await call<{ port: number }>(provider, 'listen', { tls: transport === 'wss' ? tls : undefined });
    const base = `${transport}://127.0.0.1:${providerPort}`;
    const setup = { vendor, base, ca: transport === 'wss' ? tls!.cert : undefined, n, fsPortMin: fsPorts(n + WORKERS * 100), batch: BATCH, workers: WORKERS, pin: PIN, execArgv: sdkFlags };
    const { port } = await call<{ port: number }>(sdk, 'listen', { setup });
    await call(caller, 'start');
    await call(sdk, 'startWindow', {});
    const placed = await call<{ calls: number }>(caller, 'place', { port, n, rate: RATE });
    const ramp = await call<SdkWindow>(sdk, 'stopWindow', {});
    const rampLag = await call<{ maxMs: number; over20: number }>(caller, 'lag');
    await new Promise((r) => setTimeout(r, WARMUP_MS));
    const load = loadavg()[0]!;
    await Promise.all([call(sdk, 'startWindow', { profile: PROFILE, heapProfile: HEAP_PROFILE }), call(caller, 'startWindow'), call(provider, 'startWindow')]);
    const perf = PERF && sdk.pid ? spawn('perf', ['record', '-g', '-o', PERF, '-p', String(sdk.pid), '--', 'sleep', String(SECONDS)], { stdio: 'ignore' }) : undefined;
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    if (perf && perf.exitCode === null) await new Promise((r) => perf.once('exit', r));
    const [sdkWindow, callerWindow, providerWindow] = await Promise.all([
      call<SdkWindow>(sdk, 'stopWindow', { profile: PROFILE, heapProfile: HEAP_PROFILE }),
      call<WindowSample & { lagMaxMs: number; lagOver20: number }>(caller, 'stopWindow'),
      call<WindowSample>(provider, 'stopWindow'),
    ]);
    // The callers fall silent; the last answers play out; then every call hangs up and each side counts.
    await call(caller, 'quiet');
    await new Promise((r) => setTimeout(r, DRAIN_MS));
    await call(caller, 'hangup');
    const deadline = performance.now() + 15_000;
    while (performance.now() < deadline) {
      const [sdkOpen, providerOpen] = await Promise.all([call<number>(sdk, 'sessions'), call<number>(provider, 'openSessions')]);
      if (sdkOpen === 0 && providerOpen === 0) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    await new Promise((r) => setTimeout(r, 300));
    const [sdkCounts, callerCounts, providerCounts, kernel] = await Promise.all([
      call<{ calls: SdkCallCounts[] }>(sdk, 'counts'),
      call<CallerCallCounts[]>(caller, 'counts'),
      call<ProviderCallCounts[]>(provider, 'counts'),
      call<{ drops: number } | null>(sdk, 'kernel'),
    ]);
    const accounting = account(vendor, sdkCounts.calls, callerCounts, providerCounts, kernel?.drops ?? 0);
    accounting.unmatched += n - placed.calls;
    // Lost: anything a direction did not deliver over the whole run, and what the jitter buffers
    // dropped in the steady state (while calls are being set up the simulated FreeSWITCH and the
    // provider server, on one core, send in bursts: those drops are reported apart).
    const lost =
      accounting.callerToSdk.lost + accounting.callerToSdk.kernelDrops + sdkWindow.jitter.late + sdkWindow.jitter.lost + sdkWindow.jitter.overflow +
      accounting.sdkToProvider.lost + accounting.providerToSdk.lost + accounting.sdkToCaller.lost + accounting.unmatched;
    const leaveP99 = sdkWindow.clock.p99FrameLatenessMs;
    const ok = sdkWindow.sample.cpu < TARGET.cpu && leaveP99 < TARGET.leaveP99Ms && lost === 0 && sdkWindow.rssPerSession <= TARGET.bytesPerSession;
    return { vendor, transport, n, sessions: sdkWindow.sessions, sdk: sdkWindow, ramp, rampLag, caller: callerWindow, provider: providerWindow, accounting, load, ok };
  } finally {
    for (const c of children) c.kill();
  }
}

/** Matches each call's counts across the three processes. */
function account(vendor: string, sdk: SdkCallCounts[], caller: CallerCallCounts[], provider: ProviderCallCounts[], kernelDrops: number): Accounting {
  const a: Accounting = {
    callerToSdk: { sent: 0, received: 0, lost: 0, kernelDrops },
    jitter: { late: 0, lost: 0, overflow: 0 },
    sdkToProvider: { sent: 0, received: 0, lost: 0 },
    providerToSdk: { sent: 0, received: 0, lost: 0 },
    sdkToCaller: { sent: 0, received: 0, lost: 0 },
    unmatched: 0,
    answers: 0,
    toolCalls: 0,
    bargeIns: 0,
  };
  const bySdk = new Map(sdk.map((c) => [c.uuid, c]));
  const byProvider = new Map(provider.map((c) => [c.uuid, c]));
  const frameBytes = vendor === 'openai' ? 160 : 640;
  for (const c of caller) {
    const s = bySdk.get(c.uuid);
    const p = byProvider.get(c.uuid);
    if (!s || !p) {
      a.unmatched++;
      continue;
    }
    const add = (d: { sent: number; received: number; lost: number }, sent: number, received: number): void => {
      d.sent += sent;
      d.received += received;
      d.lost += Math.max(0, sent - received);
    };
    add(a.callerToSdk, c.sent, s.received);
    a.jitter.late += s.late;
    a.jitter.lost += s.lost;
    a.jitter.overflow += s.overflow;
    add(a.sdkToProvider, s.bytesToProvider / frameBytes, p.audioBytes / frameBytes);
    add(a.providerToSdk, p.deltas, s.deltasFromProvider);
    add(a.sdkToCaller, s.framesToCaller, c.received);
    a.answers += p.answers;
    a.toolCalls += p.toolCalls;
    a.bargeIns += p.bargeIns;
  }
  return a;
}

const pct = (x: number): string => `${(x * 100).toFixed(0)} %`;
const ms = (x: number | undefined): string => (x === undefined ? '–' : x.toFixed(1));
const dir = (d: { sent: number; received: number; lost: number }): string => `${Math.round(d.sent)}/${Math.round(d.received)}/${Math.round(d.lost)}`;

function print(r: Row): void {
  const s = r.sdk;
  const c = s.clock;
  const a = r.accounting;
  process.stdout.write(
    `  ${r.vendor.padEnd(6)} ${r.transport.padEnd(3)} ${String(r.n).padStart(4)} sessions (${s.sessions} up)  CPU ${pct(s.sample.cpu)} (JS ${pct(s.sample.main)})  ` +
      `frame leave p50/p99/max ${ms(c.p50FrameLatenessMs)}/${ms(c.p99FrameLatenessMs)}/${ms(c.maxFrameLatenessMs)} ms (${c.lateFrames} of ${c.framesTimed} > 5 ms)  tick p99 ${ms(c.p99LatenessMs)} ms  tick work p99 ${ms(c.p99WorkMs)} ms  ` +
      `GC ${s.sample.gcMsPerS.toFixed(0)} ms/s (max ${s.sample.gcMax.toFixed(1)})  ${(s.rssPerSession / 1024).toFixed(0)} KB RSS/session (heap+external ${(s.heapPerSession / 1024).toFixed(0)} KB)  ` +
      `${Math.round(s.messagesPerSecond)} provider msgs/s  steal ${pct(s.sample.steal)}  load ${r.load.toFixed(2)}  other core: caller ${r.caller ? pct(r.caller.cpu) : '–'}, provider ${r.provider ? pct(r.provider.cpu) : '–'}` +
      `${s.warnings ? `  ${s.warnings} warnings` : ''}${r.ok ? '  ✓' : '  (over target)'}\n` +
      (s.workers ? `      per worker: ${s.workers.map((w, i) => `#${i} ${w.sessions} sessions CPU ${pct(w.cpu)} (JS ${pct(w.main)}) frame leave p99 ${ms(w.p99FrameLatenessMs)} max ${ms(w.maxFrameLatenessMs)} ms`).join('; ')}\n` : '') +
      `      frames sent/received/lost: caller→SDK ${dir(a.callerToSdk)} (kernel drops ${a.callerToSdk.kernelDrops}; jitter late/lost/overflow ${a.jitter.late}/${a.jitter.lost}/${a.jitter.overflow} over the calls, ${s.jitter.late}/${s.jitter.lost}/${s.jitter.overflow} in the window)  ` +
      `SDK→provider ${dir(a.sdkToProvider)}  provider→SDK deltas ${dir(a.providerToSdk)}  SDK→caller ${dir(a.sdkToCaller)}  unmatched calls ${a.unmatched}  ` +
      `(${a.answers} answers, ${a.toolCalls} tool calls, ${a.bargeIns} barge-ins)${s.profile ? `  profile ${s.profile}` : ''}\n` +
      `      while placing ${RATE} calls/s: CPU ${pct(r.ramp.sample.cpu)}, ≈ ${(((r.ramp.sample.cpu - s.sample.cpu / 2) * r.ramp.sample.wallMs) / r.n).toFixed(1)} ms of CPU per call set up (the ramp's CPU less half the steady load), frame leave p99 ${ms(r.ramp.clock.p99FrameLatenessMs)} ms, GC max ${r.ramp.sample.gcMax.toFixed(1)} ms; the simulated FreeSWITCH's send loop late by up to ${r.rampLag.maxMs.toFixed(0)} ms (${r.rampLag.over20} slots > 20 ms; in the window ${r.caller?.lagMaxMs.toFixed(0)} ms, ${r.caller?.lagOver20})\n`,
  );
}

/** Runs the benchmark. */
export async function run(): Promise<unknown> {
  const tls = TRANSPORTS.includes('wss') ? selfSigned() : undefined;
  process.stdout.write(
    `\nsessions: full voice-AI sessions in ${WORKERS > 0 ? `an OutboundCluster of ${WORKERS} workers${PIN ? ' (worker i pinned to core i)' : ''}` : `one SDK process${PIN ? ' pinned to core 0' : ''}`}` +
      `${PIN ? `, simulator and provider server ${GENERATOR_CORE === 'any' ? 'on any core' : `on core ${GENERATOR_CORE}`}` : ' (nothing pinned: taskset unavailable or SESSIONS_PIN=0)'}, ` +
      `SDK flags "${NODE_FLAGS.join(' ')}", ${SECONDS} s windows, caller frames per provider message: ${BATCH ?? 'SDK default'}; ` +
      `target: CPU < 70 %, frame leave p99 < 5 ms, 0 frames lost, ≤ 1 MB per session\n`,
  );
  const rows: Row[] = [];
  for (const vendor of VENDORS) {
    for (const transport of TRANSPORTS) {
      if (transport === 'wss' && !tls) {
        process.stdout.write(`  ${vendor} wss: skipped (no openssl to sign a certificate)\n`);
        continue;
      }
      let largest = 0;
      for (const n of COUNTS) {
        const row = await measure(vendor, transport, n, tls);
        rows.push(row);
        print(row);
        if (row.ok) largest = Math.max(largest, n);
      }
      process.stdout.write(`  ${vendor} ${transport}: largest N meeting the target: ${largest || 'none'}\n`);
    }
  }
  return rows;
}

runIfMain(import.meta.url, run);
