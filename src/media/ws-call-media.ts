/**
 * Wires a call's audio over WebSocket: `uuid_audio_stream` / `uuid_audio_fork` started towards
 * our media server with the call's uuid in the URL, the stream awaited (or the module's
 * connect-failed event turned into a typed error), the answer path chosen by what the module
 * can play, and the stream stopped when the call or the transport ends.
 *
 * @module
 */
import type { EslEvent } from '../esl/event.js';
import type { OutboundCall } from '../esl/outbound-call.js';
import { MediaError, MediaStreamError } from '../errors.js';
import { type Logger, defaultLogger } from '../logger.js';
import { DirectoryFileWriter, ModuleFileWriter } from './answer-file-writers.js';
import type { AnswerSink } from './answer-sink.js';
import type { AudioFormat, SampleRate } from './audio-format.js';
import { AUDIO_STREAM_MODULES, type AudioStreamModule, playEventFile, streamStartCommand, streamStopCommand } from './audio-stream-modules.js';
import { BinaryAnswerStream } from './binary-answer.js';
import { FileAnswerPlayer, type PlaybackControl } from './file-answer.js';
import type { MediaClock } from './media-clock.js';
import { type WebSocketMediaServer, getWebSocketMediaServer } from './ws-media-server.js';
import { WebSocketMediaTransport, answerRate } from './ws-media-transport.js';
import type { WebSocketAudioStream } from './ws-media-stream.js';

/** How answer audio becomes files, for the modules that play only files. */
export interface AnswerFileOptions {
  /**
   * Write the files here ourselves (FreeSWITCH must read the same path: same host or a shared
   * mount); they are deleted once played. Default: none — the module writes them into
   * FreeSWITCH's temporary directory from `streamAudio` / `playAudio` messages (works across
   * hosts; costs base64 on the socket and an event round trip per file).
   */
  directory?: string;
  /**
   * How FreeSWITCH is told to play each file: `execute` (default) — `playback` over this call's
   * socket, queued behind the one playing (`event-lock`); `broadcast` — `uuid_broadcast`, which
   * FreeSWITCH starts only after 5 more frames ("lead-frames"), about 100 ms of silence before
   * every file.
   */
  playWith?: 'execute' | 'broadcast';
  /** Ms of audio in an answer's first file. Default 200. */
  minChunkMs?: number;
  /** Ms of audio per later file. Default 1000. */
  chunkMs?: number;
  /** The next file is made once less than this is left queued. Default 400. */
  lowWaterMs?: number;
}

/** Options of {@link startWebSocketCallMedia}. */
export interface WebSocketCallMediaOptions {
  /** The media server (default: the process-wide one, `VOICE_AI_REALTIME_PORT`). */
  server?: WebSocketMediaServer;
  /** The module FreeSWITCH streams with. Default `mod_audio_stream`. */
  module?: AudioStreamModule;
  /**
   * jambonz's `mod_audio_fork` (not drachtio's): answer audio goes back on the socket as binary
   * L16, paced, cleared with `killAudio`. Default `false` (answer audio as files).
   */
  bidirectional?: boolean;
  /** `mod_audio_fork`'s media bug name (default `audio_fork`). */
  bug?: string;
  /** The rate the module streams caller audio at. Default 16000 when the consumer wants PCM16 at 16 kHz or more, else 8000. */
  sampleRate?: 8000 | 16000;
  /** Where FreeSWITCH connects: a URL, or a function of the call uuid. Default `ws://<advertise>:<port>/<module>/<uuid>`. */
  url?: string | ((uuid: string) => string);
  /** Our address as FreeSWITCH reaches it. Default: the outbound socket's local address. */
  advertiseAddress?: string;
  /** More metadata for the module to send first (JSON; the call's `uuid` is added). */
  metadata?: Record<string, unknown>;
  /** Ms to wait for the stream to connect. Default 5000. */
  connectTimeoutMs?: number;
  /** The file answer path (modules without bidirectional audio). */
  files?: AnswerFileOptions;
  /** Ms between an unexpected socket close and `lost`. Default 250. */
  lostGraceMs?: number;
  /** Ms without audio before an `error` says so. Default 5000. */
  noAudioTimeoutMs?: number;
}

