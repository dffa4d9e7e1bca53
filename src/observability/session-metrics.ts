/**
 * Voice-AI session metrics: sessions in progress and by how they ended, time to first audio,
 * barge-ins, tool calls, each answer's latency (from the session's `metrics` events), the
 * vendor's tokens, and the provider's messages and bytes (read from `session.stats()` at scrape
 * time). Each session's audio bridge is observed too (media metrics).
 *
 * @module
 */
import type { RealtimeSession, TurnMetrics } from '../realtime/session.js';
import type { MediaMetrics } from './media-metrics.js';
import type { MetricFactory } from './prom.js';

/** Seconds from a session's start to the assistant's first audio: the greeting's latency. */
const FIRST_AUDIO_BUCKETS = [0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 8, 13];
/** Seconds from the caller's interruption to the last assistant frame sent. */
const BARGE_IN_BUCKETS = [0.005, 0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64];

/** Seconds from the caller's end of speech to the answer's first frame, or from a trigger to the provider's first byte. */
const TURN_BUCKETS = [0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5, 8];

/** The metrics of {@link RealtimeSession}s. */
export class SessionMetrics {
  private active = 0;
  /** Sessions observed now, read at each scrape; their totals move to `done` when they end. */
  private readonly live = new Set<RealtimeSession>();
  private readonly done = { messagesSent: 0, bytesSent: 0, messagesReceived: 0, bytesReceived: 0 };
  private readonly turnLatency;
  private readonly firstByte;
  private readonly tokens;
  private readonly total;
  private readonly firstAudio;
  private readonly bargeIns;
  private readonly bargeInLatency;
  private readonly tools;

  constructor(
    f: MetricFactory,
    private readonly media: MediaMetrics,
  ) {
    const self = this;
    f.gauge('sessions_active', 'Voice-AI sessions in progress', [], function () {
      this.set(self.active);
    });
    this.total = f.counter('sessions_total', 'Voice-AI sessions ended, by reason (hangup, transferred, provider-failed, media-failed, idle, ...)', ['outcome']);
    this.firstAudio = f.histogram('session_time_to_first_audio_seconds', "From a session's start to the first assistant audio sent to the caller", FIRST_AUDIO_BUCKETS);
    this.bargeIns = f.counter('session_barge_ins_total', 'Times a caller interrupted the assistant');
    this.bargeInLatency = f.histogram('session_barge_in_latency_seconds', "From the caller's interruption to the last assistant frame sent", BARGE_IN_BUCKETS);
    this.tools = f.counter('session_tool_calls_total', 'Tool calls the model made, by tool and result (ok, or error when the result carries an error)', ['tool', 'result']);
    this.turnLatency = f.histogram('session_turn_latency_seconds', "From the caller's end of speech (the provider's VAD) to the answer's first frame sent to the caller", TURN_BUCKETS);
    this.firstByte = f.histogram('provider_first_byte_seconds', "From what asked for an answer (end of speech, a request) to the provider's first audio byte", TURN_BUCKETS);
    this.tokens = f.counter('session_tokens_total', 'Tokens the AI vendors reported, by kind (input, output)', ['kind']);
    const totals = (key: keyof SessionMetrics['done']): number => [...self.live].reduce((n, s) => n + s.stats().provider[key], self.done[key]);
    f.counter('provider_messages_total', 'WebSocket messages between the sessions and their AI providers, by direction', ['direction'], function () {
      this.reset();
      this.inc({ direction: 'sent' }, totals('messagesSent'));
      this.inc({ direction: 'received' }, totals('messagesReceived'));
    });
    f.counter('provider_bytes_total', 'Bytes between the sessions and their AI providers, by direction', ['direction'], function () {
      this.reset();
      this.inc({ direction: 'sent' }, totals('bytesSent'));
      this.inc({ direction: 'received' }, totals('bytesReceived'));
    });
  }

  /** Observes a session (before or after `start()`) until it ends or the returned function is called. */
  observe(session: RealtimeSession): () => void {
    let counted = false;
    let offBridge: (() => void) | undefined;
    const begin = (): void => {
      if (counted) return;
      counted = true;
      this.active++;
      const bridge = session.media;
      if (bridge) {
        offBridge = this.media.observeBridge(bridge);
        bridge.once('talkspurtStart', () => {
          const ms = session.metrics.timeToFirstAudioMs;
          if (ms !== undefined) this.firstAudio.observe(ms / 1000);
        });
      }
    };
    const onBargeIn = ({ latencyMs }: { latencyMs: number }): void => {
      this.bargeIns.inc();
      this.bargeInLatency.observe(latencyMs / 1000);
    };
    const onTool = ({ call, result }: { call: { name: string }; result: unknown }): void => {
      const failed = typeof result === 'object' && result !== null && 'error' in result;
      this.tools.inc({ tool: call.name, result: failed ? 'error' : 'ok' });
    };
    const onTurn = (m: TurnMetrics): void => {
      if (m.endOfSpeechToFirstAudioMs !== undefined) this.turnLatency.observe(m.endOfSpeechToFirstAudioMs / 1000);
      if (m.providerFirstByteMs !== undefined) this.firstByte.observe(m.providerFirstByteMs / 1000);
      if (m.usage?.inputTokens) this.tokens.inc({ kind: 'input' }, m.usage.inputTokens);
      if (m.usage?.outputTokens) this.tokens.inc({ kind: 'output' }, m.usage.outputTokens);
    };
    const onEnded = ({ reason }: { reason: string }): void => {
      if (counted) this.active--;
      counted = false;
      this.total.inc({ outcome: reason });
      offBridge?.();
      detach();
    };
    const detach = (): void => {
      if (this.live.delete(session)) {
        const p = session.stats().provider;
        for (const key of Object.keys(this.done) as (keyof SessionMetrics['done'])[]) this.done[key] += p[key];
      }
      session.off('started', begin);
      session.off('bargeIn', onBargeIn);
      session.off('toolResult', onTool);
      session.off('metrics', onTurn);
      session.off('ended', onEnded);
    };
    this.live.add(session);
    session.on('started', begin);
    session.on('bargeIn', onBargeIn);
    session.on('toolResult', onTool);
    session.on('metrics', onTurn);
    session.on('ended', onEnded);
    if (session.media) begin();
    return () => {
      if (counted) this.active--;
      counted = false;
      offBridge?.();
      detach();
    };
  }
}
