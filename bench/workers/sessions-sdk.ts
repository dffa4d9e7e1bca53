/**
 * The SDK's process in `bench/sessions.ts` (pinned to one core): an outbound server whose every
 * call runs a full `RealtimeSession` — the call's audio on one `SharedMediaSocket`, the jitter
 * buffer, the pacer on the shared clock, and an OpenAI or Gemini provider on its own WebSocket
 * (`ws://` or `wss://`) to the bench's provider server — as a user's bot does. It measures its
 * own window on request and reports every call's counts when its session ends. With
 * SESSIONS_WORKERS it runs as a worker of an `OutboundCluster` (`sessions-cluster.ts`).
 */
import cluster from 'node:cluster';
import { createOutboundServer } from '../../src/esl/outbound-server.js';
import type { Logger } from '../../src/logger.js';
import { getMediaClock } from '../../src/media/media-clock.js';
import type { RtpBridgeStats } from '../../src/media/rtp-bridge.js';
import { UnicastPortPool } from '../../src/media/shared-media-defaults.js';
import { SharedMediaSocket } from '../../src/media/shared-media-socket.js';
import type { RealtimeProvider } from '../../src/realtime/provider.js';
import { GeminiLiveProvider } from '../../src/realtime/providers/gemini.js';
import { OpenAIRealtimeProvider } from '../../src/realtime/providers/openai.js';
import { RealtimeSession } from '../../src/realtime/session.js';
import { serveClusterWorker } from '../../src/process/cluster-worker.js';
import { defineTool } from '../../src/realtime/tools.js';
import { startHeapProfile, startProfile, startWindow } from '../sampler.js';
import { type SdkCallCounts, serveRequests } from './sessions-protocol.js';

interface Setup {
  vendor: 'openai' | 'gemini';
  /** `ws://127.0.0.1:<port>` or `wss://...`. */
  base: string;
  /** The provider server's certificate (wss). */
  ca?: string;
  n: number;
  /** FreeSWITCH's unicast ports. */
  fsPortMin: number;
  /** Caller frames per provider message (the session's `providerInput.framesPerMessage`); unset: the SDK's default. */
  batch?: number;
}

let warnings = 0;
const noop = (): void => {};
const complain = (level: string) => (o: unknown, m?: string) => {
  if (warnings++ < 10) console.error(`sdk ${level}:`, m ?? '', o);
};
const logger: Logger = { debug: noop, info: noop, warn: complain('warn'), error: complain('error') };

/** Counts what the session gives the provider. */
function counted<P extends RealtimeProvider>(provider: P): P & { audioBytes: number; audioCalls: number; deltas: number } {
  const p = provider as P & { audioBytes: number; audioCalls: number; deltas: number };
  p.audioBytes = 0;
  p.audioCalls = 0;
  p.deltas = 0;
  const send = p.sendAudio.bind(p);
  p.sendAudio = (frame) => {
    p.audioBytes += frame.byteLength;
    p.audioCalls++;
    send(frame);
  };
  p.on('audio', () => p.deltas++);
  return p;
}

const lookupOrder = defineTool({
  name: 'lookup_order',
  description: 'Finds an order.',
  parameters: { type: 'object', properties: { order: { type: 'string' } }, required: ['order'] } as const,
  handler: ({ order }) => ({ order, status: 'shipped' }),
});

const finished: SdkCallCounts[] = [];
const sessions = new Set<{ provider: RealtimeProvider; session: RealtimeSession }>();
let setup: Setup;
let shared: SharedMediaSocket;
let baseline: NodeJS.MemoryUsage;
let measuring:
  | { window: ReturnType<typeof startWindow>; profile?: ReturnType<typeof startProfile>; heap?: ReturnType<typeof startHeapProfile>; messages: number; jitter: JitterSum }
  | undefined;

interface JitterSum {
  late: number;
  lost: number;
  overflow: number;
  concealed: number;
}

/** The jitter buffers' drops over the open sessions. */
function jitterSum(): JitterSum {
  const sum = { late: 0, lost: 0, overflow: 0, concealed: 0 };
  for (const { session } of sessions) {
    const j = session.media?.stats().jitter;
    if (!j) continue;
    sum.late += j.late;
    sum.lost += j.lost;
    sum.overflow += j.overflow;
    sum.concealed += j.concealed;
  }
  return sum;
}

function messages(): number {
  let n = 0;
  for (const s of sessions) n += s.provider.stats.messagesSent + s.provider.stats.messagesReceived;
  for (const f of finished) n += f.sendAudioCalls; // not exact for ended sessions; they end only after the window
  return n;
}

