/**
 * What the FreeSWITCH modules that stream a call over WebSocket expect and send, as their
 * sources and the recordings in `test/fixtures/ws/` show: the API commands (argument order, the
 * rate spelling, FreeSWITCH's argument splitting), the events they fire, and the JSON messages
 * they understand.
 *
 * - amigniter `mod_audio_stream`: `uuid_audio_stream <uuid> start <url> <mix> <rate> [metadata]`;
 *   events `mod_audio_stream::{connect,disconnect,error,json,play}`; plays audio sent back only
 *   as a file (`streamAudio` → `mod_audio_stream::play` with the `file` path).
 * - drachtio `mod_audio_fork`: `uuid_audio_fork <uuid> start <url> <mix> <rate> [bug] [metadata]`,
 *   subprotocol `audio.drachtio.org`; events `mod_audio_fork::{connect,connect_failed,
 *   disconnect,play_audio,kill_audio,...}`; `playAudio` → a file and `play_audio`.
 * - jambonz `mod_audio_fork`: the same, plus `... <bug> <metadata> true true <rate>` to play
 *   binary L16 sent back (at that rate), `killAudio` to clear it and `mark` for playout events.
 *
 * @module
 */
import { MediaError } from '../errors.js';
import { quoteApiArgument } from '../esl/commands.js';

export { quoteApiArgument };

/** The module that streams a call. */
export type AudioStreamModule = 'mod_audio_stream' | 'mod_audio_fork';

/** `mod_audio_fork`'s WebSocket subprotocol (its `MOD_AUDIO_FORK_SUBPROTOCOL_NAME` default). */
export const AUDIO_FORK_SUBPROTOCOL = 'audio.drachtio.org';

/** Longest metadata the modules keep (`MAX_METADATA_LEN` 8192, NUL included): longer is cut silently. */
export const MAX_METADATA_BYTES = 8191;

/** What a module is called on the wire: its API command, events and playback message. */
export interface AudioStreamModuleInfo {
  /** The module. */
  readonly module: AudioStreamModule;
  /** The API command. */
  readonly api: string;
  /** The `Event-Subclass` of a successful connect. */
  readonly connectEvent: string;
  /** `Event-Subclass`es that mean the connection failed (the body says why). */
  readonly connectFailedEvents: readonly string[];
  /** The `Event-Subclass` of a file written from audio we sent (its body has `file`). */
  readonly playEvent: string;
  /** The `Event-Subclass` of the module noticing that the far end closed the socket. */
  readonly disconnectEvent: string;
  /** Its default media bug name. */
  readonly defaultBug: string;
}

/** The two modules. */
export const AUDIO_STREAM_MODULES: Readonly<Record<AudioStreamModule, AudioStreamModuleInfo>> = {
  mod_audio_stream: {
    module: 'mod_audio_stream',
    api: 'uuid_audio_stream',
    connectEvent: 'mod_audio_stream::connect',
    connectFailedEvents: ['mod_audio_stream::error'],
    playEvent: 'mod_audio_stream::play',
    disconnectEvent: 'mod_audio_stream::disconnect',
    defaultBug: 'audio_stream',
  },
  mod_audio_fork: {
    module: 'mod_audio_fork',
    api: 'uuid_audio_fork',
    connectEvent: 'mod_audio_fork::connect',
    connectFailedEvents: ['mod_audio_fork::connect_failed'],
    playEvent: 'mod_audio_fork::play_audio',
    disconnectEvent: 'mod_audio_fork::disconnect',
    defaultBug: 'audio_fork',
  },
};

/** What {@link streamStartCommand} builds. */
export interface StreamStartOptions {
  /** The module FreeSWITCH runs (`mod_audio_stream`, `mod_audio_fork`, jambonz's fork). */
  module: AudioStreamModule;
  /** The channel. */
  uuid: string;
  /** `ws://host:port/path`. */
  url: string;
  /** The rate of the audio the module sends us (it resamples the channel's read stream). */
  sampleRate: number;
  /** The media bug's name (`mod_audio_fork` only: `mod_audio_stream`'s is fixed). */
  bug?: string;
  /** Text the module sends once connected (the module keeps 8191 bytes). */
  metadata?: string;
  /** jambonz `mod_audio_fork`: play binary L16 we send back, at this rate. */
  bidirectionalRate?: number;
}


/** The rate argument as the modules read it: `8k`, `16k`, or the number. */
function rateArgument(rate: number): string {
  return rate === 8000 ? '8k' : rate === 16000 ? '16k' : String(rate);
}

/**
 * The API command that starts a stream, e.g.
 * `uuid_audio_stream <uuid> start ws://10.0.0.5:8085/stream/<uuid> mono 8k {"uuid":"..."}`.
 * `mod_audio_fork` always gets the bug name (so that metadata is never mistaken for it); the
 * jambonz form adds `true true <rate>`.
 */
