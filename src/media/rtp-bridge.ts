import type { RemoteInfo, Socket } from 'node:dgram';
import { EventEmitter } from 'eventemitter3';
import { MediaError } from '../errors.js';
import { reportRepeatedError } from '../error-reporting.js';
import { ThrottledLog } from '../log-throttle.js';
import { type Logger, defaultLogger } from '../logger.js';
import type { AudioFormat } from './audio-format.js';
import { ByteAligner } from './byte-aligner.js';
import { JitterBuffer, pcm16Conceal } from './jitter-buffer.js';
import type { MediaTransport, MediaTransportEvents } from './media-transport.js';
import { type MediaClock, getMediaClock } from './media-clock.js';
import { Pacer } from './pacer.js';
import { copyToBuffer } from './pcm.js';
import { type AllocatedPort, type PortAllocator, defaultPortAllocator } from './port-allocator.js';
import { getDefaultConfig } from '../config/defaults.js';
import type { SharedMediaSocket, SharedRegistration } from './shared-media-socket.js';
import { RtpParseStatus, createRtpHeaderFields, readRtpHeader } from './rtp-header.js';
import { RtpSender } from './rtp-sender.js';
import { TelephoneEventDetector } from './telephone-event.js';
import { UdpSendMonitor } from './udp-send-errors.js';
import { type WireCodec, type WireFormat, wireFormat } from './wire-codec.js';
import { WireDecoder, WireEncoder } from './wire-transcoder.js';

/** Options of {@link RtpBridge}. */
export interface RtpBridgeOptions {
  /** `raw`: FreeSWITCH `unicast` datagrams (no header); `rtp`: RTP (the `rtp/` endpoint, SIP peers). */
  framing: 'rtp' | 'raw';
  /** The codec on the wire: `PCMU`/`PCMA` (unicast `native` on a G.711 call, or RTP), `L16` (unicast default). */
  codec: WireCodec;
  /** The format `audio` events carry (default PCM16 8 kHz; `mulaw` 8 kHz passes PCMU through untouched). */
  output?: AudioFormat;
  /** The format {@link RtpBridge.write} takes (default: same as `output`). */
  input?: AudioFormat;
  /** Jitter-buffer delays (default: `RTP_JITTER_MIN_MS` / `_MAX_MS` / `_TARGET_MS`, 60/200/100 ms). */
  jitter?: { minMs?: number; maxMs?: number; targetMs?: number };
  /** Where to get a UDP port (default: the process-wide one over `RTP_PORT_MIN..MAX` on `RTP_BIND_ADDRESS`). */
  ports?: PortAllocator;
  /**
   * One socket for many calls instead of a port each: this call registers on it by FreeSWITCH's
   * address (`remote`, required then), so a process is not limited by the port range.
   */
  shared?: SharedMediaSocket;
  /**
   * FreeSWITCH's address, when known (unicast: its `local-ip:local-port`): only datagrams from it
   * are accepted. Otherwise the bridge latches to the source of the first valid frame (symmetric
   * RTP): RTP version 2 with the codec's payload type and a 20 ms payload, or a raw frame of the
   * size FreeSWITCH's `unicast` sends; anything else before that is dropped and counted in
   * {@link RtpBridgeStats.latchRejected}.
   */
  remote?: { address: string; port: number };
  /** RFC 4733 payload type (RTP framing). Default 101. */
  telephoneEventPayloadType?: number;
  /** Ms after which queued provider audio is dropped. Default 120 000. */
  maxQueueMs?: number;
  /**
   * Caller frames handed out per clock tick at most: above 1, the frames that have already
   * arrived in order follow the one due now, early (the next ticks then hand out nothing —
   * {@link JitterBuffer.readAhead}). For a consumer that needs order but no playout timing, such
   * as an AI provider: the audio reaches it sooner, in fewer, larger pieces. Default 1: exactly
   * one frame per tick.
   */
  readAheadFrames?: number;
  /** The media clock (default: the process-wide one). */
  clock?: MediaClock;
  /** A pino-compatible logger. Default: `defaultLogger`. */
  logger?: Logger;
}

