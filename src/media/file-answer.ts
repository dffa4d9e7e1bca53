/**
 * Answer audio for the modules that play nothing sent back on their socket (amigniter
 * `mod_audio_stream`, drachtio `mod_audio_fork`): the answer is cut into chunks, each becomes a
 * file, and FreeSWITCH plays the files in order on the channel; barge-in stops the one playing
 * and drops the queued ones (`uuid_break <uuid> all`). Playout is tracked from FreeSWITCH's
 * own execute events, so `playedMs`, `queuedMs`, `talkspurtStart` and `drained` mean what they
 * mean on the other transports.
 *
 * The first chunk of an answer is small (`minChunkMs`) so the caller hears it soon; later ones
 * are longer (`chunkMs`), each handed to FreeSWITCH before the one playing runs out
 * (`lowWaterMs`), so the files play back to back.
 *
 * @module
 */
import { EventEmitter } from 'eventemitter3';
import { MediaError } from '../errors.js';
import type { AnswerSink, AnswerSinkEvents, AnswerSinkStats } from './answer-sink.js';
import type { AnswerFileWriter } from './answer-file-writers.js';

/** How FreeSWITCH is asked to play the files, and how their playout is observed. */
export interface PlaybackControl {
  /** Plays `path` after the files already queued on the channel. */
  play(path: string): Promise<unknown>;
  /** Stops the file playing and drops the queued ones (`uuid_break <uuid> all`). */
  stopAll(): Promise<unknown>;
  /** Calls `listener` when a file starts and stops playing; returns the unsubscribe function. */
  watch(listener: (path: string, phase: 'start' | 'stop') => void): () => void;
}

/** Options of {@link FileAnswerPlayer}. */
export interface FileAnswerOptions {
  /** The rate of the PCM16 written (and of the files). */
  sampleRate: number;
  /** Writes each chunk of the answer as a file FreeSWITCH can play. */
  writer: AnswerFileWriter;
  /** Plays and stops those files on the call. */
  control: PlaybackControl;
  /** Ms of audio in an answer's first file, and in any file started while nothing is queued. Default 200. */
  minChunkMs?: number;
  /** Ms of audio per file otherwise. Default 1000. */
  chunkMs?: number;
  /** The next file is made once less than this much audio is left queued in FreeSWITCH. Default 400. */
  lowWaterMs?: number;
  /** Ms a file may take to be written (or named by the module) before it is skipped. Default 3000. */
  writeTimeoutMs?: number;
  /** Ms of answer audio kept waiting at most; beyond it the newest is dropped. Default 120 000. */
  maxQueueMs?: number;
  /** Time source (tests). Default `performance.now`. */
  now?: () => number;
}

/** Counters of a {@link FileAnswerPlayer}. */
export interface FileAnswerStats extends AnswerSinkStats {
  /** Files made. */
  files: number;
  /** Files that played to their end. */
  filesPlayed: number;
  /** Files stopped or dropped by barge-in. */
  filesCancelled: number;
  /** Files that could not be made or played. */
  filesFailed: number;
  /** Bytes of answer audio dropped because the queue was full. */
  bytesDropped: number;
  /** Barge-ins handled. */
  flushes: number;
}

type ChunkState = 'writing' | 'ready' | 'queued' | 'playing' | 'done' | 'cancelled';

interface Chunk {
  readonly id: number;
  readonly answer: number;
  readonly durationMs: number;
  state: ChunkState;
  path?: string;
  startedAt?: number;
  timer?: NodeJS.Timeout;
}

/** Plays an answer as a sequence of files. */
export class FileAnswerPlayer extends EventEmitter<AnswerSinkEvents> implements AnswerSink {
  readonly sampleRate: number;
  /** Its counters, live. */
  readonly counters: FileAnswerStats = { framesSent: 0, pacer: undefined, files: 0, filesPlayed: 0, filesCancelled: 0, filesFailed: 0, bytesDropped: 0, flushes: 0 };
  private readonly writer: AnswerFileWriter;
  private readonly control: PlaybackControl;
  private readonly minChunkBytes: number;
  private readonly chunkBytes: number;
  private readonly lowWaterMs: number;
  private readonly writeTimeoutMs: number;
  private readonly maxBytes: number;
  private readonly now: () => number;
  private readonly bytesPerMs: number;
  private readonly unwatch: () => void;
  /** Audio not yet in a file. */
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  /** Chunks in order, until they are done. */
  private chunks: Chunk[] = [];
  private byPath = new Map<string, Chunk>();
  private nextId = 0;
  /** The answer being written; a flush starts the next. */
  private answer = 0;
  /** `end()` was called for the current answer. */
  private ended = false;
  /** The current answer's first file started. */
  private talking = false;
  /** The current answer has audio (so its end is worth a `drained`). */
  private hadAudio = false;
  private playedDoneMs = 0;
  /** `playedMs` starts again with the next answer's first write. */
  private resetPlayed = false;
  private closed = false;

