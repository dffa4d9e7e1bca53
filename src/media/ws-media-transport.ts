/**
 * A call's audio over a `mod_audio_stream` / `mod_audio_fork` WebSocket stream, behind the same
 * contract as the UDP bridge: caller audio as 20 ms `audio` events in the consumer's format,
 * answer audio written in the provider's format and played through the stream's answer path
 * (binary frames, or files), barge-in and playout accounting.
 *
 * @module
 */
import { EventEmitter } from 'eventemitter3';
import { getDefaultConfig } from '../config/defaults.js';
import { MediaError, MediaStreamError } from '../errors.js';
import { reportError } from '../error-reporting.js';
import { type Logger, defaultLogger } from '../logger.js';
import type { AnswerSink } from './answer-sink.js';
import { type AudioFormat, type SampleRate, formatName } from './audio-format.js';
import type { StreamMark } from './audio-stream-modules.js';
import { BinaryAnswerStream } from './binary-answer.js';
import { ByteAligner } from './byte-aligner.js';
import { type MediaClock, getMediaClock } from './media-clock.js';
import type { MediaTransport, MediaTransportEvents, MediaTransportStats } from './media-transport.js';
import { StreamReceiver, type StreamReceiverStats } from './stream-receiver.js';
import { wireFormat } from './wire-codec.js';
import { WireDecoder } from './wire-transcoder.js';
import type { WebSocketAudioStream, WebSocketAudioStreamStats } from './ws-media-stream.js';

/** Options of {@link WebSocketMediaTransport}. */
export interface WebSocketMediaTransportOptions {
  /** The call's stream (claimed from the server). */
  stream: WebSocketAudioStream;
  /** The rate the module streams at (its `start` rate argument). */
  sampleRate: SampleRate;
  /** The format `audio` events carry. Default PCM16 8 kHz. */
  output?: AudioFormat;
  /** The format {@link WebSocketMediaTransport.write} takes. Default: same as `output`. */
  input?: AudioFormat;
  /** Where answer audio goes; its rate must be {@link answerRate}(`input`). */
  answer: AnswerSink;
  /** Jitter-buffer delays (default `RTP_JITTER_*`, as the UDP bridge). */
  jitter?: { minMs?: number; maxMs?: number; targetMs?: number };
  /** Ms between an unexpected close of the socket and `lost` (a hangup closes it too, and its event may come later). Default 250. */
  lostGraceMs?: number;
  /** Ms without any audio from the stream before an `error` says so (the stream goes on). Default 5000; 0 disables. */
  noAudioTimeoutMs?: number;
  /** The 20 ms clock. Default: the process-wide {@link getMediaClock}. */
  clock?: MediaClock;
  /** A pino-compatible logger. Default: `defaultLogger`. */
  logger?: Logger;
}

/** Events of {@link WebSocketMediaTransport}. */
export interface WebSocketMediaTransportEvents extends MediaTransportEvents {
  /** jambonz `mod_audio_fork`: a mark came back (`playout` or `cleared`). */
  mark: [mark: StreamMark];
}

/** Counters of a {@link WebSocketMediaTransport}. */
export interface WebSocketMediaTransportStats extends MediaTransportStats {
  /** The reframing of caller audio. */
  receiver: StreamReceiverStats;
  /** The socket's counters. */
  stream: WebSocketAudioStreamStats;
  /** The answer path's own counters. */
  answer: ReturnType<AnswerSink['stats']>;
}

/** The PCM16 rate an answer path is given for provider audio in `input`: its own rate, or 8 kHz for G.711. */
export function answerRate(input: AudioFormat): number {
  return input.encoding === 'pcm16' ? input.sampleRate : 8000;
}

/**
 * One call's audio over a WebSocket stream.
 *
 * ```ts
 * const stream = await server.claim(call.uuid);
 * const transport = new WebSocketMediaTransport({ stream, sampleRate: 8000, answer: new FileAnswerPlayer({ ... }) });
 * transport.on('audio', (frame) => provider.sendAudio(frame));
 * ```
 */
export class WebSocketMediaTransport extends EventEmitter<WebSocketMediaTransportEvents> implements MediaTransport {
  /** This is the WebSocket transport. */
  readonly kind = 'websocket' as const;
  /** The call's stream. */
  readonly stream: WebSocketAudioStream;
  private readonly receiver: StreamReceiver;
  private readonly answer: AnswerSink;
  private readonly decodeG711: WireDecoder | undefined;
  private readonly logger: Logger;
  private readonly unsubscribe: () => void;
  private readonly timers: NodeJS.Timeout[] = [];
  /** PCM16 samples split between two writes. */
  private readonly samples = new ByteAligner(2);
  private closed = false;

