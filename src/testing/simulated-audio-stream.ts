/**
 * One simulated `mod_audio_stream` / `mod_audio_fork` stream: a WebSocket client that behaves as
 * the recordings in `test/fixtures/ws/` show — metadata first (`mod_audio_fork`) or just after
 * the first frame (`mod_audio_stream`), 20 ms L16 frames with `0xFF` filler at the start and
 * around playbacks, two frames joined now and then (`mod_audio_fork`), files written from
 * `streamAudio` / `playAudio` with the module's play event, `killAudio`, jambonz's binary
 * playout with marks, and the close codes and reasons of each module.
 *
 * @module
 */
import { writeFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { AUDIO_FORK_SUBPROTOCOL, type AudioStreamModule } from '../media/audio-stream-modules.js';
import { pcmFromLE, pcmToLE } from '../media/pcm.js';
import { Resampler } from '../media/resampler.js';
import type { SampleRate } from '../media/audio-format.js';
import type { SimulatedChannel } from './channel-model.js';
import type { SwitchCore } from './switch-core.js';
import { Wakeups } from './wakeups.js';

/** How a simulated stream was started (the parsed `start` arguments). */
export interface SimulatedStreamParams {
  /** The module. */
  module: AudioStreamModule;
  /** The WebSocket URL it connects to. */
  url: string;
  /** The rate it streams at. */
  sampleRate: number;
  /** The media bug's name. */
  bug: string;
  /** The metadata sent first, if any. */
  metadata: string | undefined;
  /** jambonz bidirectional audio: binary L16 sent back plays at this rate. */
  bidirectionalRate: number | undefined;
}

/** A message the simulated module received from the server. */
export interface SimulatedStreamMessage {
  /** WebSocket message type. */
  type: 'text' | 'binary';
  /** The message: text, or the binary payload. */
  data: string | Buffer;
  /** `performance.now()` at arrival. */
  at: number;
}

/** Behaviour knobs shared by every stream of a {@link SimulatedAudioStreamModules}. */
export interface SimulatedStreamBehaviour {
  /** FreeSWITCH's temporary directory, where the modules write the files they are sent. */
  tempDirectory: string;
  /** `mod_audio_fork` joins two frames into one message every this many frames (0: never). The recordings show about one in a hundred. */
  joinEvery: number;
  /** The caller's voice at 8 kHz (silence after it), by call uuid. */
  callerAudio: (uuid: string) => Int16Array | undefined;
  /** A global file counter, as drachtio's `mod_audio_fork` has (`playCount`). */
  nextForkFile: () => number;
}

const FILLER = 0xff;

/** One stream of one call. */
export class SimulatedAudioStream {
  /** Every message the server sent, in order. */
  readonly received: SimulatedStreamMessage[] = [];
  /** What the caller heard of jambonz binary audio, at 8 kHz. */
  readonly heard: Int16Array[] = [];
  /** Marks sent back (`playout` / `cleared`), in order. */
  readonly marks: { name: string; event: 'playout' | 'cleared' }[] = [];
  /** Files written from `streamAudio` / `playAudio`. */
  readonly files: string[] = [];
  /** Binary frames sent to the server. */
  framesSent = 0;
  /** How the socket closed (`undefined` while open). */
  closed: { code: number; reason: string; by: 'module' | 'server' | 'error' } | undefined;
  /** Set once the socket is open. */
  connected = false;
  private readonly socket: WebSocket;
  private readonly wakeups = new Wakeups();
  private timer: NodeJS.Timeout | undefined;
  private position = 0;
  private ticks = 0;
  private lastApp: string | undefined;
  private readonly upsampler: Resampler | undefined;
  /** jambonz: buffered playout samples at the bidirectional rate, marks in between. */
  private playout: (Int16Array | { mark: string })[] = [];
  private pendingMarks: string[] = [];
  private setAside: number | undefined;
  private readonly downsampler: Resampler | undefined;
  private stopping = false;

  constructor(
    /** The channel it streams. */
    readonly channel: SimulatedChannel,
    /** How it was started. */
    readonly params: SimulatedStreamParams,
    private readonly core: SwitchCore,
    private readonly behaviour: SimulatedStreamBehaviour,
    private readonly onGone: () => void,
  ) {
    if (params.sampleRate !== 8000) this.upsampler = new Resampler({ from: 8000, to: params.sampleRate as SampleRate });
    if (params.bidirectionalRate !== undefined && params.bidirectionalRate !== 8000) {
      this.downsampler = new Resampler({ from: params.bidirectionalRate as SampleRate, to: 8000 });
    }
    const fork = params.module === 'mod_audio_fork';
    // libwsc (mod_audio_stream) offers permessage-deflate; libwebsockets (mod_audio_fork) asks for its subprotocol.
    this.socket = new WebSocket(params.url, fork ? [AUDIO_FORK_SUBPROTOCOL] : [], {
      perMessageDeflate: fork ? false : { clientNoContextTakeover: true, serverNoContextTakeover: true, clientMaxWindowBits: 9 },
      headers: { Origin: new URL(params.url).origin.replace(/^ws/, 'http') },
    });
    this.socket.on('open', () => this.opened());
    this.socket.on('message', (data, isBinary) => this.message(data as Buffer, isBinary));
    this.socket.on('unexpected-response', (_req, res) => this.connectFailed(`HTTP ${res.statusCode}`, res.statusCode ?? 0));
    this.socket.on('error', (error) => {
      if (!this.connected) this.connectFailed(error.message, 0);
    });
    this.socket.on('close', (code, reason) => {
      this.connected = false;
      if (this.timer) clearTimeout(this.timer);
      if (this.closed === undefined) {
        this.closed = { code, reason: reason.toString(), by: 'server' };
        // The far end closed: the module reports it (drachtio: no body).
        const body = fork ? undefined : JSON.stringify({ status: 'disconnected', message: { code, reason: reason.toString() } });
        this.fire(fork ? 'mod_audio_fork::disconnect' : 'mod_audio_stream::disconnect', body);
      }
      this.wakeups.wake();
    });
  }

  /** The uuid of the call. */
  get uuid(): string {
    return this.channel.uuid;
  }

  /** Resolves once `predicate` holds (checked whenever something happens to the stream). */
  async until(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
    await this.wakeups.until(predicate, timeoutMs, () => `simulated ${this.params.module} stream of ${this.uuid}: condition not met within ${timeoutMs} ms`);
  }

  /** Sends one binary message to the server now, out of the 20 ms schedule (tests, benchmarks). */
  inject(bytes: Uint8Array): boolean {
    if (!this.connected) return false;
    this.socket.send(bytes, { binary: true });
    return true;
  }

  /** `send_text`: a text message to the server. */
  sendText(text: string): boolean {
    if (!this.connected) return false;
    this.socket.send(text);
    return true;
  }

  /** `stop [text]`: the text goes last, then the close (1000, "Normal closure" or empty). */
  stop(text?: string): void {
    if (this.stopping) return;
    this.stopping = true;
    if (this.connected && text !== undefined) this.socket.send(text);
    this.close(1000, this.params.module === 'mod_audio_stream' ? 'Normal closure' : '');
    this.removeFiles();
    this.onGone();
  }

  /** The channel hung up: the module closes as on `stop`, without final text. */
  hangup(): void {
    this.stop(undefined);
  }

  /** Drops the connection without a close frame (a crash). */
  terminate(): void {
    this.closed ??= { code: 1006, reason: '', by: 'module' };
    this.socket.terminate();
    if (this.timer) clearTimeout(this.timer);
    this.onGone();
  }

  private close(code: number, reason: string): void {
    if (this.timer) clearTimeout(this.timer);
    this.closed ??= { code, reason, by: 'module' };
    if (this.socket.readyState === WebSocket.OPEN || this.socket.readyState === WebSocket.CONNECTING) this.socket.close(code, reason);
    this.wakeups.wake();
  }

  private opened(): void {
    if (this.stopping) return this.socket.close(1000);
    this.connected = true;
    const fork = this.params.module === 'mod_audio_fork';
    this.fire(fork ? 'mod_audio_fork::connect' : 'mod_audio_stream::connect', fork ? undefined : '{"status":"connected"}');
    // mod_audio_fork sends its metadata first; mod_audio_stream's open callback races its media
    // thread, so a frame can come first (audio-stream-8k.json).
    if (fork && this.params.metadata !== undefined) this.socket.send(this.params.metadata);
    this.sendFrames(1, true);
    if (!fork && this.params.metadata !== undefined) this.socket.send(this.params.metadata);
    const started = performance.now();
    let owed = 0;
    const tick = (): void => {
      if (!this.connected || this.stopping) return;
      if (this.channel.isDown) return this.hangup();
      this.ticks++;
      owed++;
      // libwebsockets is not always ready to write: then the next message carries two frames.
      const skip = fork && this.behaviour.joinEvery > 0 && this.ticks % this.behaviour.joinEvery === 0;
      if (!skip) {
        this.sendFrames(owed, false);
        owed = 0;
      }
      this.playTick();
      this.wakeups.wake();
      this.timer = setTimeout(tick, Math.max(0, started + this.ticks * 20 - performance.now()));
    };
    this.timer = setTimeout(tick, 20);
    this.wakeups.wake();
  }

  /** `n` frames in one message: caller audio, or filler at the start and when a playback starts or stops. */
  private sendFrames(n: number, filler: boolean): void {
    const app = this.channel.currentApp?.name;
    const playbackEdge = (app === 'playback') !== (this.lastApp === 'playback');
    this.lastApp = app;
    const frameBytes = (this.params.sampleRate / 50) * 2;
    const out = Buffer.alloc(frameBytes * n);
    for (let i = 0; i < n; i++) {
      if (filler || playbackEdge) out.fill(FILLER, i * frameBytes, (i + 1) * frameBytes);
      else this.callerFrame().copy(out, i * frameBytes);
    }
    this.socket.send(out, { binary: true });
    this.framesSent += n;
  }

  /** 20 ms of the caller at the stream's rate. */
  private callerFrame(): Buffer {
    const audio = this.behaviour.callerAudio(this.uuid);
    const samples = new Int16Array(160);
    if (audio && this.position < audio.length) samples.set(audio.subarray(this.position, this.position + 160));
    this.position += 160;
    return Buffer.from(pcmToLE(this.upsampler ? this.upsampler.process(samples) : samples));
  }

  private message(data: Buffer, isBinary: boolean): void {
    this.received.push({ type: isBinary ? 'binary' : 'text', data: isBinary ? Buffer.from(data) : data.toString('utf8'), at: performance.now() });
    if (isBinary) this.binary(data);
    else this.text(data.toString('utf8'));
    this.wakeups.wake();
  }

  /** Binary audio back: only jambonz started bidirectionally plays it (with odd bytes carried over). */
  private binary(data: Buffer): void {
    if (this.params.bidirectionalRate === undefined) return;
    let bytes = data;
    if (this.setAside !== undefined) {
      bytes = Buffer.concat([Buffer.from([this.setAside]), data]);
      this.setAside = undefined;
    }
    if (bytes.length & 1) {
      this.setAside = bytes[bytes.length - 1];
      bytes = bytes.subarray(0, bytes.length - 1);
    }
    // Marks queued since the last audio go in front of it.
    for (const name of this.pendingMarks.splice(0)) this.playout.push({ mark: name });
    this.playout.push(Int16Array.from(pcmFromLE(Buffer.from(bytes))));
  }

  private text(text: string): void {
    let json: { type?: unknown; data?: Record<string, unknown> } | undefined;
    try {
      json = JSON.parse(text) as typeof json;
    } catch {
      json = undefined;
    }
    const type = typeof json?.type === 'string' ? json.type : undefined;
    if (this.params.module === 'mod_audio_stream') {
      if (type === 'streamAudio' && json?.data && typeof json.data.audioData === 'string') {
        const { audioData, ...rest } = json.data;
        const file = this.writeFile(audioData as string, rest.audioDataType, rest.sampleRate, this.files.length);
        if (file === undefined) return this.fire('mod_audio_stream::json', text);
        return this.fire('mod_audio_stream::play', JSON.stringify({ ...rest, file }));
      }
      return this.fire('mod_audio_stream::json', json === undefined ? text : JSON.stringify(json));
    }
    switch (type) {
      case 'playAudio': {
        if (!json?.data) return;
        const { audioContent, ...rest } = json.data;
        const file = typeof audioContent === 'string' ? this.writeFile(audioContent, rest.audioContentType, rest.sampleRate, this.behaviour.nextForkFile()) : undefined;
        return this.fire('mod_audio_fork::play_audio', JSON.stringify(file === undefined ? rest : { ...rest, file }));
      }
      case 'killAudio':
        this.fire('mod_audio_fork::kill_audio', undefined);
        // CF_BREAK: whatever the channel plays stops (the silence carrier included).
        this.core.breakApp(this.channel);
        if (this.params.bidirectionalRate !== undefined) this.clearPlayout();
        return;
      case 'mark':
        if (this.params.bidirectionalRate !== undefined && typeof json?.data?.name === 'string') this.pendingMarks.push(json.data.name);
        return;
      case 'transcription':
      case 'transfer':
      case 'disconnect':
      case 'error':
        return this.fire(`mod_audio_fork::${type}`, JSON.stringify(json?.data ?? {}));
      case 'json':
        return this.fire('mod_audio_fork::json', JSON.stringify(json));
      default:
        // "processIncomingMessage - unsupported msg type" / "could not parse message": logged only.
        return;
    }
  }

  /** jambonz playout: 20 ms at the channel rate per tick, while the channel writes frames (a playback runs). */
  private playTick(): void {
    if (this.params.bidirectionalRate === undefined || this.channel.currentApp?.name !== 'playback') return;
    let need = Math.round((this.params.bidirectionalRate * 20) / 1000);
    const taken: Int16Array[] = [];
    while (need > 0 && this.playout.length > 0) {
      const head = this.playout[0]!;
      if ('mark' in head) {
        this.playout.shift();
        this.sendMark(head.mark, 'playout');
        continue;
      }
      const n = Math.min(need, head.length);
      taken.push(head.subarray(0, n));
      if (n === head.length) this.playout.shift();
      else this.playout[0] = head.subarray(n);
      need -= n;
    }
    while (this.playout[0] !== undefined && 'mark' in this.playout[0]) this.sendMark((this.playout.shift() as { mark: string }).mark, 'playout');
    if (taken.length === 0) return;
    const samples = Int16Array.from(taken.flatMap((t) => Array.from(t)));
    this.heard.push(this.downsampler ? Int16Array.from(this.downsampler.process(samples)) : samples);
  }

  private clearPlayout(): void {
    for (const item of this.playout) if ('mark' in item) this.sendMark(item.mark, 'cleared');
    for (const name of this.pendingMarks.splice(0)) this.sendMark(name, 'cleared');
    this.playout = [];
    this.setAside = undefined;
  }

  private sendMark(name: string, event: 'playout' | 'cleared'): void {
    this.marks.push({ name, event });
    // The module's own spacing, as recorded.
    if (this.connected) this.socket.send(`{"type": "mark", "data": {"name":"${name}", "event": "${event}"}}`);
  }

  /** Writes a file as the modules do: `<tmp>/<uuid>_<n>.tmp.r8` for raw audio at 8 kHz. */
  private writeFile(base64: string, kind: unknown, rate: unknown, n: number): string | undefined {
    const rates: Record<number, string> = { 8000: '.r8', 16000: '.r16', 24000: '.r24', 32000: '.r32', 48000: '.r48', 64000: '.r64' };
    const ext = kind === 'raw' ? rates[Number(rate)] : kind === 'wav' || kind === 'wave' ? '.wav' : undefined;
    if (ext === undefined) return undefined;
    const path = join(this.behaviour.tempDirectory, `${this.uuid}_${n}.tmp${ext}`);
    writeFileSync(path, Buffer.from(base64, 'base64'));
    this.files.push(path);
    return path;
  }

  private removeFiles(): void {
    for (const f of this.files) {
      try {
        unlinkSync(f);
      } catch {
        // already gone
      }
    }
  }

  private connectFailed(reason: string, code: number): void {
    if (this.closed !== undefined) return;
    this.closed = { code, reason, by: 'error' };
    if (this.params.module === 'mod_audio_fork') this.fire('mod_audio_fork::connect_failed', JSON.stringify({ reason }));
    else this.fire('mod_audio_stream::error', JSON.stringify({ status: 'error', message: { code, error: reason } }));
    this.onGone();
    this.wakeups.wake();
  }

  /** A CUSTOM event of the module, with the channel's data, as `responseHandler` fires it. */
  private fire(subclass: string, body: string | undefined): void {
    if (this.channel.isDown) return;
    this.core.fire('CUSTOM', [['Event-Subclass', subclass], ...this.channel.eventHeaders(true)], body);
  }
}