  constructor(options: FileAnswerOptions) {
    super();
    this.sampleRate = options.sampleRate;
    this.writer = options.writer;
    this.control = options.control;
    this.bytesPerMs = (options.sampleRate * 2) / 1000;
    this.minChunkBytes = this.bytes(options.minChunkMs ?? 200);
    this.chunkBytes = Math.max(this.minChunkBytes, this.bytes(options.chunkMs ?? 1000));
    this.lowWaterMs = options.lowWaterMs ?? 400;
    this.writeTimeoutMs = options.writeTimeoutMs ?? 3000;
    this.maxBytes = this.bytes(options.maxQueueMs ?? 120_000);
    this.now = options.now ?? (() => performance.now());
    this.unwatch = this.control.watch((path, phase) => (phase === 'start' ? this.started(path) : this.stopped(path)));
  }

  write(pcm: Uint8Array): void {
    if (this.closed || pcm.length === 0) return;
    if (this.resetPlayed) {
      this.resetPlayed = false;
      this.playedDoneMs = 0;
    }
    this.ended = false;
    this.hadAudio = true;
    const room = this.maxBytes - this.pendingBytes - this.inFlightBytes();
    if (pcm.length > room) {
      this.counters.bytesDropped += pcm.length - Math.max(0, room);
      if (room <= 0) return;
      pcm = pcm.subarray(0, room - (room & 1));
    }
    this.pending.push(pcm);
    this.pendingBytes += pcm.length;
    this.cut();
  }

  end(): void {
    if (this.closed) return;
    this.ended = true;
    if (this.pendingBytes > 0) this.emitChunk();
    this.checkDrained();
  }

  flush(): { droppedMs: number } {
    const droppedMs = this.queuedMs;
    this.counters.flushes++;
    let inFreeSwitch = false;
    for (const c of this.chunks) {
      if (c.state === 'queued' || c.state === 'playing') inFreeSwitch = true;
      this.cancel(c);
    }
    this.chunks = [];
    this.pending = [];
    this.pendingBytes = 0;
    this.answer++;
    this.ended = false;
    this.talking = false;
    this.hadAudio = false;
    this.resetPlayed = true;
    if (inFreeSwitch) this.control.stopAll().catch((error: unknown) => this.fail(`uuid_break failed: ${(error as Error).message}`, error));
    return { droppedMs };
  }

  tick(): void {
    if (this.pendingBytes > 0) this.cut();
  }

  get playedMs(): number {
    const playing = this.chunks.find((c) => c.state === 'playing');
    return this.playedDoneMs + (playing ? Math.min(this.now() - playing.startedAt!, playing.durationMs) : 0);
  }

  get queuedMs(): number {
    return this.pendingBytes / this.bytesPerMs + this.inFlightMs();
  }

  stats(): FileAnswerStats {
    return { ...this.counters };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unwatch();
    for (const c of this.chunks) if (c.timer) clearTimeout(c.timer);
    this.chunks = [];
    this.byPath.clear();
    this.writer.close();
    this.removeAllListeners();
  }

  private bytes(ms: number): number {
    const n = Math.round(ms * this.bytesPerMs);
    return n - (n & 1);
  }

  /** Audio handed over and not played yet, ms (the file playing counts what is left of it). */
  private inFlightMs(): number {
    let ms = 0;
    const now = this.now();
    for (const c of this.chunks) {
      if (c.state === 'done' || c.state === 'cancelled') continue;
      ms += c.state === 'playing' ? Math.max(0, c.durationMs - (now - c.startedAt!)) : c.durationMs;
    }
    return ms;
  }

  private inFlightBytes(): number {
    return this.inFlightMs() * this.bytesPerMs;
  }

  /** Makes files from the pending audio when the policy says so. */
  private cut(): void {
    for (;;) {
      if (this.pendingBytes >= this.chunkBytes) this.emitChunk(this.chunkBytes);
      else if (this.pendingBytes >= this.minChunkBytes && this.inFlightMs() < this.lowWaterMs) this.emitChunk();
      else return;
    }
  }

