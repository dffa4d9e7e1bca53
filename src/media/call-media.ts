/**
 * Wires a call's audio: a bridge on a UDP port, FreeSWITCH's `unicast` pointed at it, the call
 * parked (audio flows only while parked), and everything released when the call ends; or, as
 * `AUDIO_MODE` says, a WebSocket stream instead ({@link startCallMediaFor}).
 *
 * @module
 */
import { getDefaultConfig } from '../config/defaults.js';
import type { AudioMode } from '../config/settings.js';
import type { EslEvent } from '../esl/event.js';
import type { OutboundCall } from '../esl/outbound-call.js';
import { MediaError } from '../errors.js';
import type { Logger } from '../logger.js';
import { callLogger } from '../observability/call-log.js';
import type { AudioFormat } from './audio-format.js';
import type { MediaClock } from './media-clock.js';
import type { MediaTransport, MediaTransportKind } from './media-transport.js';
import type { PortAllocator } from './port-allocator.js';
import { RtpBridge, type RtpBridgeOptions } from './rtp-bridge.js';
import { type UnicastPortPool, defaultSharedMediaSocket, defaultUnicastPorts } from './shared-media-defaults.js';
import type { SharedMediaSocket } from './shared-media-socket.js';
import type { WireCodec } from './wire-codec.js';
import { type WebSocketCallMediaOptions, startWebSocketCallMedia } from './ws-call-media.js';
import { getWebSocketMediaServer } from './ws-media-server.js';

/** Options of {@link startCallMedia}. */
export interface CallMediaOptions {
  /**
   * `flags: native`: the call's own G.711 bytes instead of L16 (no transcoding in FreeSWITCH;
   * µ-law passthrough to a provider that takes µ-law). Default: `true` on a PCMU/PCMA call.
   */
  native?: boolean;
  /** Where FreeSWITCH binds its end (`local-ip`). Default: FreeSWITCH's address as seen on the socket. */
  freeswitchAddress?: string;
  /**
   * FreeSWITCH's UDP port (`local-port`), or a function of ours. Default: ours + 1000 (with
   * `RTP_PORT_MIN..MAX` = 10000-10100, FreeSWITCH uses 11000-11100 — open both in firewalls).
   */
  freeswitchPort?: number | ((ourPort: number) => number);
  /** The address FreeSWITCH sends to (`remote-ip`). Default: ours as FreeSWITCH connected to it. */
  advertiseAddress?: string;
  /** Format of the caller audio emitted by the bridge, and of what is written to it. */
  output?: AudioFormat;
  /** Format of what is written to the bridge (the answer). Default: `output`. */
  input?: AudioFormat;
  /** Jitter-buffer delays, ms. Default: `RTP_JITTER_*_MS` (the process defaults). */
  jitter?: { minMs?: number; maxMs?: number; targetMs?: number };
  /** Caller frames handed out per tick at most (see {@link RtpBridgeOptions.readAheadFrames}). Default 1. */
  readAheadFrames?: number;
  /** Where the call's UDP port comes from. Default: {@link defaultPortAllocator} (`RTP_PORT_MIN..MAX`). */
  ports?: PortAllocator;
  /**
   * Serve this call on one shared socket instead of a port of its own (no socket per call).
   * FreeSWITCH's `local-port` must then differ per call: give `freeswitchPort`, or let
   * `freeswitchPorts` hand one out. Default with `RTP_SHARED_SOCKET=true` (and no `ports`): the
   * process-wide socket on `RTP_PORT_MIN` ({@link defaultSharedMediaSocket}).
   */
  shared?: SharedMediaSocket;
  /**
   * Where a call on a shared socket gets FreeSWITCH's `local-port` when `freeswitchPort` is not
   * given; released when the call ends. Default: `RTP_PORT_MIN + 1000 .. RTP_PORT_MAX + 1000`
   * ({@link defaultUnicastPorts}).
   */
  freeswitchPorts?: UnicastPortPool;
  /** The 20 ms clock. Default: the process-wide {@link getMediaClock}. */
  clock?: MediaClock;
  /** A pino-compatible logger; the call's fields are added. Default: the call's logger. */
  logger?: Logger;
}

/** What {@link startCallMedia} returns. */
export interface CallMedia {
  /** The call's audio. Closed (port released) when the call ends. */
  readonly bridge: RtpBridge;
  /** The codec on the wire. */
  readonly codec: WireCodec;
  /**
   * Resolves when FreeSWITCH has run `park`: at once on an async socket, which parks the channel
   * itself (`switch_ivr_park` refuses a channel already under control, and audio keeps flowing
   * until the call leaves the socket: transfer, bridge, hangup). Rejects with `CallEndedError`
   * if the call ends first.
   */
  readonly parked: Promise<EslEvent>;
}

/**
 * Starts the call's audio: allocates a bridge, sends `unicast` with the right ports and flags,
 * parks the call. The bridge is closed and its port released when the call ends, and also if
 * anything here fails.
 */