/** What the WebSocket path needs of {@link startCallMediaFor}'s options. */
export interface WebSocketCallMediaContext {
  /** Format of the caller audio the transport emits. */
  output?: AudioFormat;
  /** Format of what is written to the transport (the answer). */
  input?: AudioFormat;
  /** Jitter-buffer delays, ms. Default: `RTP_JITTER_*_MS` (the process defaults). */
  jitter?: { minMs?: number; maxMs?: number; targetMs?: number };
  /** The 20 ms clock. Default: the process-wide {@link getMediaClock}. */
  clock?: MediaClock;
  /** A pino-compatible logger. */
  logger?: Logger;
}

/** What {@link startWebSocketCallMedia} returns. */
export interface WebSocketCallMedia {
  /** The call's audio. */
  readonly transport: WebSocketMediaTransport;
  /** The call's stream. */
  readonly stream: WebSocketAudioStream;
  /** Resolves when the park ends (transfer; hangup rejects with `CallEndedError`). */
  readonly parked: Promise<EslEvent>;
}

/**
 * FreeSWITCH plays the files: `playback` executed over the call's socket (queued behind the one
 * playing), or `uuid_broadcast`; their `CHANNEL_EXECUTE` / `CHANNEL_EXECUTE_COMPLETE` are the
 * start and stop of each.
 */
function playbackControl(call: OutboundCall, playWith: 'execute' | 'broadcast'): PlaybackControl {
  /** Executions sent and not completed: `uuid_break all` drops the queued ones without a completion. */
  const waiting = new Map<string, AbortController>();
  return {
    play: (path) => {
      if (playWith === 'execute') {
        const abort = new AbortController();
        waiting.set(path, abort);
        void call.execute('playback', path, { signal: abort.signal }).then(
          () => waiting.delete(path),
          () => waiting.delete(path),
        );
        return Promise.resolve();
      }
      // uuid_broadcast splits its arguments on spaces.
      if (/\s/.test(path)) return Promise.reject(new MediaError(`uuid_broadcast cannot play a path with spaces: ${path}`));
      return call.api(`uuid_broadcast ${call.uuid} ${path} aleg`).then((reply) => {
        if (!reply.ok) throw new MediaError(reply.text);
      });
    },
    stopAll: async () => {
      const reply = await call.api(`uuid_break ${call.uuid} all`);
      // What was queued will never run, nor complete: stop waiting for it (the call would
      // otherwise count a playback as running for the rest of its life).
      for (const abort of waiting.values()) abort.abort(new MediaError('dropped by barge-in'));
      waiting.clear();
      return reply;
    },
    watch: (listener) => {
      const on = (phase: 'start' | 'stop') => (e: EslEvent) => {
        const path = e.get('Application-Data');
        if (e.application === 'playback' && path !== undefined) listener(path, phase);
      };
      const started = call.on('CHANNEL_EXECUTE', on('start'));
      const stopped = call.on('CHANNEL_EXECUTE_COMPLETE', on('stop'));
      return () => {
        call.off(started);
        call.off(stopped);
      };
    },
  };
}

/** The module's reason for a failed connect, from its event body. */
function failureReason(event: EslEvent): string {
  try {
    const body = JSON.parse(event.body) as { reason?: unknown; message?: { error?: unknown; code?: unknown } };
    const why = body.reason ?? body.message?.error;
    if (typeof why === 'string' && why !== '') return why;
  } catch {
    // not JSON: the body as it is
  }
  return event.body.trim() || 'no reason given';
}

/**
 * Starts the call's audio over WebSocket: subscribes to the module's events, waits for its
 * stream on the media server, builds the transport (binary answer path for jambonz
 * `bidirectional`, files otherwise) and parks the call. Rejects with {@link MediaStreamError}
 * when FreeSWITCH refuses the start command (`refused`), the module reports a failed connect
 * (`connect-failed`) or nothing connects in time (`timeout`); nothing is left behind then.
 * The stream is stopped when the transport closes while the call is up, and released when the
 * call ends.
 */