  /** Turns `size` bytes (default: all) of the pending audio into a file. */
  private emitChunk(size = this.pendingBytes): void {
    const pcm = this.take(size);
    const chunk: Chunk = { id: this.nextId++, answer: this.answer, durationMs: pcm.length / this.bytesPerMs, state: 'writing' };
    this.chunks.push(chunk);
    this.counters.files++;
    this.counters.framesSent += Math.ceil(chunk.durationMs / 20);
    chunk.timer = setTimeout(() => {
      if (chunk.state !== 'writing') return;
      this.counters.filesFailed++;
      this.cancel(chunk);
      this.fail(`answer audio file not ready within ${this.writeTimeoutMs} ms`);
      this.advance();
    }, this.writeTimeoutMs);
    this.writer.write(pcm, this.sampleRate).then(
      (path) => {
        clearTimeout(chunk.timer);
        if (chunk.state !== 'writing') return this.writer.release(path);
        chunk.path = path;
        chunk.state = 'ready';
        this.byPath.set(path, chunk);
        this.advance();
      },
      (error: unknown) => {
        clearTimeout(chunk.timer);
        if (chunk.state !== 'writing') return;
        this.counters.filesFailed++;
        chunk.state = 'cancelled';
        this.fail((error as Error).message, error);
        this.advance();
      },
    );
  }

  /** Hands ready files to FreeSWITCH in order: a file waits for every earlier one. */
  private advance(): void {
    for (const c of this.chunks) {
      if (c.state === 'writing') return;
      if (c.state !== 'ready') continue;
      c.state = 'queued';
      this.control.play(c.path!).catch((error: unknown) => {
        if (c.state !== 'queued') return;
        this.counters.filesFailed++;
        this.cancel(c);
        this.fail(`FreeSWITCH did not play ${c.path}: ${(error as Error).message}`, error);
        this.prune();
        this.checkDrained();
      });
    }
    this.prune();
    this.checkDrained();
  }

  private started(path: string): void {
    const chunk = this.byPath.get(path);
    if (chunk === undefined || chunk.state !== 'queued') return;
    chunk.state = 'playing';
    chunk.startedAt = this.now();
    if (!this.talking && chunk.answer === this.answer) {
      this.talking = true;
      this.emit('talkspurtStart');
    }
  }

  private stopped(path: string): void {
    const chunk = this.byPath.get(path);
    if (chunk === undefined) return;
    this.byPath.delete(path);
    this.writer.release(path);
    if (chunk.state !== 'playing' && chunk.state !== 'queued') return;
    chunk.state = 'done';
    this.counters.filesPlayed++;
    if (chunk.answer === this.answer) this.playedDoneMs += chunk.durationMs;
    this.prune();
    // Less queued now: the next file may be due.
    if (this.pendingBytes > 0) this.cut();
    this.checkDrained();
  }

  private cancel(chunk: Chunk): void {
    if (chunk.timer) clearTimeout(chunk.timer);
    if (chunk.state === 'done' || chunk.state === 'cancelled') return;
    if (chunk.state !== 'writing') this.counters.filesCancelled++;
    chunk.state = 'cancelled';
    if (chunk.path !== undefined) {
      this.byPath.delete(chunk.path);
      this.writer.release(chunk.path);
    }
  }

  /** Drops finished chunks from the front. */
  private prune(): void {
    let i = 0;
    while (i < this.chunks.length && (this.chunks[i]!.state === 'done' || this.chunks[i]!.state === 'cancelled')) i++;
    if (i > 0) this.chunks = this.chunks.slice(i);
  }

  private checkDrained(): void {
    if (!this.ended || this.pendingBytes > 0 || this.chunks.length > 0) return;
    this.ended = false;
    this.talking = false;
    this.resetPlayed = true;
    if (this.hadAudio) {
      this.hadAudio = false;
      this.emit('drained');
    }
  }

  private take(size: number): Uint8Array {
    const out = new Uint8Array(size);
    let filled = 0;
    while (filled < size) {
      const head = this.pending[0]!;
      const n = Math.min(size - filled, head.length);
      out.set(head.subarray(0, n), filled);
      filled += n;
      if (n === head.length) this.pending.shift();
      else this.pending[0] = head.subarray(n);
    }
    this.pendingBytes -= size;
    return out;
  }

  private fail(message: string, cause?: unknown): void {
    this.emit('error', new MediaError(message, { cause }));
  }
}