/** Events of {@link RtpBridge} (`lost` is never emitted: UDP has no connection to lose). */
export interface RtpBridgeEvents extends MediaTransportEvents {
  /**
   * 20 ms of the caller's audio in the `output` format, every 20 ms once started (silence
   * included): a buffer of the listener's own, never reused by the bridge, so it may be kept.
   * With `readAheadFrames` above 1, frames that have arrived come early, several in one tick.
   */
  audio: [frame: Uint8Array];
  /** A DTMF digit (RFC 4733, RTP framing). */
  dtmf: [digit: { digit: string; durationMs: number }];
  /** The first provider frame of an answer went out. */
  talkspurtStart: [];
  /** The provider audio queued after {@link RtpBridge.endOfAnswer} has all been sent. */
  drained: [];
  /**
   * A socket error (e.g. ICMP port unreachable once connected): the bridge keeps running.
   * Without a listener it is logged at `warn`, the first at once, then a count per minute.
   */
  error: [error: MediaError];
}

/** Counters of an {@link RtpBridge}. */
export interface RtpBridgeStats {
  /** Datagrams received. */
  packetsReceived: number;
  /** Not RTP, or not one frame of the codec: dropped. */
  malformed: number;
  /** From a source other than FreeSWITCH's: dropped. */
  otherSource: number;
  /**
   * Dropped before the bridge knew FreeSWITCH's address (no `remote`): not a valid frame of the
   * expected framing, payload type and size, so not latched to. A spoofed empty or malformed
   * datagram sent first cannot take the call's audio.
   */
  latchRejected: number;
  /** RTP with a payload type we do not play (comfort noise, video, ...). */
  unknownPayloadType: number;
  /** Unicast comfort-noise frames (320 × 0xFF on a native G.711 call). */
  comfortNoise: number;
  /** Frames sent to FreeSWITCH. */
  framesSent: number;
  /** Frames not sent during the instant the socket was being connected. */
  sendSkipped: number;
  /** Socket errors (an ICMP port unreachable, a failed send): counted, logged at `warn`. */
  socketErrors: number;
  /**
   * Datagrams the kernel refused to send on the bridge's own port (no route, a firewall, ICMP
   * refusal, ...), counted from the first one seen (within 64 datagrams of the first that
   * failed: see {@link UdpSendMonitor}); reported like `socketErrors`. On a shared socket they
   * are counted in its `stats.sendErrors`.
   */
  sendErrors: number;
}

/**
 * One call's audio over UDP: caller audio in (jitter buffer → decode → resample → `audio`
 * events), provider audio out ({@link RtpBridge.write} → resample → encode → pacer → one
 * datagram per 20 ms), barge-in ({@link RtpBridge.flush}) and {@link RtpBridge.playedMs}.
 *
 * ```ts
 * const bridge = new RtpBridge({ framing: 'raw', codec: 'PCMU', output: AudioFormats.MULAW_8K });
 * const { port } = await bridge.start();
 * await call.unicast({ localIp, localPort, remoteIp, remotePort: port, native: true });
 * bridge.on('audio', (frame) => provider.sendAudio(frame));
 * provider.on('audio', ({ data }) => bridge.write(data));
 * ```
 */
export class RtpBridge extends EventEmitter<RtpBridgeEvents> implements MediaTransport {
  /** This is the UDP transport. */
  readonly kind = 'rtp' as const;
  /** Its counters, live. */
  readonly counters: RtpBridgeStats = {
    packetsReceived: 0,
    malformed: 0,
    otherSource: 0,
    latchRejected: 0,
    unknownPayloadType: 0,
    comfortNoise: 0,
    framesSent: 0,
    sendSkipped: 0,
    socketErrors: 0,
    sendErrors: 0,
  };
  private readonly wire: WireFormat;
  private readonly output: AudioFormat;
  private readonly input: AudioFormat;
  private readonly jitter: JitterBuffer;
  private readonly clock: MediaClock;
  private readonly logger: Logger;
  private readonly header = createRtpHeaderFields();
  private readonly dtmf = new TelephoneEventDetector();
  /** Caller audio to the `output` format, provider audio from the `input` format (unless passed through). */
  private readonly decoder: WireDecoder | undefined;
  private readonly encoder: WireEncoder | undefined;
  /** G.711 passes through untouched (caller audio out, provider audio in). */
  private readonly passOut: boolean;
  private readonly passIn: boolean;
  private readonly sender: RtpSender | undefined;
  private pacer: Pacer | undefined;
  private port: AllocatedPort | undefined;
  private registration: SharedRegistration | undefined;
  private socket: Socket | undefined;
  private remote: { address: string; port: number } | undefined;
  /** `open` (unconnected), `connecting`, `connected`: a connected UDP socket must not be given an address. */
  private link: 'open' | 'connecting' | 'connected' = 'open';
  private unsubscribe: (() => void) | undefined;
  /** PCM16 samples split between two writes. */
  private readonly samples = new ByteAligner(2);
  private readonly readAheadFrames: number;
  private sends: UdpSendMonitor | undefined;
  private closed = false;