serveRequests({
  async listen(r) {
    setup = r.setup as Setup;
    shared = new SharedMediaSocket({ expectedCalls: setup.n, logger });
    const media = await shared.bind(0, '127.0.0.1');
    const fsPorts = new UnicastPortPool({ min: setup.fsPortMin, max: setup.fsPortMin + setup.n + 50 });
    const webSocket = setup.ca ? { ca: setup.ca } : undefined;
    const server = createOutboundServer({ host: '127.0.0.1', port: 0, maxConnections: setup.n + 100, logger }, async (call) => {
      const url = `${setup.base}/${setup.vendor}/${call.uuid}`;
      const provider = counted(
        setup.vendor === 'openai'
          ? new OpenAIRealtimeProvider({ apiKey: 'bench', url, webSocket, logger })
          : new GeminiLiveProvider({ apiKey: 'bench', url, webSocket, logger }),
      );
      const session = new RealtimeSession({
        call,
        provider,
        instructions: 'You answer questions about orders.',
        greeting: 'Greet the caller.',
        tools: [lookupOrder],
        media: { shared, freeswitchPorts: fsPorts },
        ...(setup.batch !== undefined && { providerInput: { framesPerMessage: setup.batch } }),
        logger,
      });
      const entry = { provider, session };
      sessions.add(entry);
      let tools = 0;
      session.on('toolResult', () => tools++);
      session.once('ended', ({ reason }) => {
        sessions.delete(entry);
        const stats = session.stats();
        const media = stats.media as (typeof stats.media & Partial<RtpBridgeStats>) | undefined;
        finished.push({
          uuid: call.uuid,
          received: media?.packetsReceived ?? 0,
          late: media?.jitter.late ?? 0,
          lost: media?.jitter.lost ?? 0,
          overflow: media?.jitter.overflow ?? 0,
          concealed: media?.jitter.concealed ?? 0,
          framesToSession: framesToSession,
          bytesToProvider: provider.audioBytes,
          sendAudioCalls: provider.audioCalls,
          deltasFromProvider: provider.deltas,
          framesToCaller: media?.pacer?.framesSent ?? 0,
          flushes: media?.pacer?.flushes ?? 0,
          tools,
          endReason: reason,
        });
      });
      let framesToSession = 0;
      await session.start();
      session.media?.on('audio', () => framesToSession++);
    });
    // A worker of bench/workers/sessions-cluster.ts listens on the cluster's port.
    const { port } = cluster.isWorker ? await serveClusterWorker(server, { handleSignals: false }) : await server.listen();
    globalThis.gc?.();
    baseline = process.memoryUsage();
    return { port, media };
  },
  sessions() {
    return sessions.size;
  },
  /** Starts the measured window: the clock's statistics afresh, CPU, GC, steal (and a CPU profile with `profile`). */
  startWindow(r) {
    getMediaClock().resetStats();
    measuring = { window: startWindow(), profile: r.profile ? startProfile() : undefined, heap: r.heapProfile ? startHeapProfile() : undefined, messages: messages(), jitter: jitterSum() };
  },
  async stopWindow(r) {
    const m = measuring!;
    const sample = m.window.stop();
    const clock = getMediaClock().stats();
    const msgs = messages() - m.messages;
    const j = jitterSum();
    const jitter = { late: j.late - m.jitter.late, lost: j.lost - m.jitter.lost, overflow: j.overflow - m.jitter.overflow, concealed: j.concealed - m.jitter.concealed };
    const profile = m.profile ? await m.profile.stop(r.profile as string, 'sessions-sdk') : undefined;
    const heapProfile = m.heap ? await m.heap.stop(r.heapProfile as string, 'sessions-sdk') : undefined;
    globalThis.gc?.();
    const mem = process.memoryUsage();
    const n = Math.max(1, sessions.size);
    const kernel = await shared.kernelStats();
    return {
      sample,
      clock,
      messagesPerSecond: msgs / (sample.wallMs / 1000),
      jitter,
      sessions: sessions.size,
      heapPerSession: (mem.heapUsed + mem.external - baseline.heapUsed - baseline.external) / n,
      rssPerSession: (mem.rss - baseline.rss) / n,
      kernelDrops: kernel?.drops ?? 0,
      sharedStats: shared.stats,
      warnings,
      profile: [profile, heapProfile].filter(Boolean).join(' ') || undefined,
    };
  },
  counts() {
    return { calls: finished, open: sessions.size, kernelDrops: 0 };
  },
  async kernel() {
    return (await shared.kernelStats()) ?? null;
  },
});