export async function startCallMedia(call: OutboundCall, options: CallMediaOptions = {}): Promise<CallMedia> {
  const callCodec = call.channel.readCodec?.name.toUpperCase();
  const g711 = callCodec === 'PCMU' || callCodec === 'PCMA';
  const native = options.native ?? g711;
  if (native && !g711) throw new MediaError(`unicast "native" needs a G.711 call; this one is ${callCodec ?? 'unknown'}`);
  const codec: WireCodec = native ? (callCodec as 'PCMU' | 'PCMA') : 'L16';
  const freeswitchAddress = options.freeswitchAddress ?? call.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1';
  const advertise = options.advertiseAddress ?? call.localAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1';
  const shared = options.shared ?? (options.ports === undefined && getDefaultConfig().rtp.sharedSocket ? await defaultSharedMediaSocket(options.logger) : undefined);
  const sharedPort = shared?.address()?.port;
  if (shared && sharedPort === undefined) throw new MediaError('a shared media socket must be bound before calls use it');
  // On a shared socket FreeSWITCH's port tells the calls apart: one from the pool unless given.
  const pool = shared && options.freeswitchPort === undefined ? (options.freeswitchPorts ?? defaultUnicastPorts()) : undefined;
  const leased = pool?.take();
  const freeswitchPort = leased ?? options.freeswitchPort;
  const fsPortFor = (ours: number): number => (typeof freeswitchPort === 'function' ? freeswitchPort(ours) : (freeswitchPort ?? ours + 1000));
  let bridge: RtpBridge;
  try {
    bridge = new RtpBridge({
      framing: 'raw',
      codec,
      shared,
      remote: sharedPort === undefined ? undefined : { address: freeswitchAddress, port: fsPortFor(sharedPort) },
      output: options.output,
      input: options.input,
      jitter: options.jitter,
      readAheadFrames: options.readAheadFrames,
      ports: options.ports,
      clock: options.clock,
      logger: options.logger ? callLogger(options.logger, call) : call.logger,
    });
  } catch (error) {
    if (leased !== undefined) pool!.release(leased);
    throw error;
  }
  const release = (): void => {
    bridge.close();
    if (leased !== undefined) pool!.release(leased);
  };
  call.once('end', release);
  try {
    const { port } = await bridge.start();
    const fsPort = fsPortFor(port);
    if (!shared) bridge.expectFrom({ address: freeswitchAddress, port: fsPort });
    await call.unicast({ localIp: freeswitchAddress, localPort: fsPort, remoteIp: advertise, remotePort: port, native });
    const parked = call.park();
    parked.catch(() => {});
    return { bridge, codec, parked };
  } catch (error) {
    release();
    call.off('end', release);
    throw error;
  }
}

/** Options of {@link startCallMediaFor}: those of {@link startCallMedia}, plus the transport choice. */
export interface CallTransportOptions extends CallMediaOptions {
  /** Which transport carries the call. Default `AUDIO_MODE` (`getDefaultConfig().audioMode`). */
  mode?: AudioMode;
  /** The WebSocket path's settings (modes `websocket` and `dual`). */
  websocket?: WebSocketCallMediaOptions;
  /**
   * In `dual` mode, the channel variable the dialplan sets to `websocket` or `rtp` to choose.
   * Default `voice_ai_media`; unset, a stream already connected for the call means `websocket`,
   * anything else `rtp`.
   */
  modeVariable?: string;
}

/** What {@link startCallMediaFor} returns. */
export interface CallTransport {
  /** The call's audio, closed when the call ends. */
  readonly transport: MediaTransport;
  /** Which transport was chosen. */
  readonly kind: MediaTransportKind;
  /** Resolves when the park ends (transfer, hangup: then it rejects with `CallEndedError`). */
  readonly parked: Promise<EslEvent>;
}

/**
 * Starts the call's audio on the transport `AUDIO_MODE` (or `options.mode`) picks: `rtp` is
 * {@link startCallMedia} (FreeSWITCH `unicast` to an {@link RtpBridge}); `websocket` is
 * {@link startWebSocketCallMedia} (`mod_audio_stream` / `mod_audio_fork`); `dual` follows the
 * dialplan (see {@link CallTransportOptions.modeVariable}); `esl` carries no audio and rejects
 * with a {@link MediaError} (a `RealtimeSession` then goes to its fallback).
 */
export async function startCallMediaFor(call: OutboundCall, options: CallTransportOptions = {}): Promise<CallTransport> {
  const mode = options.mode ?? getDefaultConfig().audioMode;
  if (mode === 'esl') throw new MediaError('AUDIO_MODE is "esl": call control only, no media path for this call');
  const kind = mode === 'dual' ? await dualChoice(call, options) : mode;
  if (kind === 'rtp') {
    const media = await startCallMedia(call, options);
    return { transport: media.bridge, kind, parked: media.parked };
  }
  const media = await startWebSocketCallMedia(call, options.websocket, options);
  return { transport: media.transport, kind, parked: media.parked };
}

/** `dual`: the dialplan's choice (a channel variable), else a stream already connected, else `rtp`. */
async function dualChoice(call: OutboundCall, options: CallTransportOptions): Promise<MediaTransportKind> {
  const name = options.modeVariable ?? 'voice_ai_media';
  const chosen = call.channel.getVariable(name)?.trim().toLowerCase();
  if (chosen === 'websocket' || chosen === 'rtp') return chosen;
  if (chosen === 'unicast') return 'rtp';
  if (chosen !== undefined && chosen !== '') throw new MediaError(`channel variable ${name}=${JSON.stringify(chosen)}: expected "websocket" or "rtp"`);
  const server = options.websocket?.server ?? (await getWebSocketMediaServer());
  return server.hasStream(call.uuid) ? 'websocket' : 'rtp';
}
