/**
 * The provider side of `bench/sessions.ts`: one WebSocket server (`ws://`, or `wss://` with the
 * orchestrator's self-signed certificate) speaking two vendors' shapes, chosen by path:
 * `/openai/<call uuid>` — OpenAI Realtime GA events (`session.updated`, server VAD events,
 * `response.output_audio.delta` with µ-law, transcripts, function calls), text frames;
 * `/gemini/<call uuid>` — Gemini Live (`setupComplete`, `voiceActivity`, `serverContent` with
 * PCM16 24 kHz `inlineData`, `toolCall`), binary frames of JSON, as Google sends them.
 *
 * It listens to the caller's audio like a server VAD (speech when the frames are not silence;
 * the turn ends after {@link END_OF_TURN_MS} of silence), answers each turn with 2–3 s of audio
 * in 100 ms deltas at 4× real time, makes one turn in {@link TOOL_EVERY} a tool call, stops an
 * answer the caller talks over, and counts everything per call.
 */
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { ulawEncode } from '../../src/media/g711.js';
import { startWindow } from '../sampler.js';
import {
  ANSWER_MIN_MS,
  ANSWER_SPREAD_MS,
  DELTA_EVERY_MS,
  DELTA_MS,
  END_OF_TURN_MS,
  type ProviderCallCounts,
  TOOL_EVERY,
  serveRequests,
} from './sessions-protocol.js';

/** 100 ms of a tone: µ-law 8 kHz (OpenAI), PCM16 24 kHz (Gemini), as base64 (sent as is in every delta). */
function tone(rate: number, samples: number): Int16Array {
  return Int16Array.from({ length: samples }, (_, i) => Math.round(6000 * Math.sin((2 * Math.PI * 300 * i) / rate)));
}
const ULAW_DELTA = Buffer.from(ulawEncode(tone(8000, (8000 * DELTA_MS) / 1000))).toString('base64');
const PCM24_DELTA = Buffer.from(tone(24000, (24000 * DELTA_MS) / 1000).buffer).toString('base64');

const finished: ProviderCallCounts[] = [];
const open = new Set<Conversation>();
let window: ReturnType<typeof startWindow> | undefined;

/** One session: the caller's turns, the answers, the counts. */
abstract class Conversation {
  readonly counts: ProviderCallCounts;
  protected speaking = false;
  protected silentMs = 0;
  protected turn = 0;
  protected answer: NodeJS.Timeout | undefined;
  protected seq = 0;
  private closed = false;

  constructor(
    protected readonly ws: WebSocket,
    uuid: string,
  ) {
    this.counts = { uuid, audioBytes: 0, audioMessages: 0, deltas: 0, answers: 0, toolCalls: 0, bargeIns: 0 };
    open.add(this);
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.on('error', () => {});
    ws.on('close', () => this.close());
  }

  /** Frames of caller audio: `true` for speech. Drives the VAD. */
  protected hear(frames: boolean[]): void {
    for (const speech of frames) {
      if (speech) {
        this.silentMs = 0;
        if (!this.speaking) {
          this.speaking = true;
          if (this.answer) {
            this.stopAnswer();
            this.counts.bargeIns++;
          }
          this.speechStarted();
        }
      } else if (this.speaking && (this.silentMs += 20) >= END_OF_TURN_MS) {
        this.speaking = false;
        this.speechStopped();
        this.respond();
      }
    }
  }

  /** The next answer: a tool call one turn in ten, audio otherwise. */
  protected respond(): void {
    this.turn++;
    if (this.turn % TOOL_EVERY === 2) {
      this.counts.toolCalls++;
      this.toolCall();
      return;
    }
    this.startAnswer();
  }

  /** 2–3 s of audio in 100 ms deltas, one every 25 ms. */
  protected startAnswer(): void {
    this.stopAnswer();
    this.counts.answers++;
    const deltas = Math.round((ANSWER_MIN_MS + ((this.turn * 373) % (ANSWER_SPREAD_MS + 1))) / DELTA_MS);
    const id = `resp_${++this.seq}`;
    this.answerStarted(id);
    let sent = 0;
    this.answer = setInterval(() => {
      this.delta(id, sent);
      this.counts.deltas++;
      if (++sent === deltas) {
        this.stopAnswer();
        this.answerDone(id, 'completed');
      }
    }, DELTA_EVERY_MS);
  }

  protected stopAnswer(): boolean {
    if (!this.answer) return false;
    clearInterval(this.answer);
    this.answer = undefined;
    return true;
  }