  constructor(private readonly options: RtpBridgeOptions) {
    super();
    this.wire = wireFormat(options.codec, options.framing);
    this.output = options.output ?? { encoding: 'pcm16', sampleRate: 8000 };
    this.input = options.input ?? this.output;
    this.clock = options.clock ?? getMediaClock();
    this.logger = options.logger ?? defaultLogger;
    this.remote = options.remote;
    this.jitter = new JitterBuffer({ ...getDefaultConfig().rtp.jitter, ...options.jitter, silence: this.wire.silence, conceal: this.wire.codec === 'L16' && options.framing === 'raw' ? pcm16Conceal : undefined });
    this.passOut = this.passes(this.output);
    this.passIn = this.passes(this.input);
    if (this.output.encoding !== 'pcm16' && !this.passOut) {
      throw new MediaError(`output ${this.output.encoding}@${this.output.sampleRate} needs the ${this.output.encoding === 'mulaw' ? 'PCMU' : 'PCMA'} codec on the wire`);
    }
    if (this.input.encoding !== 'pcm16' && !this.passIn) throw new MediaError(`input ${this.input.encoding} needs the matching G.711 codec on the wire`);
    if (!this.passOut) this.decoder = new WireDecoder(this.wire, this.output.sampleRate);
    if (!this.passIn) this.encoder = new WireEncoder(this.wire, this.input.sampleRate);
    if (options.framing === 'rtp') this.sender = new RtpSender({ payloadType: this.wire.payloadType, samplesPerPacket: 160 });
    this.readAheadFrames = options.readAheadFrames ?? 1;
    if (!(Number.isInteger(this.readAheadFrames) && this.readAheadFrames >= 1)) throw new MediaError(`readAheadFrames must be a positive integer, not ${options.readAheadFrames}`);
  }

  /** Binds the UDP port and starts the clock; resolves with the address to give FreeSWITCH. */
  async start(): Promise<{ address: string; port: number }> {
    if (this.socket) return this.socket.address();
    if (this.registration) return this.options.shared!.address()!;
    if (this.options.shared) return this.startShared(this.options.shared);
    const ports = this.options.ports ?? defaultPortAllocator();
    this.port = await ports.allocate();
    const socket = this.port.socket;
    this.socket = socket;
    socket.on('message', (data, rinfo) => this.receive(data, rinfo));
    // One per datagram at worst (ICMP unreachable on a connected socket): without a listener, logged bounded.
    const errors = new ThrottledLog(this.logger, { level: 'warn', message: 'media socket error (counted in counters.socketErrors)' });
    const localPort = socket.address().port;
    socket.on('error', (error) => {
      this.counters.socketErrors++;
      reportRepeatedError(this, new MediaError(`media socket error: ${error.message}`, { cause: error }), errors, { port: localPort });
    });
    const sendErrors = new ThrottledLog(this.logger, { level: 'warn', message: 'media: a datagram to FreeSWITCH could not be sent (counted in counters.sendErrors)' });
    this.sends = new UdpSendMonitor((error) => {
      this.counters.sendErrors++;
      reportRepeatedError(this, new MediaError(`media send failed: ${error.message}`, { cause: error }), sendErrors, { port: localPort, remote: this.remote && `${this.remote.address}:${this.remote.port}` });
    });
    if (this.remote) this.connect(this.remote);
    this.startTiming();
    return socket.address();
  }

