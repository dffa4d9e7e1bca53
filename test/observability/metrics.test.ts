import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { reportError } from '../../src/error-reporting.js';
import { EslTimeoutError } from '../../src/errors.js';
import { EslPool } from '../../src/esl/esl-pool.js';
import type { OutboundCall } from '../../src/esl/outbound-call.js';
import { silentLogger } from '../../src/logger.js';
import { SharedMediaSocket } from '../../src/media/shared-media-socket.js';
import { createMediaSocket } from '../../src/media/udp-socket.js';
import { healthHandlers, metricsHandler } from '../../src/observability/http.js';
import { type VoiceAiMetrics, createMetrics } from '../../src/observability/metrics.js';
import { ScriptedProvider } from '../../src/realtime/providers/scripted.js';
import { RealtimeSession } from '../../src/realtime/session.js';
import { transferCallTool } from '../../src/realtime/tools.js';
import { FreeSwitchSimulator } from '../../src/testing/index.js';
import { useCallHarness } from '../helpers/call-harness.js';
import { EventEmitter } from 'eventemitter3';

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

/** The value of one sample of the exposition text, or `undefined`. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return undefined;
}

async function metricsNow(): Promise<VoiceAiMetrics> {
  const metrics = await createMetrics();
  cleanup.push(() => metrics.close());
  return metrics;
}

describe('metrics of calls, sessions and media', () => {
  const h = useCallHarness();

  it('counts a voice-AI call end to end: calls, the session and its outcome, first audio, tools, frames', async () => {
    const metrics = await metricsNow();
    metrics.observeServer(h.server);
    const arrived = new Promise<OutboundCall>((resolve) => h.server.once('call', resolve));
    const speech = Int16Array.from({ length: 8000 * 3 }, (_, i) => (i > 6400 && i < 11200 ? Math.round(8000 * Math.sin(i / 3)) : 0));
    h.sim.callSocket({ port: h.server.address()!.port }, { codec: 'PCMU', callerAudio: speech });
    const call = await arrived;
    const session = new RealtimeSession({
      call,
      provider: new ScriptedProvider({ greeting: 'Hello', turns: [{ say: 'Transferring you', tool: { name: 'transfer_call', args: { destination: '1001' } } }] }),
      instructions: 'x',
      greeting: 'greet',
      tools: [transferCallTool()],
      media: { ports: h.ports, freeswitchPort: (p) => p + 4 },
    });
    metrics.observeSession(session);
    expect(sample(await metrics.metrics(), 'voiceai_sessions_active')).toBe(0);
    await session.start();
    let text = await metrics.metrics();
    expect(sample(text, 'voiceai_sessions_active')).toBe(1);
    expect(sample(text, 'voiceai_calls_active')).toBe(1);
    expect(sample(text, 'voiceai_media_bridges_active')).toBe(1);
    await new Promise((resolve) => session.once('ended', resolve));

    text = await metrics.metrics();
    expect(sample(text, 'voiceai_sessions_active')).toBe(0);
    expect(sample(text, 'voiceai_sessions_total', { outcome: 'transferred' })).toBe(1);
    expect(sample(text, 'voiceai_session_time_to_first_audio_seconds_count')).toBe(1);
    expect(sample(text, 'voiceai_session_time_to_first_audio_seconds_sum')).toBeCloseTo(session.metrics.timeToFirstAudioMs! / 1000, 6);
    expect(sample(text, 'voiceai_session_tool_calls_total', { tool: 'transfer_call', result: 'ok' })).toBe(1);
    const stats = (session.media as import('../../src/media/rtp-bridge.js').RtpBridge).stats();
    expect(sample(text, 'voiceai_media_frames_sent_total')).toBe(stats.framesSent);
    expect(sample(text, 'voiceai_media_frames_received_total')).toBe(stats.packetsReceived);
    expect(stats.framesSent).toBeGreaterThan(10);
    expect(sample(text, 'voiceai_media_bridges_active')).toBe(0);
    expect(sample(text, 'voiceai_media_clock_lateness_seconds', { quantile: '0.99' })).toBeGreaterThanOrEqual(0);
    // Every answer frame that left was timed against its slot.
    expect(sample(text, 'voiceai_media_frame_lateness_seconds', { quantile: '1' })).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'voiceai_media_late_frames_total')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'voiceai_media_send_errors_total')).toBe(0);
    // The session's bridge is read a last time, then forgotten: a second scrape adds nothing.
    expect(sample(await metrics.metrics(), 'voiceai_media_frames_sent_total')).toBe(stats.framesSent);
  });

  it('counts calls by how they ended and errors by code from the error path, without taking errors from the log', async () => {
    const metrics = await metricsNow();
    const logged: string[] = [];
    const logger = { ...silentLogger, error: (_o: object | string, msg?: string) => void logged.push(msg ?? '') };
    const { createOutboundServer } = await import('../../src/esl/outbound-server.js');
    // A handler that fails on the caller 1002, and keeps the others until they hang up.
    const server = createOutboundServer({ host: '127.0.0.1', port: 0, logger }, async (call) => {
      if (call.channel.callerIdNumber === '1002') throw new Error('boom');
      await call.ended();
    });
    cleanup.push(() => server.close());
    metrics.observeServer(server);
    const { port } = await server.listen();
    const calls: OutboundCall[] = [];
    server.on('call', (c) => calls.push(c));
    const a = h.sim.callSocket({ port }, { callerIdNumber: '1001' });
    h.sim.callSocket({ port }, { callerIdNumber: '1002' });
    await until(() => calls.length === 2);
    h.sim.hangup(a.uuid);
    await Promise.all(calls.map((c) => c.ended()));
    reportError(new EventEmitter(), new EslTimeoutError('slow', 5), silentLogger);
    const text = await metrics.metrics();
    expect(sample(text, 'voiceai_calls_total', { outcome: 'hangup' })).toBe(1);
    expect(sample(text, 'voiceai_calls_total', { outcome: 'handler_failed' })).toBe(1);
    expect(sample(text, 'voiceai_errors_total', { code: 'CALL_HANDLER_FAILED' })).toBe(1);
    expect(sample(text, 'voiceai_errors_total', { code: 'ESL_TIMEOUT' })).toBe(1);
    // Nobody listens to the server's `error`: the failure is still in its log.
    expect(server.listenerCount('error')).toBe(0);
    expect(logged.filter((m) => m.startsWith('unhandled CallHandlerError'))).toHaveLength(1);
  });

  it('counts connections turned away, by reason, and shows a draining server', async () => {
    const metrics = await metricsNow();
    const { createOutboundServer } = await import('../../src/esl/outbound-server.js');
    const guarded = createOutboundServer({ host: '127.0.0.1', port: 0, allow: ['10.0.0.0/8'] });
    cleanup.push(() => guarded.close());
    metrics.observeServer(guarded);
    const { port } = await guarded.listen();
    const rejected = new Promise((resolve) => guarded.once('rejected', resolve));
    h.sim.callSocket({ port });
    await rejected;
    let text = await metrics.metrics();
    expect(sample(text, 'voiceai_calls_rejected_total', { reason: 'not-allowed' })).toBe(1);
    expect(sample(text, 'voiceai_outbound_draining')).toBe(0);
    await guarded.shutdown({ deadlineMs: 0 });
    text = await metrics.metrics();
    expect(sample(text, 'voiceai_outbound_draining')).toBe(1);
  });
});

describe('metrics of FreeSWITCH nodes', () => {
  it('per node: connected, reconnects, command latency, originates', async () => {
    const sims = await Promise.all(['fs-a', 'fs-b'].map(async (hostname) => {
      const sim = new FreeSwitchSimulator({ hostname });
      await sim.start();
      cleanup.push(() => sim.stop());
      return sim;
    }));
    const pool = new EslPool({
      defaults: { host: '127.0.0.1', port: sims[0]!.port, password: 'ClueCon', reconnectDelay: 20, maxReconnectDelay: 50, maxReconnectAttempts: Infinity },
      nodes: sims.map((s) => ({ name: s.core.factory.hostname, port: s.port })),
    });
    cleanup.push(() => pool.close());
    await Promise.all(pool.nodes.map((n) => n.ready()));
    const metrics = await metricsNow();
    metrics.observePool(pool);
    await pool.api('status', { node: 'fs-a' });
    await pool.originate({ dialString: 'user/1000', app: 'park', node: 'fs-b' });
    await pool.originate({ dialString: 'error/user_busy', app: 'park', node: 'fs-b' }).catch(() => {});
    let text = await metrics.metrics();
    expect(sample(text, 'voiceai_esl_connected', { node: 'fs-a' })).toBe(1);
    expect(sample(text, 'voiceai_esl_connected', { node: 'fs-b' })).toBe(1);
    expect(sample(text, 'voiceai_esl_command_duration_seconds_count', { node: 'fs-a', command: 'status', ok: 'true' })).toBe(1);
    expect(sample(text, 'voiceai_esl_originates_total', { node: 'fs-b', result: 'answered' })).toBe(1);
    expect(sample(text, 'voiceai_esl_originates_total', { node: 'fs-b', result: 'USER_BUSY' })).toBe(1);
    expect(sample(text, 'voiceai_esl_originates_in_flight', { node: 'fs-b' })).toBe(0);

    await sims[1]!.stop();
    await until(() => !pool.node('fs-b').isReady && pool.node('fs-b').health().reconnects > 0);
    text = await metrics.metrics();
    expect(sample(text, 'voiceai_esl_connected', { node: 'fs-b' })).toBe(0);
    expect(sample(text, 'voiceai_esl_reconnects_total', { node: 'fs-b' })).toBeGreaterThan(0);
    expect(sample(text, 'voiceai_esl_connected', { node: 'fs-a' })).toBe(1);
  });
});

describe.runIf(process.platform === 'linux')('metrics of shared sockets', () => {
  it("exports the kernel's drops", async () => {
    const metrics = await metricsNow();
    const shared = new SharedMediaSocket({ receiveBufferBytes: 16 * 1024 });
    const { port } = await shared.bind(0, '127.0.0.1');
    cleanup.push(() => shared.close());
    metrics.observeSharedSocket(shared);
    const peer = createMediaSocket();
    await new Promise<void>((r) => peer.bind(0, '127.0.0.1', () => r()));
    cleanup.push(() => peer.close());
    shared.register('127.0.0.1', peer.address().port, () => {});
    for (let i = 0; i < 2000; i++) peer.send(Buffer.alloc(160), port, '127.0.0.1');
    const drops = (await shared.kernelStats())!.drops;
    expect(drops).toBeGreaterThan(0);
    expect(sample(await metrics.metrics(), 'voiceai_media_kernel_drops_total')).toBeGreaterThanOrEqual(drops);
  });

  it('exports the datagrams it could not send', async () => {
    const metrics = await metricsNow();
    const shared = new SharedMediaSocket({ receiveBufferBytes: 16 * 1024, logger: silentLogger });
    await shared.bind(0, '127.0.0.1');
    cleanup.push(() => shared.close());
    metrics.observeSharedSocket(shared);
    const call = shared.register('255.255.255.255', 40000, () => {}); // EACCES: no SO_BROADCAST
    for (let turn = 0; turn < 3; turn++) {
      call.send(Buffer.alloc(160));
      await new Promise((r) => setImmediate(r));
    }
    expect(shared.stats.sendErrors).toBe(3);
    expect(sample(await metrics.metrics(), 'voiceai_media_send_errors_total')).toBe(3);
  });
});

describe('HTTP handlers', () => {
  it('serves /metrics, /healthz, and /readyz: ready only while listening, not draining, with a FreeSWITCH node connected', async () => {
    const sim = new FreeSwitchSimulator();
    await sim.start();
    cleanup.push(() => sim.stop());
    const { createOutboundServer } = await import('../../src/esl/outbound-server.js');
    const server = createOutboundServer({ host: '127.0.0.1', port: 0 });
    cleanup.push(() => server.close());
    const pool = new EslPool({ defaults: { host: '127.0.0.1', port: sim.port, password: 'ClueCon' }, nodes: [{ name: 'fs', port: sim.port }], connect: false });
    cleanup.push(() => pool.close());
    const metrics = await metricsNow();
    metrics.observeServer(server);
    const health = healthHandlers({ servers: [server], pool });
    const routes: Record<string, ReturnType<typeof metricsHandler>> = { '/metrics': metricsHandler(metrics), '/healthz': health.healthz, '/readyz': health.readyz };
    const http: Server = createServer((req, res) => routes[req.url ?? '']!(req, res));
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
    cleanup.push(() => new Promise((r) => http.close(r)));
    const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    const get = async (path: string): Promise<{ status: number; body: string; type: string | null }> => {
      const res = await fetch(base + path);
      return { status: res.status, body: await res.text(), type: res.headers.get('content-type') };
    };

    expect((await get('/healthz')).status).toBe(200);
    let ready = await get('/readyz');
    expect(ready.status).toBe(503);
    expect(JSON.parse(ready.body)).toMatchObject({ ready: false, checks: { listening: false, eslConnected: false }, eslNodesConnected: 0 });
    await server.listen();
    expect((await get('/readyz')).status).toBe(503);
    await pool.node('fs').ready();
    ready = await get('/readyz');
    expect([ready.status, JSON.parse(ready.body).checks]).toEqual([200, { listening: true, eslConnected: true }]);
    const scrape = await get('/metrics');
    expect(scrape.type).toContain('text/plain');
    expect(sample(scrape.body, 'voiceai_calls_active')).toBe(0);
    await server.shutdown({ deadlineMs: 0 });
    expect((await get('/readyz')).status).toBe(503);
  });
});

async function until(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
