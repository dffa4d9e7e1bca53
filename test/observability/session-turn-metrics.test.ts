import { afterEach, describe, expect, it } from 'vitest';
import type { OutboundCall } from '../../src/esl/outbound-call.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { RealtimeSession, type TurnMetrics } from '../../src/realtime/session.js';
import { useCallHarness } from '../helpers/call-harness.js';
import { ManualProvider } from '../realtime/manual-provider.js';

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

/** The value of one sample of the exposition text, or `undefined`. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return undefined;
}

describe('metrics of answers and providers', () => {
  const h = useCallHarness();

  it('each answer’s latency and tokens, and the provider’s messages and bytes, live and after the session', async () => {
    const metrics = await createMetrics();
    cleanup.push(() => metrics.close());
    const arrived = new Promise<OutboundCall>((resolve) => h.server.once('call', resolve));
    h.sim.callSocket({ port: h.server.address()!.port }, { codec: 'PCMU' });
    const call = await arrived;
    const provider = new ManualProvider();
    const session = new RealtimeSession({ call, provider, instructions: 'x', media: { ports: h.ports, freeswitchPort: (p) => p + 4 } });
    metrics.observeSession(session);
    await session.start();
    await provider.waitForFrames(5); // the caller's frames reach the provider: its counters move
    let text = await metrics.metrics();
    expect(sample(text, 'voiceai_provider_messages_total', { direction: 'sent' })).toBeGreaterThanOrEqual(5);
    expect(sample(text, 'voiceai_provider_bytes_total', { direction: 'sent' })).toBeGreaterThanOrEqual(5 * 160);
    const turn = new Promise<TurnMetrics>((r) => session.once('metrics', r));
    provider.emit('speechStopped', {});
    provider.speak('r1', 200);
    provider.done('r1', 'completed', { inputTokens: 120, outputTokens: 45, totalTokens: 165 });
    const m = await turn;
    await session.end();
    const sent = provider.stats.messagesSent;
    text = await metrics.metrics();
    expect(sample(text, 'voiceai_session_turn_latency_seconds_count')).toBe(1);
    expect(sample(text, 'voiceai_session_turn_latency_seconds_sum')).toBeCloseTo(m.endOfSpeechToFirstAudioMs! / 1000, 6);
    expect(sample(text, 'voiceai_provider_first_byte_seconds_count')).toBe(1);
    expect(sample(text, 'voiceai_session_tokens_total', { kind: 'input' })).toBe(120);
    expect(sample(text, 'voiceai_session_tokens_total', { kind: 'output' })).toBe(45);
    // The ended session's totals are kept, read once: a second scrape is the same.
    expect(sample(text, 'voiceai_provider_messages_total', { direction: 'sent' })).toBe(sent);
    expect(sample(await metrics.metrics(), 'voiceai_provider_messages_total', { direction: 'sent' })).toBe(sent);
  });
});