  private startShared(shared: SharedMediaSocket): { address: string; port: number } {
    const remote = this.remote;
    const address = shared.address();
    if (!remote || !address) throw new MediaError('a bridge on a shared socket needs `remote` (FreeSWITCH\'s address) and a bound socket');
    // The shared socket routes by FreeSWITCH's address already: no source check here.
    this.registration = shared.register(remote.address, remote.port, (data) => {
      this.counters.packetsReceived++;
      this.accept(data);
    });
    this.link = 'connected';
    this.startTiming();
    return address;
  }

  private startTiming(): void {
    this.pacer = new Pacer({
      frameBytes: this.wire.frameBytes,
      silenceByte: this.wire.silenceByte,
      maxQueueMs: this.options.maxQueueMs,
      clock: 'manual',
      timing: this.clock,
      send: (frame) => this.sendFrame(frame),
    });
    this.pacer.on('talkspurtStart', () => {
      this.sender?.startTalkspurt();
      this.emit('talkspurtStart');
    });
    this.pacer.on('drained', () => this.emit('drained'));
    // One subscription per call: the frame due out first, then the caller's next frame in.
    const pacer = this.pacer;
    this.unsubscribe = this.clock.subscribe(() => {
      pacer.tick();
      this.playOne();
    });
  }

  /** Accepts datagrams only from this address from now on (FreeSWITCH's unicast end). */
  expectFrom(remote: { address: string; port: number }): void {
    if (this.registration) throw new MediaError('a bridge on a shared socket is registered for its `remote` at start');
    if (this.socket) this.connect(remote);
    else this.remote = remote;
  }

  /** Provider audio, in the `input` format, any amount. */
  write(chunk: Uint8Array): void {
    if (!this.pacer || this.closed || chunk.length === 0) return;
    if (this.passIn) return this.pacer.write(chunk);
    const wire = this.encoder!.encodeLE(this.samples.push(chunk));
    if (wire.length > 0) this.pacer.write(wire);
  }

  /** The answer is complete: its last partial frame is padded and sent. */
  endOfAnswer(): void {
    this.pacer?.end();
  }

  /** Barge-in: drops every queued frame before the next tick. */
  flush(): { droppedMs: number } {
    this.samples.reset();
    this.encoder?.reset();
    return this.pacer?.flush() ?? { droppedMs: 0 };
  }

  /** Ms of the current answer actually sent to the caller. */
  get playedMs(): number {
    return this.pacer?.playedMs ?? 0;
  }

  /** Ms of provider audio waiting. */
  get queuedMs(): number {
    return this.pacer?.queuedMs ?? 0;
  }

  /** Counters of the bridge, the jitter buffer and the pacer. */
  stats(): RtpBridgeStats & { jitter: ReturnType<JitterBuffer['stats']>; pacer: Pacer['stats'] | undefined } {
    this.counters.framesSent = this.pacer?.stats.framesSent ?? 0;
    return { ...this.counters, jitter: this.jitter.stats(), pacer: this.pacer?.stats };
  }

  /** `true` once {@link RtpBridge.close} ran. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Stops the clock, releases the port. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe?.();
    this.pacer?.close();
    this.port?.release();
    this.registration?.close();
    this.removeAllListeners();
  }

  /** A format that needs no conversion from/to the wire (G.711 passthrough). */
  private passes(format: AudioFormat): boolean {
    return (
      format.sampleRate === 8000 &&
      ((format.encoding === 'mulaw' && this.wire.codec === 'PCMU') || (format.encoding === 'alaw' && this.wire.codec === 'PCMA'))
    );
  }

  private connect(remote: { address: string; port: number }): void {
    this.remote = remote;
    if (this.link !== 'open') return;
    this.link = 'connecting';
    // Connected: the kernel drops other sources' datagrams and ICMP errors surface as `error`.
    this.socket!.connect(remote.port, remote.address, (error?: Error) => {
      this.link = error ? 'open' : 'connected';
      if (error) this.logger.debug({ err: error.message }, 'media socket connect failed; sending unconnected');
    });
  }

  private receive(data: Buffer, rinfo: Pick<RemoteInfo, 'address' | 'port'>): void {
    this.counters.packetsReceived++;
    if (this.remote === undefined) {
      if (!this.latchable(data)) {
        if (this.counters.latchRejected++ === 0) {
          this.logger.debug({ from: `${rinfo.address}:${rinfo.port}`, bytes: data.length }, 'media: datagram refused before latching (not a valid frame)');
        }
        return;
      }
      this.connect({ address: rinfo.address, port: rinfo.port });
    } else if (rinfo.address !== this.remote.address || rinfo.port !== this.remote.port) {
      this.counters.otherSource++;
      return;
    }
    this.accept(data);
  }