export async function startWebSocketCallMedia(call: OutboundCall, options: WebSocketCallMediaOptions = {}, context: WebSocketCallMediaContext = {}): Promise<WebSocketCallMedia> {
  const module = options.module ?? 'mod_audio_stream';
  const info = AUDIO_STREAM_MODULES[module];
  const logger = context.logger ?? defaultLogger;
  if (options.bidirectional && module !== 'mod_audio_fork') throw new MediaError('bidirectional audio needs jambonz\'s mod_audio_fork');
  const output = context.output ?? { encoding: 'pcm16', sampleRate: 8000 };
  const input = context.input ?? output;
  for (const f of [output, input]) if (f.encoding !== 'pcm16' && f.sampleRate !== 8000) throw new MediaError(`${f.encoding}@${f.sampleRate}: G.711 is 8 kHz only`);
  const sampleRate: SampleRate = options.sampleRate ?? (output.encoding === 'pcm16' && output.sampleRate >= 16000 ? 16000 : 8000);
  const rate = answerRate(input);
  const server = options.server ?? (await getWebSocketMediaServer());
  const uuid = call.uuid;
  const url = urlFor(call, server, module, options);
  const metadata = JSON.stringify({ ...options.metadata, uuid });
  const start = streamStartCommand({ module, uuid, url, sampleRate, bug: options.bug, metadata, bidirectionalRate: options.bidirectional ? rate : undefined });
  const stop = streamStopCommand(module, uuid, { bug: module === 'mod_audio_fork' ? options.bug : undefined });
  const failure = (message: string, reason: 'refused' | 'connect-failed' | 'timeout', cause?: unknown): MediaStreamError =>
    new MediaStreamError(`${info.api} on call ${uuid}: ${message}`, uuid, module, reason, { cause });

  await call.subscribe(['CUSTOM', info.connectEvent, ...info.connectFailedEvents, info.playEvent, info.disconnectEvent]);
  const abort = new AbortController();
  const timeoutMs = options.connectTimeoutMs ?? 5000;
  const claimed = server.claim(uuid, { signal: abort.signal });
  claimed.catch(() => {});
  const failed = call.waitForEvent({ names: info.connectFailedEvents, signal: abort.signal });
  failed.catch(() => {});
  let stream: WebSocketAudioStream;
  let timer: NodeJS.Timeout | undefined;
  try {
    const reply = await call.api(start);
    if (!reply.ok) throw failure(`FreeSWITCH refused the start command: ${reply.text}`, 'refused');
    stream = await Promise.race([
      claimed,
      failed.then((event) => {
        throw failure(`the module could not connect to ${url}: ${failureReason(event)}`, 'connect-failed');
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(failure(`no stream connected to ${url} within ${timeoutMs} ms`, 'timeout')), timeoutMs);
      }),
    ]);
  } catch (error) {
    abort.abort(error);
    // The media bug may be attached even though its socket never came: remove it.
    if (call.isActive) await call.api(stop).catch(() => {});
    throw error instanceof MediaError ? error : failure((error as Error).message, 'refused', error);
  } finally {
    if (timer) clearTimeout(timer);
    abort.abort();
  }

  const cleanups: (() => void)[] = [];
  let transport: WebSocketMediaTransport;
  try {
    let answer: AnswerSink;
    if (options.bidirectional) {
      answer = new BinaryAnswerStream({ stream, sampleRate: rate });
      const carrier = startCarrier(call, logger);
      cleanups.push(() => carrier.stop());
    } else {
      const files = options.files ?? {};
      const writer = files.directory
        ? new DirectoryFileWriter(files.directory, uuid.replace(/[^A-Za-z0-9_.-]/g, '_'), (e) => logger.warn({ uuid, err: e }, 'answer file cleanup failed'))
        : new ModuleFileWriter(stream, module);
      if (writer instanceof ModuleFileWriter) {
        const id = call.on(info.playEvent, (event) => {
          const file = playEventFile(event.body);
          if (file !== undefined) writer.filePlayed(file);
        });
        cleanups.push(() => call.off(id));
      }
      answer = new FileAnswerPlayer({
        sampleRate: rate,
        writer,
        control: playbackControl(call, files.playWith ?? 'execute'),
        minChunkMs: files.minChunkMs,
        chunkMs: files.chunkMs,
        lowWaterMs: files.lowWaterMs,
      });
    }
    transport = new WebSocketMediaTransport({
      stream,
      sampleRate,
      output,
      input,
      answer,
      jitter: context.jitter,
      clock: context.clock,
      lostGraceMs: options.lostGraceMs,
      noAudioTimeoutMs: options.noAudioTimeoutMs,
      logger,
    });
  } catch (error) {
    for (const c of cleanups) c();
    stream.close(1000, 'setup failed');
    if (call.isActive) await call.api(stop).catch(() => {});
    throw error;
  }

  let released = false;
  // The session (or the user) closing the transport stops the stream too.
  const close = transport.close.bind(transport);
  transport.close = () => {
    if (!released) {
      released = true;
      for (const c of cleanups) c();
      // Still up (transferred, or the session ended): take the media bug off the channel.
      if (call.isActive) call.api(stop).catch(() => {});
    }
    close();
  };
  transport.on('lost', () => {
    if (call.isActive) call.api(stop).catch(() => {});
  });
  call.once('hangup', () => transport.close());
  call.once('end', () => transport.close());
  const parked = call.park();
  parked.catch(() => {});
  return { transport, stream, parked };
}

