/**
 * Answer audio back over the stream's own socket, for jambonz's `mod_audio_fork` started with
 * bidirectional audio (`... true true <rate>`): binary L16 at that rate, paced at one 20 ms
 * frame per tick (the module plays what it buffered, so pacing keeps what `killAudio` has to
 * drop — and what the caller hears after a barge-in — to a frame or two), `killAudio` on
 * barge-in, `mark` messages for playout confirmations.
 *
 * @module
 */
import { EventEmitter } from 'eventemitter3';
import type { AnswerSink, AnswerSinkEvents, AnswerSinkStats } from './answer-sink.js';
import { KILL_AUDIO_MESSAGE, type StreamMark, markMessage, readMark } from './audio-stream-modules.js';
import { Pacer } from './pacer.js';
import type { WebSocketAudioStream } from './ws-media-stream.js';

/** Options of {@link BinaryAnswerStream}. */
export interface BinaryAnswerOptions {
  /** The stream to send on. */
  stream: WebSocketAudioStream;
  /** The rate given to the module as its bidirectional sample rate. */
  sampleRate: number;
  /** Ms after which queued answer audio is dropped. Default 120 000. */
  maxQueueMs?: number;
  /** Send `killAudio` on barge-in (drops what the module buffered, and breaks the channel's playback). Default `true`. */
  killAudio?: boolean;
}

/** Events of {@link BinaryAnswerStream}: the sink's, plus the module's mark confirmations. */
export interface BinaryAnswerEvents extends AnswerSinkEvents {
  /** A mark came back: `playout` (reached the caller) or `cleared` (dropped by `killAudio`). */
  mark: [mark: StreamMark];
}

/** Paces answer audio as binary frames on a bidirectional `mod_audio_fork` stream. */
export class BinaryAnswerStream extends EventEmitter<BinaryAnswerEvents> implements AnswerSink {
  readonly sampleRate: number;
  /** `killAudio` messages sent. */
  killAudioSent = 0;
  private readonly pacer: Pacer;
  private readonly stream: WebSocketAudioStream;
  private readonly killAudio: boolean;
  /** Frames went out since the last `killAudio`: the module may hold some. */
  private sentSinceKill = false;

  constructor(options: BinaryAnswerOptions) {
    super();
    this.stream = options.stream;
    this.sampleRate = options.sampleRate;
    this.killAudio = options.killAudio ?? true;
    this.pacer = new Pacer({
      frameBytes: (options.sampleRate / 50) * 2,
      silenceByte: 0,
      maxQueueMs: options.maxQueueMs,
      clock: 'manual',
      send: (frame) => {
        if (this.stream.send(frame)) this.sentSinceKill = true;
      },
    });
    this.pacer.on('talkspurtStart', () => this.emit('talkspurtStart'));
    this.pacer.on('drained', () => this.emit('drained'));
    this.stream.on('text', (_text, json) => {
      const mark = readMark(json);
      if (mark) this.emit('mark', mark);
    });
  }

  write(pcm: Uint8Array): void {
    this.pacer.write(pcm);
  }

  end(): void {
    this.pacer.end();
  }

  flush(): { droppedMs: number } {
    const { droppedMs } = this.pacer.flush();
    if (this.killAudio && this.sentSinceKill) {
      this.sentSinceKill = false;
      this.killAudioSent++;
      this.stream.send(KILL_AUDIO_MESSAGE);
    }
    return { droppedMs };
  }

  /**
   * Queues a mark behind the audio sent so far: the module answers `playout` when the caller
   * has heard up to it, or `cleared` when `killAudio` dropped it (jambonz keeps up to 30).
   */
  mark(name: string): void {
    this.stream.send(markMessage(name));
  }

  tick(): void {
    this.pacer.tick();
  }

  get playedMs(): number {
    return this.pacer.playedMs;
  }

  get queuedMs(): number {
    return this.pacer.queuedMs;
  }

  stats(): AnswerSinkStats {
    return { framesSent: this.pacer.stats.framesSent, pacer: this.pacer.stats };
  }

  close(): void {
    this.pacer.close();
    this.removeAllListeners();
  }
}