  /**
   * Whether a datagram is one FreeSWITCH sends, so the bridge may take its source as
   * FreeSWITCH's: RTP v2 with the codec's payload type and one 20 ms frame, or an RFC 4733
   * event (its payload type, 4 bytes per event); raw `unicast`, one frame of the codec (or, with
   * `native` G.711, FreeSWITCH's 320-byte comfort-noise frame).
   */
  private latchable(data: Buffer): boolean {
    if (this.options.framing === 'raw') return data.length === this.wire.frameBytes || this.isComfortNoise(data);
    const h = this.header;
    if (readRtpHeader(data, h) !== RtpParseStatus.OK) return false;
    if (h.payloadType === this.wire.payloadType) return h.payloadLength === this.wire.frameBytes;
    return h.payloadType === (this.options.telephoneEventPayloadType ?? 101) && h.payloadLength > 0 && h.payloadLength % 4 === 0;
  }

  /** With `flags: native` FreeSWITCH's own comfort noise still arrives as 320 bytes of 0xFF. */
  private isComfortNoise(data: Buffer): boolean {
    return this.wire.codec !== 'L16' && data.length === 320 && data.every((b) => b === 0xff);
  }

  /** A datagram from FreeSWITCH: into the jitter buffer (or the DTMF detector). */
  private accept(data: Buffer): void {
    if (this.options.framing === 'raw') return this.receiveRaw(data);
    const h = this.header;
    if (readRtpHeader(data, h) !== RtpParseStatus.OK) {
      this.counters.malformed++;
      return;
    }
    const payload = data.subarray(h.payloadOffset, h.payloadOffset + h.payloadLength);
    if (h.payloadType === (this.options.telephoneEventPayloadType ?? 101)) {
      for (const d of this.dtmf.push(h.timestamp, payload)) this.emit('dtmf', d);
      return;
    }
    if (h.payloadType !== this.wire.payloadType) {
      this.counters.unknownPayloadType++;
      return;
    }
    if (payload.length !== this.wire.frameBytes) {
      this.counters.malformed++;
      return;
    }
    this.jitter.push({ sequenceNumber: h.sequenceNumber, timestamp: h.timestamp, ssrc: h.ssrc, marker: h.marker, payload, arrivalMs: performance.now() });
  }

  private receiveRaw(data: Buffer): void {
    if (data.length === this.wire.frameBytes) return this.jitter.pushRaw(data, performance.now());
    if (this.isComfortNoise(data)) {
      this.counters.comfortNoise++;
      return this.jitter.pushRaw(this.wire.silence, performance.now());
    }
    this.counters.malformed++;
  }

  /** One clock tick: the next caller frame (and with `readAheadFrames`, those that follow and have arrived), converted to the output format. */
  private playOne(): void {
    if (this.closed) return;
    // The jitter buffer's frame is its own storage: what is handed out is a copy, or decoded.
    const { kind, payload } = this.jitter.pull();
    if (kind === 'early') return; // handed out already
    this.emit('audio', this.passOut ? copyToBuffer(payload) : this.decoder!.decode(payload));
    for (let n = 1; n < this.readAheadFrames && !this.closed; n++) {
      const next = this.jitter.readAhead();
      if (next === undefined) return;
      this.emit('audio', this.passOut ? copyToBuffer(next) : this.decoder!.decode(next));
    }
  }

  private sendFrame(frame: Buffer): void {
    if (this.registration) {
      if (!this.closed) this.registration.send(this.sender ? this.sender.packetize(frame) : frame);
      return;
    }
    const socket = this.socket;
    const remote = this.remote;
    if (!socket || !remote || this.closed) return;
    if (this.link === 'connecting') {
      this.counters.sendSkipped++;
      return;
    }
    const datagram = this.sender ? this.sender.packetize(frame) : frame;
    if (this.link === 'connected') socket.send(datagram, this.sends!.callback());
    else socket.send(datagram, remote.port, remote.address, this.sends!.callback());
  }
}
