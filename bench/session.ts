/**
 * Session latencies the SDK adds, through the simulator (real TCP and UDP on 127.0.0.1):
 * - caller → provider: a frame's arrival at the bridge until the provider gets it (the jitter
 *   buffer's delay is by design; the target is ≤ jitter target + 1 ms);
 * - provider → caller: the provider's audio until its first datagram reaches FreeSWITCH
 *   (target ≤ one frame);
 * - barge-in: `speechStarted` until the last assistant datagram reaches FreeSWITCH (≤ 20 ms);
 * - answer → first greeting frame at FreeSWITCH with the scripted provider.
 *
 * The caller → provider path is measured with each `providerInput.framesPerMessage` of
 * BENCH_FRAMES_PER_MESSAGE (default "1,5": frame by frame, and the SDK's default), with a
 * marked frame as the call starts and another 300 ms later (the jitter buffer full).
 *
 * Run alone: `node --import tsx bench/session.ts` (BENCH_RUNS, default 10).
 */
import { AudioFormats, type AudioFormat } from '../src/realtime/audio-format.js';
import { type ProviderConnectOptions, type RealtimeCapabilities, RealtimeProvider } from '../src/realtime/provider.js';
import { ScriptedProvider } from '../src/realtime/providers/scripted.js';
import { RealtimeSession } from '../src/realtime/session.js';
import { FreeSwitchSimulator } from '../src/testing/index.js';
import { type CallQueue, callQueue } from './call-queue.js';
import { percentile, runIfMain } from './fixtures.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const FRAMES_PER_MESSAGE = (process.env.BENCH_FRAMES_PER_MESSAGE ?? '1,5').split(',').map(Number);
const JITTER_TARGET_MS = 60;

/** A provider that timestamps what it hears and speaks on command. */
class ProbeProvider extends RealtimeProvider {
  readonly name = 'probe';
  readonly capabilities: RealtimeCapabilities = { truncation: true, turnDetection: true, userTranscription: false, autoToolReply: true };
  readonly inputFormats: readonly AudioFormat[] = [AudioFormats.MULAW_8K];
  readonly outputFormats: readonly AudioFormat[] = [AudioFormats.MULAW_8K];
  inputFormat: AudioFormat | undefined = AudioFormats.MULAW_8K;
  outputFormat: AudioFormat | undefined = AudioFormats.MULAW_8K;
  onFrame: ((frame: Uint8Array, at: number) => void) | undefined;
  async connect(_o: ProviderConnectOptions): Promise<void> {}
  /** Messages of one or more 160-byte frames: each frame is looked at. */
  sendAudio(audio: Uint8Array): void {
    const at = performance.now();
    for (let i = 0; i + 160 <= audio.length; i += 160) this.onFrame?.(audio.subarray(i, i + 160), at);
  }
  sendToolResult(): void {}
  interrupt(): void {}
  sendText(): void {}
  async close(): Promise<void> {}
}

async function oneCall(sim: FreeSwitchSimulator, port: number, provider: RealtimeProvider, calls: CallQueue, framesPerMessage?: number) {
  const channel = sim.callSocket({ port }, { codec: 'PCMU' });
  const call = await calls.next();
  const answeredAt = performance.now();
  const session = new RealtimeSession({
    call,
    provider,
    instructions: '',
    greeting: 'greet',
    bargeIn: { protectGreetingMs: 0 },
    media: { jitter: { minMs: JITTER_TARGET_MS, targetMs: JITTER_TARGET_MS }, freeswitchPort: (p) => p + 2000 },
    ...(framesPerMessage !== undefined && { providerInput: { framesPerMessage } }),
  });
  await session.start();
  const unicast = await sim.waitForUnicast(channel.uuid);
  return { session, unicast, channel, answeredAt };
}