  constructor(options: WebSocketMediaTransportOptions) {
    super();
    this.stream = options.stream;
    this.answer = options.answer;
    this.logger = options.logger ?? defaultLogger;
    const output = options.output ?? { encoding: 'pcm16', sampleRate: 8000 };
    const input = options.input ?? output;
    if (input.encoding !== 'pcm16' && input.sampleRate !== 8000) throw new MediaError(`${formatName(input)}: G.711 is 8 kHz only`);
    if (options.answer.sampleRate !== answerRate(input)) {
      throw new MediaError(`the answer path takes PCM16 at ${options.answer.sampleRate} Hz; ${formatName(input)} needs ${answerRate(input)} Hz`);
    }
    if (input.encoding !== 'pcm16') this.decodeG711 = new WireDecoder(wireFormat(input.encoding === 'mulaw' ? 'PCMU' : 'PCMA', 'raw'), 8000);
    this.receiver = new StreamReceiver({ sampleRate: options.sampleRate, output, jitter: { ...getDefaultConfig().rtp.jitter, ...options.jitter } });

    this.answer.on('talkspurtStart', () => this.emit('talkspurtStart'));
    this.answer.on('drained', () => this.emit('drained'));
    this.answer.on('error', (error) => this.report(error));
    if (this.answer instanceof BinaryAnswerStream) this.answer.on('mark', (mark) => this.emit('mark', mark));

    this.stream.on('audio', (bytes) => {
      if (!this.closed) this.receiver.push(bytes, performance.now());
    });
    this.stream.on('close', ({ code, reason, byUs, error }) => {
      if (byUs || this.closed) return;
      // A hangup closes the socket too, and its ESL event may arrive just after: give the call's
      // owner a moment to close us before calling it a loss.
      this.later(options.lostGraceMs ?? 250, () => this.lose(code, error?.message ?? reason, error));
    });
    const clock = options.clock ?? getMediaClock();
    this.unsubscribe = clock.subscribe(() => {
      this.answer.tick();
      if (!this.closed) this.emit('audio', this.receiver.pull());
    });
    const noAudioMs = options.noAudioTimeoutMs ?? 5000;
    if (noAudioMs > 0) {
      this.later(noAudioMs, () => {
        if (this.receiver.counters.frames === 0 && this.stream.isOpen) {
          this.report(new MediaStreamError(`no audio from ${this.stream.module} within ${noAudioMs} ms: is the channel answered and reading media (parked)?`, this.stream.uuid ?? '', this.stream.module, 'no-audio'));
        }
      });
    }
    // Whatever arrived before this transport existed (audio, the metadata) is delivered now.
    this.stream.attach();
  }

  /** Provider audio, in the `input` format, any amount. */
  write(chunk: Uint8Array): void {
    if (this.closed || chunk.length === 0) return;
    if (this.decodeG711) return this.answer.write(this.decodeG711.decode(chunk));
    const bytes = this.samples.push(chunk);
    if (bytes.length > 0) this.answer.write(bytes);
  }

  /** The answer is complete: it plays to its end, then `drained`. */
  endOfAnswer(): void {
    if (!this.closed) this.answer.end();
  }

  /** Barge-in: stops what plays, drops what waits. */
  flush(): { droppedMs: number } {
    this.samples.reset();
    return this.answer.flush();
  }

  /**
   * jambonz `mod_audio_fork` only: a mark behind the answer audio written so far; `mark`
   * reports its `playout` (or `cleared`).
   */
  mark(name: string): void {
    if (!(this.answer instanceof BinaryAnswerStream)) throw new MediaError('marks need the bidirectional (jambonz) mod_audio_fork');
    this.answer.mark(name);
  }

  /** Whether {@link WebSocketMediaTransport.close} ran. */
  get isClosed(): boolean {
    return this.closed;
  }

  get playedMs(): number {
    return this.answer.playedMs;
  }

  get queuedMs(): number {
    return this.answer.queuedMs;
  }

  /** Counters of the caller side, the answer side and the socket. */
  stats(): WebSocketMediaTransportStats {
    const receiver = this.receiver.stats();
    const answer = this.answer.stats();
    const { jitter, ...reframing } = receiver;
    return { framesSent: answer.framesSent, jitter, pacer: answer.pacer, receiver: reframing, stream: { ...this.stream.stats }, answer };
  }

  /** Stops the clock, the answer path (files removed) and the socket. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    for (const t of this.timers) clearTimeout(t);
    this.answer.close();
    this.stream.close(1000, 'call ended');
    this.removeAllListeners();
  }

  private lose(code: number, reason: string, cause?: Error): void {
    if (this.closed) return;
    const error = new MediaStreamError(
      `the ${this.stream.module} stream of call ${this.stream.uuid ?? '?'} closed mid-call (${code}${reason ? ` ${reason}` : ''})`,
      this.stream.uuid ?? '',
      this.stream.module,
      'closed',
      { cause },
    );
    if (this.listenerCount('lost') > 0) this.emit('lost', error);
    else this.logger.error({ uuid: this.stream.uuid, err: error }, `unhandled ${error.name}: ${error.message}`);
  }

  private report(error: MediaError): void {
    reportError(this, error, this.logger, { uuid: this.stream.uuid });
  }

  private later(ms: number, fn: () => void): void {
    const timer = setTimeout(fn, ms);
    this.timers.push(timer);
  }
}
