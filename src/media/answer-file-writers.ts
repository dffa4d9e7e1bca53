/**
 * How answer audio becomes a file FreeSWITCH can play, for the modules that play nothing sent
 * back on the socket: written by us into a directory FreeSWITCH reads (same host or a shared
 * mount: the fastest), or sent to the module as `streamAudio` / `playAudio`, which writes it
 * into FreeSWITCH's temporary directory and names it in its play event (works across hosts).
 *
 * @module
 */
import { mkdir, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MediaError } from '../errors.js';
import { type AudioStreamModule, playFileMessage } from './audio-stream-modules.js';
import type { WebSocketAudioStream } from './ws-media-stream.js';

/** Turns PCM16 chunks into playable files, in order. */
export interface AnswerFileWriter {
  /**
   * Makes a file of `pcm` (PCM16 LE at `sampleRate`); resolves with the path FreeSWITCH plays.
   * Chunks resolve in the order they were given.
   */
  write(pcm: Uint8Array, sampleRate: number): Promise<string>;
  /** The file has played (or will not be): it may go. */
  release(path: string): void;
  /** Removes every file still held. */
  close(): void;
}

/** The raw-file extension FreeSWITCH's `mod_sndfile` reads as L16 at a rate: `r8`, `r16`, `r24`, `r48`. */
export function rawExtension(sampleRate: number): string {
  return `r${sampleRate / 1000}`;
}

/**
 * Writes `<directory>/<prefix>-<n>.r<rate>` files (the directory is created) and deletes each
 * once played, and every one left at {@link DirectoryFileWriter.close}.
 */
export class DirectoryFileWriter implements AnswerFileWriter {
  private readonly files = new Set<string>();
  private made: Promise<unknown> | undefined;
  private n = 0;
  private closed = false;

  constructor(
    private readonly directory: string,
    private readonly prefix: string,
    private readonly onError: (error: MediaError) => void,
  ) {}

  async write(pcm: Uint8Array, sampleRate: number): Promise<string> {
    const path = join(this.directory, `${this.prefix}-${this.n++}.${rawExtension(sampleRate)}`);
    this.made ??= mkdir(this.directory, { recursive: true });
    try {
      await this.made;
      if (this.closed) throw new MediaError('the transport closed');
      this.files.add(path);
      await writeFile(path, pcm);
    } catch (error) {
      this.release(path);
      throw error instanceof MediaError ? error : new MediaError(`cannot write answer audio to ${path}: ${(error as Error).message}`, { cause: error });
    }
    if (this.closed) {
      this.release(path);
      throw new MediaError('the transport closed');
    }
    return path;
  }

  release(path: string): void {
    if (!this.files.delete(path)) return;
    unlink(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') this.onError(new MediaError(`cannot remove ${path}: ${error.message}`, { cause: error }));
    });
  }

  close(): void {
    this.closed = true;
    for (const path of [...this.files]) this.release(path);
  }
}

/**
 * Sends each chunk to the module (`streamAudio` / `playAudio`), which writes it into
 * FreeSWITCH's temporary directory and fires its play event with the path: the transport
 * feeds those paths to {@link ModuleFileWriter.filePlayed} in event order. The module deletes
 * the files when the stream stops.
 */
export class ModuleFileWriter implements AnswerFileWriter {
  private readonly waiting: { resolve: (path: string) => void; reject: (error: Error) => void }[] = [];

  constructor(
    private readonly stream: WebSocketAudioStream,
    private readonly module: AudioStreamModule,
  ) {}

  write(pcm: Uint8Array, sampleRate: number): Promise<string> {
    return new Promise((resolve, reject) => {
      if (!this.stream.send(playFileMessage(this.module, pcm, sampleRate))) {
        reject(new MediaError(`answer audio not sent to ${this.module}: ${this.stream.isOpen ? 'it is not reading' : 'the stream is closed'}`));
        return;
      }
      this.waiting.push({ resolve, reject });
    });
  }

  /** The module's play event named a file: it is the oldest chunk still waiting. */
  filePlayed(path: string): void {
    this.waiting.shift()?.resolve(path);
  }

  release(): void {}

  close(): void {
    for (const w of this.waiting.splice(0)) w.reject(new MediaError('the transport closed'));
  }
}