  protected sendJson(text: string, binary = false): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(binary ? Buffer.from(text) : text);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopAnswer();
    open.delete(this);
    finished.push(this.counts);
  }

  protected abstract onMessage(data: RawData, isBinary: boolean): void;
  protected abstract speechStarted(): void;
  protected abstract speechStopped(): void;
  protected abstract toolCall(): void;
  protected abstract answerStarted(id: string): void;
  protected abstract delta(id: string, index: number): void;
  protected abstract answerDone(id: string, status: string): void;
}

/** OpenAI Realtime, GA shape. */
class OpenAIConversation extends Conversation {
  private item = '';
  private audioMs = 0;

  constructor(ws: WebSocket, uuid: string) {
    super(ws, uuid);
    this.send({ type: 'session.created', session: { id: `sess_${uuid}` } });
  }

  private send(event: Record<string, unknown>): void {
    this.sendJson(JSON.stringify({ event_id: `event_${++this.seq}`, ...event }));
  }

  protected onMessage(data: RawData): void {
    const e = JSON.parse(data.toString()) as { type: string; [k: string]: unknown };
    switch (e.type) {
      case 'input_audio_buffer.append': {
        const audio = Buffer.from(e.audio as string, 'base64');
        this.counts.audioMessages++;
        this.counts.audioBytes += audio.length;
        const frames: boolean[] = [];
        for (let at = 0; at + 160 <= audio.length; at += 160) frames.push(isUlawSpeech(audio, at));
        this.audioMs += (audio.length / 160) * 20;
        return this.hear(frames);
      }
      case 'session.update':
        return this.send({ type: 'session.updated', session: e.session });
      case 'conversation.item.create': {
        const item = e.item as { type?: string } | undefined;
        return this.send({ type: 'conversation.item.added', item: { id: `item_${this.seq}`, ...item } });
      }
      case 'response.create':
        return this.startAnswer();
      case 'response.cancel':
        if (this.stopAnswer()) this.answerDone(`resp_${this.seq}`, 'cancelled');
        return;
      case 'conversation.item.truncate':
        return this.send({ type: 'conversation.item.truncated', item_id: e.item_id, content_index: 0, audio_end_ms: e.audio_end_ms });
      case 'input_audio_buffer.clear':
        return this.send({ type: 'input_audio_buffer.cleared' });
      default:
    }
  }

  protected speechStarted(): void {
    this.send({ type: 'input_audio_buffer.speech_started', audio_start_ms: this.audioMs, item_id: `item_${this.seq}` });
  }

  protected speechStopped(): void {
    const item = `item_${this.seq}`;
    this.send({ type: 'input_audio_buffer.speech_stopped', audio_end_ms: this.audioMs, item_id: item });
    this.send({ type: 'input_audio_buffer.committed', item_id: item });
    this.send({ type: 'conversation.item.input_audio_transcription.completed', item_id: item, content_index: 0, transcript: 'Where is my order?' });
  }

  protected toolCall(): void {
    const id = `resp_${++this.seq}`;
    const call = `call_${this.seq}`;
    this.send({ type: 'response.created', response: { id, status: 'in_progress' } });
    this.send({ type: 'response.function_call_arguments.done', response_id: id, item_id: `fc_${this.seq}`, call_id: call, name: 'lookup_order', arguments: '{"order":"42"}' });
    this.send({
      type: 'response.output_item.done',
      response_id: id,
      output_index: 0,
      item: { id: `fc_${this.seq}`, type: 'function_call', status: 'completed', call_id: call, name: 'lookup_order', arguments: '{"order":"42"}' },
    });
    this.send({ type: 'response.done', response: { id, status: 'completed', output: [] } });
  }

  protected answerStarted(id: string): void {
    this.item = `item_${this.seq}`;
    this.send({ type: 'response.created', response: { id, status: 'in_progress' } });
    this.send({ type: 'response.output_item.added', response_id: id, output_index: 0, item: { id: this.item, type: 'message', role: 'assistant' } });
    this.send({ type: 'response.content_part.added', response_id: id, item_id: this.item, output_index: 0, content_index: 0, part: { type: 'audio' } });
  }

  protected delta(id: string, index: number): void {
    // The text is built as OpenAI's server writes it: one event per delta, the audio inline.
    this.sendJson(
      `{"type":"response.output_audio.delta","event_id":"event_${++this.seq}","response_id":"${id}","item_id":"${this.item}","output_index":0,"content_index":0,"delta":"${ULAW_DELTA}"}`,
    );
    if (index % 5 === 4) this.send({ type: 'response.output_audio_transcript.delta', response_id: id, item_id: this.item, output_index: 0, content_index: 0, delta: 'Your order is on its way. ' });
  }