export function streamStartCommand(o: StreamStartOptions): string {
  const info = AUDIO_STREAM_MODULES[o.module];
  if (o.sampleRate % 8000 !== 0) throw new MediaError(`${o.module} streams at a multiple of 8000 Hz, not ${o.sampleRate}`);
  if (o.metadata !== undefined && Buffer.byteLength(o.metadata) > MAX_METADATA_BYTES) {
    throw new MediaError(`stream metadata is ${Buffer.byteLength(o.metadata)} bytes; ${o.module} keeps at most ${MAX_METADATA_BYTES}`);
  }
  if (/[\s'"\\]/.test(o.url)) throw new MediaError(`the stream URL must not contain spaces, quotes or backslashes: ${o.url}`);
  const args = [o.uuid, 'start', o.url, 'mono', rateArgument(o.sampleRate)];
  if (o.module === 'mod_audio_fork') {
    const bug = o.bug ?? info.defaultBug;
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(bug)) throw new MediaError(`a media bug name is 1-64 letters, digits, '_', '.' or '-', not ${JSON.stringify(bug)}`);
    args.push(bug, quoteApiArgument(o.metadata ?? '{}'));
    if (o.bidirectionalRate !== undefined) args.push('true', 'true', String(o.bidirectionalRate));
  } else {
    if (o.bidirectionalRate !== undefined) throw new MediaError('mod_audio_stream plays no binary audio back: use mod_audio_fork (jambonz) for bidirectional streaming');
    if (o.metadata !== undefined) args.push(quoteApiArgument(o.metadata));
  }
  return `${info.api} ${args.join(' ')}`;
}

/** The API command that stops a stream (`text` goes to the server as the last message). */
export function streamStopCommand(module: AudioStreamModule, uuid: string, options: { bug?: string; text?: string } = {}): string {
  const info = AUDIO_STREAM_MODULES[module];
  const args = [uuid, 'stop'];
  if (module === 'mod_audio_fork' && (options.bug !== undefined || options.text !== undefined)) args.push(options.bug ?? info.defaultBug);
  if (options.text !== undefined) args.push(quoteApiArgument(options.text));
  return `${info.api} ${args.join(' ')}`;
}

/**
 * The message that makes a module write audio to a file and fire its play event:
 * `streamAudio` (`mod_audio_stream`) or `playAudio` (`mod_audio_fork`), raw L16 at `sampleRate`
 * (8, 16, 24, 32, 48 or 64 kHz), base64.
 */
export function playFileMessage(module: AudioStreamModule, pcm16: Uint8Array, sampleRate: number): string {
  const audio = Buffer.from(pcm16.buffer, pcm16.byteOffset, pcm16.byteLength).toString('base64');
  return module === 'mod_audio_stream'
    ? `{"type":"streamAudio","data":{"audioDataType":"raw","sampleRate":${sampleRate},"audioData":"${audio}"}}`
    : `{"type":"playAudio","data":{"audioContentType":"raw","sampleRate":${sampleRate},"audioContent":"${audio}"}}`;
}

/** `mod_audio_fork`: stop what plays (jambonz: and drop the binary audio buffered). */
export const KILL_AUDIO_MESSAGE = '{"type":"killAudio"}';

/** jambonz `mod_audio_fork`: a mark queued behind the binary audio sent so far. */
export function markMessage(name: string): string {
  return JSON.stringify({ type: 'mark', data: { name } });
}

/** A jambonz mark coming back: played out, or dropped by `killAudio`. */
export interface StreamMark {
  /** The name the mark was sent with. */
  name: string;
  /** `playout` when the audio before it has played, `cleared` when `killAudio` dropped it. */
  event: 'playout' | 'cleared';
}

/** Reads a jambonz mark event (`{"type": "mark", "data": {"name":..., "event": ...}}`), if `message` is one. */
export function readMark(message: unknown): StreamMark | undefined {
  if (typeof message !== 'object' || message === null || (message as { type?: unknown }).type !== 'mark') return undefined;
  const data = (message as { data?: { name?: unknown; event?: unknown } }).data;
  if (typeof data?.name !== 'string' || (data.event !== 'playout' && data.event !== 'cleared')) return undefined;
  return { name: data.name, event: data.event };
}

/** The `file` of a module's play event body (`{"audioDataType":"raw",...,"file":"/tmp/<uuid>_0.tmp.r8"}`). */
export function playEventFile(body: string | undefined): string | undefined {
  if (!body) return undefined;
  try {
    const file = (JSON.parse(body) as { file?: unknown }).file;
    return typeof file === 'string' && file !== '' ? file : undefined;
  } catch {
    return undefined;
  }
}

/** Keys of the metadata JSON under which the call's uuid is looked for when the URL does not carry it. */
export const METADATA_UUID_KEYS = ['uuid', 'callUuid', 'call_uuid', 'unique_id', 'Unique-ID', 'callId', 'call_id'] as const;

/** The call uuid named by a metadata object, if any. */
export function metadataUuid(metadata: unknown): string | undefined {
  if (typeof metadata !== 'object' || metadata === null) return undefined;
  for (const key of METADATA_UUID_KEYS) {
    const v = (metadata as Record<string, unknown>)[key];
    if (typeof v === 'string' && v !== '') return v;
  }
  return undefined;
}