/** Runs the benchmark. */
export async function run(): Promise<unknown> {
  const sim = new FreeSwitchSimulator();
  await sim.start();
  const calls = await callQueue();
  const { server, port } = calls;
  const inbound = new Map<number, number[]>(FRAMES_PER_MESSAGE.map((n) => [n, []]));
  const steady = new Map<number, number[]>(FRAMES_PER_MESSAGE.map((n) => [n, []]));
  const outbound: number[] = [];
  const bargeIn: number[] = [];
  const greeting: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    // caller → provider, with each count of frames per provider message
    for (const n of FRAMES_PER_MESSAGE) {
      const probe = new ProbeProvider();
      const { session, unicast, channel } = await oneCall(sim, port, probe, calls, n);
      // FreeSWITCH sends comfort noise; inject a marked frame from FreeSWITCH's port and time it:
      // once as the call starts (the jitter buffer filling), once in the steady state.
      for (const [marker, wait] of [[0x2a, (i * 7) % 20], [0x2b, 300 + ((i * 7) % 20)]] as const) {
        await new Promise((r) => setTimeout(r, wait));
        const heard = new Promise<number>((resolve) => (probe.onFrame = (f, at) => f[0] === marker && resolve(at)));
        const sentAt = performance.now();
        unicast.inject(new Uint8Array(160).fill(marker));
        (marker === 0x2a ? inbound : steady).get(n)!.push((await heard) - sentAt - JITTER_TARGET_MS);
      }
      sim.hangup(channel.uuid);
      await new Promise((r) => session.once('ended', r));
    }
    // provider → caller, barge-in
    const probe = new ProbeProvider();
    const { session, unicast, channel } = await oneCall(sim, port, probe, calls);
    // The provider's audio arrives at any moment relative to the clock's ticks.
    await new Promise((r) => setTimeout(r, (i * 7) % 20));
    const before = unicast.received.length;
    const spokeAt = performance.now();
    probe.emit('audio', { data: new Uint8Array(160 * 250).fill(0x11), responseId: 'r1' });
    await unicast.waitForReceived(before + 1);
    outbound.push(unicast.received[before]!.at - spokeAt);
    await unicast.waitForReceived(before + 10);
    const bargeAt = performance.now();
    probe.emit('speechStarted', {});
    await new Promise((r) => setTimeout(r, 100));
    const after = unicast.received.filter((d) => d.at >= bargeAt);
    bargeIn.push(after.length === 0 ? 0 : after[after.length - 1]!.at - bargeAt);
    sim.hangup(channel.uuid);
    await new Promise((r) => session.once('ended', r));

    // answer → first greeting frame (scripted provider)
    const scripted = new ScriptedProvider({ greeting: 'Hello there' });
    const s2 = await oneCall(sim, port, scripted, calls);
    await s2.unicast.waitForReceived(1);
    greeting.push(s2.unicast.received[0]!.at - s2.answeredAt);
    sim.hangup(s2.channel.uuid);
    await new Promise((r) => s2.session.once('ended', r));
  }
  await server.close();
  await sim.stop();
  const row = (name: string, xs: number[], target: string): void =>
    void process.stdout.write(`  ${name.padEnd(58)} p50 ${percentile(xs, 0.5).toFixed(1).padStart(5)} ms  max ${Math.max(...xs).toFixed(1).padStart(5)} ms   (target ${target})\n`);
  process.stdout.write(`\nsession: latencies the SDK adds, ${RUNS} calls through the simulator (jitter target ${JITTER_TARGET_MS} ms)\n`);
  for (const [n, xs] of inbound) row(`caller → provider beyond the jitter target, ${n} frame${n > 1 ? 's' : ''}/message`, xs, '≤ 1 ms');
  for (const [n, xs] of steady) row(`  the same in the steady state, ${n} frame${n > 1 ? 's' : ''}/message`, xs, '≤ 1 ms');
  row('provider → caller, first datagram', outbound, '≤ 20 ms');
  row('barge-in, speechStarted → last frame out', bargeIn, '≤ 20 ms');
  row('answer → first greeting frame (scripted)', greeting, 'SDK share of 500-800 ms');
  return { inbound: Object.fromEntries(inbound), steady: Object.fromEntries(steady), outbound, bargeIn, greeting };
}

runIfMain(import.meta.url, run);