  protected answerDone(id: string, status: string): void {
    this.send({ type: 'response.output_audio.done', response_id: id, item_id: this.item, output_index: 0, content_index: 0 });
    this.send({ type: 'response.output_audio_transcript.done', response_id: id, item_id: this.item, output_index: 0, content_index: 0, transcript: 'Your order is on its way.' });
    this.send({ type: 'response.output_item.done', response_id: id, output_index: 0, item: { id: this.item, type: 'message', status, role: 'assistant' } });
    this.send({ type: 'response.done', response: { id, status, usage: { total_tokens: 120, input_tokens: 80, output_tokens: 40 } } });
  }
}

/** Gemini Live: binary frames of JSON. */
class GeminiConversation extends Conversation {
  private tool = 0;

  private send(message: Record<string, unknown>): void {
    this.sendJson(JSON.stringify(message), true);
  }

  protected onMessage(data: RawData): void {
    const m = JSON.parse(data.toString()) as Record<string, Record<string, unknown> | undefined>;
    const audio = (m.realtimeInput?.audio as { data?: string } | undefined)?.data;
    if (audio !== undefined) {
      const pcm = Buffer.from(audio, 'base64');
      this.counts.audioMessages++;
      this.counts.audioBytes += pcm.length;
      const frames: boolean[] = [];
      for (let at = 0; at + 640 <= pcm.length; at += 640) frames.push(isPcmSpeech(pcm, at));
      return this.hear(frames);
    }
    if (m.setup) return this.send({ setupComplete: {} });
    if (m.clientContent || m.toolResponse) return this.startAnswer();
  }

  protected speechStarted(): void {
    this.send({ voiceActivity: { voiceActivityType: 'ACTIVITY_START' } });
  }

  protected speechStopped(): void {
    this.send({ voiceActivity: { voiceActivityType: 'ACTIVITY_END' } });
    this.send({ serverContent: { inputTranscription: { text: 'Where is my order?' } } });
  }

  protected toolCall(): void {
    this.send({ toolCall: { functionCalls: [{ id: `fc_${++this.tool}`, name: 'lookup_order', args: { order: '42' } }] } });
  }

  protected answerStarted(): void {}

  protected delta(_id: string, index: number): void {
    this.sendJson(`{"serverContent":{"modelTurn":{"role":"model","parts":[{"inlineData":{"mimeType":"audio/pcm;rate=24000","data":"${PCM24_DELTA}"}}]}}}`, true);
    if (index % 5 === 4) this.send({ serverContent: { outputTranscription: { text: 'Your order is on its way. ' } } });
  }

  protected answerDone(_id: string, status: string): void {
    if (status === 'cancelled') return this.send({ serverContent: { interrupted: true } });
    this.send({ serverContent: { generationComplete: true } });
    this.send({ serverContent: { turnComplete: true }, usageMetadata: { promptTokenCount: 80, responseTokenCount: 40, totalTokenCount: 120 } });
  }

  protected override startAnswer(): void {
    // Gemini stops an answer the caller talks over by itself (`interrupted`).
    if (this.answer) this.answerDone('', 'cancelled');
    super.startAnswer();
  }
}

/** A µ-law frame is speech when most of it is not the silence byte. */
function isUlawSpeech(b: Buffer, at: number): boolean {
  let loud = 0;
  for (let i = at; i < at + 160; i += 4) if (b[i] !== 0xff && b[i] !== 0x7f) loud++;
  return loud > 20;
}

/** A PCM16 frame is speech when a sample is loud. */
function isPcmSpeech(b: Buffer, at: number): boolean {
  for (let i = at; i < at + 640; i += 16) if (Math.abs(b.readInt16LE(i)) > 1000) return true;
  return false;
}

let server: Server | undefined;

serveRequests({
  /** Starts the server; `tls` for `wss://`. */
  async listen(r) {
    const tls = r.tls as { key: string; cert: string } | undefined;
    server = tls ? createHttpsServer({ key: tls.key, cert: tls.cert }) : createHttpServer();
    const wss = new WebSocketServer({ server, perMessageDeflate: false, maxPayload: 1 << 20 });
    wss.on('connection', (ws, req) => {
      const [, vendor, uuid = ''] = (req.url ?? '').split('?')[0]!.split('/');
      if (vendor === 'openai') new OpenAIConversation(ws, uuid);
      else if (vendor === 'gemini') new GeminiConversation(ws, uuid);
      else ws.close(1008, 'unknown vendor');
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return { port: (server.address() as AddressInfo).port };
  },
  startWindow() {
    window = startWindow();
  },
  stopWindow() {
    return window?.stop();
  },
  /** Every session's counts (the open ones as they are now). */
  counts() {
    return [...finished, ...[...open].map((c) => c.counts)];
  },
  openSessions() {
    return open.size;
  },
});