/** The URL the module connects to: the call's uuid as the last path segment. */
function urlFor(call: OutboundCall, server: WebSocketMediaServer, module: AudioStreamModule, options: WebSocketCallMediaOptions): string {
  if (typeof options.url === 'function') return options.url(call.uuid);
  if (typeof options.url === 'string') return options.url;
  const port = server.address()?.port;
  if (port === undefined) throw new MediaError('the WebSocket media server is not listening');
  const host = options.advertiseAddress ?? call.localAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1';
  const hostPart = host.includes(':') ? `[${host}]` : host;
  return `ws://${hostPart}:${port}/${module === 'mod_audio_stream' ? 'stream' : 'fork'}/${encodeURIComponent(call.uuid)}`;
}

/** The silence the channel plays so that it writes frames: jambonz mixes its audio into them. */
interface Carrier {
  /** No more restarts; a carrier still playing is broken (it would hold up what the call runs next). */
  stop(): void;
}

const CARRIER = 'silence_stream://-1';

/**
 * jambonz `mod_audio_fork` replaces the frames the channel writes (`SMBF_WRITE_REPLACE`); a
 * parked channel writes none, so nothing would be heard. An endless silence playback makes it
 * write; `killAudio` breaks it (`CF_BREAK`), so it is started again whenever it ends while the
 * call is up. Started with `uuid_broadcast`, it is not one of the socket's own applications.
 */
function startCarrier(call: OutboundCall, logger: Logger): Carrier {
  let stopped = false;
  let running = false;
  const play = (): void => {
    if (stopped || !call.isActive) return;
    call.api(`uuid_broadcast ${call.uuid} ${CARRIER} aleg`).catch((error: unknown) => logger.warn({ uuid: call.uuid, err: error }, 'silence carrier not started'));
  };
  const isCarrier = (e: EslEvent): boolean => e.application === 'playback' && e.get('Application-Data') === CARRIER;
  const started = call.on('CHANNEL_EXECUTE', (e) => {
    if (isCarrier(e)) running = true;
  });
  const ended = call.on('CHANNEL_EXECUTE_COMPLETE', (e) => {
    if (!isCarrier(e)) return;
    running = false;
    play();
  });
  play();
  return {
    stop: () => {
      if (stopped) return;
      stopped = true;
      call.off(started);
      call.off(ended);
      if (running && call.isActive) call.api(`uuid_break ${call.uuid}`).catch(() => {});
    },
  };
}
