/**
 * FreeSWITCH's `unicast` (switch_ivr.c: `switch_ivr_activate_unicast`, `unicast_thread_run`
 * and the park loop), for the simulator: bare UDP datagrams, one per 20 ms, no RTP header.
 *
 * - FreeSWITCH binds `local-ip:local-port` and sends the caller's audio to
 *   `remote-ip:remote-port` while the channel is parked (nothing runs on top of the park).
 * - Without `flags: native` every datagram is 20 ms of L16 little-endian at the channel's rate
 *   (320 bytes at 8 kHz: `conninfo->read_codec` is L16 at `actual_samples_per_second`); with it,
 *   the channel's codec (160 bytes of µ-law on PCMU) — but a comfort-noise frame (the caller is
 *   silent) is `decoded_bytes_per_packet` of `0xFF` in both modes (320 bytes at 8 kHz).
 * - It accepts datagrams from any source and plays them to the caller; a zero-length datagram
 *   stops its receive thread.
 *
 * @module
 */
import { type Socket, createSocket } from 'node:dgram';
import { alawEncode, ulawEncode } from '../media/g711.js';
import { pcmToLE } from '../media/pcm.js';
import { Resampler } from '../media/resampler.js';
import type { SampleRate } from '../realtime/audio-format.js';
import type { SimulatedChannel } from './channel-model.js';
import { Wakeups } from './wakeups.js';

/** The headers of a `sendmsg` with `call-command: unicast`. */
export interface UnicastParams {
  /** FreeSWITCH's address (`local-ip`). */
  localIp: string;
  /** FreeSWITCH's port (`local-port`). */
  localPort: number;
  /** The application's address (`remote-ip`). */
  remoteIp: string;
  /** The application's port (`remote-port`). */
  remotePort: number;
  /** `flags: native`: the call's own codec instead of L16. */
  native: boolean;
}

/** A datagram FreeSWITCH received from the application. */
export interface ReceivedDatagram {
  /** The payload. */
  readonly data: Buffer;
  /** `address:port` it came from. */
  readonly from: string;
  /** `performance.now()` at arrival. */
  readonly at: number;
}

/** Options of {@link SimulatedUnicast}. */
export interface SimulatedUnicastOptions {
  /**
   * True while the far end echoes (a loopback partner running `echo`): what FreeSWITCH receives
   * from the application comes back out, frame for frame.
   */
  echo?: () => boolean;
  /** Keep every frame sent to the application in {@link SimulatedUnicast.sentFrames} (for recordings). */
  record?: boolean;
}

/** Rates the caller's 8 kHz voice can be brought to; a channel at another rate gets it at 8 kHz. */
const RATES: readonly number[] = [8000, 16000, 24000, 48000] satisfies SampleRate[];

/** Reads `unicast` headers the way `switch_ivr_parse_event` does (defaults included). */
export function unicastParams(get: (name: string) => string | undefined): UnicastParams {
  return {
    localIp: get('local-ip') || '127.0.0.1',
    localPort: Number(get('local-port') || 8025),
    remoteIp: get('remote-ip') || '127.0.0.1',
    remotePort: Number(get('remote-port') || 8026),
    native: /native/i.test(get('flags') ?? ''),
  };
}

/** One channel's unicast session. */
export class SimulatedUnicast {
  /** Every datagram received, in order. */
  readonly received: ReceivedDatagram[] = [];
  /** Datagrams sent to the application. */
  sent = 0;
  /** The receive thread stopped (a zero-length datagram arrived). */
  receiveStopped = false;
  /** With `record`: every frame sent to the application, with `performance.now()` when sent. */
  readonly sentFrames: { data: Buffer; at: number }[] = [];
  /** `performance.now()` when the send loop started. */
  startedAt = 0;
  private echoed = 0;
  private readonly socket: Socket;
  private timer: NodeJS.Timeout | undefined;
  private position = 0;
  /** The channel's read rate and comfort-noise frame, fixed by the first frame (the park loop reads `read_impl` once). */
  private impl: { rate: number; cng: Buffer } | undefined;
  /** The voice resampled to the channel's rate, and what it was made from. */
  private resampled: { source: Int16Array; voice: Int16Array } | undefined;
  private closed = false;
  private readonly wakeups = new Wakeups();

  constructor(
    private readonly channel: SimulatedChannel,
    /** The `unicast` it serves. */
    readonly params: UnicastParams,
    /**
     * The caller's voice (8 kHz PCM), played once from the first frame; silence (comfort noise)
     * after it. Default: the channel's {@link SimulatedChannel.farEndAudio}.
     */
    private readonly callerAudio: Int16Array | undefined,
    private readonly options: SimulatedUnicastOptions = {},
  ) {
    this.socket = createSocket('udp4');
    this.socket.on('error', () => {});
    this.socket.on('message', (data, rinfo) => {
      if (this.receiveStopped) return;
      if (data.length === 0) {
        this.receiveStopped = true;
        return;
      }
      this.received.push({ data, from: `${rinfo.address}:${rinfo.port}`, at: performance.now() });
      this.wakeups.wake();
    });
  }

  /** Binds `local-ip:local-port` and starts the 20 ms send loop. */
  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.once('error', reject);
      this.socket.bind(this.params.localPort, this.params.localIp, () => {
        this.socket.off('error', reject);
        const started = performance.now();
        this.startedAt = started;
        let n = 0;
        const tick = (): void => {
          if (this.closed) return;
          this.sendFrame();
          n++;
          this.timer = setTimeout(tick, Math.max(0, started + n * 20 - performance.now()));
        };
        tick();
        resolve();
      });
    });
  }

  /** Resolves once `count` datagrams have been received in total. */
  async waitForReceived(count: number): Promise<void> {
    while (this.received.length < count && !this.closed) await this.wakeups.next();
  }

  /** Sends one datagram to the application now, out of the 20 ms schedule (tests, benchmarks). */
  inject(datagram: Uint8Array): void {
    if (!this.closed) this.socket.send(datagram, this.params.remotePort, this.params.remoteIp);
  }

  /** Stops sending and closes the socket (the park ended or the channel hung up). */
  stop(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.socket.close();
    this.wakeups.wake();
  }

  /** The park loop reads one frame from the caller and sends it, if the channel is parked. */
  private sendFrame(): void {
    // Only switch_ivr_park's loop reads and sends frames: nothing while an application runs inside it.
    if (this.channel.isDown || this.channel.currentApp?.parked !== true) return;
    const frame = this.options.echo?.() ? this.echoFrame() : this.nextFrame();
    this.sent++;
    if (this.options.record) this.sentFrames.push({ data: frame, at: performance.now() });
    this.socket.send(frame, this.params.remotePort, this.params.remoteIp);
  }

  /** The oldest received frame not yet echoed (comfort noise when there is none). */
  private echoFrame(): Buffer {
    const next = this.received[this.echoed];
    if (next === undefined) return this.readImpl().cng;
    this.echoed++;
    return next.data;
  }

  private nextFrame(): Buffer {
    const { rate, cng } = this.readImpl();
    const voice = this.voiceAt(rate);
    const perFrame = rate / 50;
    if (voice === undefined || this.position >= voice.length) return cng;
    const samples = new Int16Array(perFrame);
    samples.set(voice.subarray(this.position, this.position + perFrame));
    this.position += perFrame;
    const codec = this.channel.variables.get('read_codec') ?? 'L16';
    if (this.params.native && rate === 8000 && codec === 'PCMU') return Buffer.from(ulawEncode(samples));
    if (this.params.native && rate === 8000 && codec === 'PCMA') return Buffer.from(alawEncode(samples));
    return pcmToLE(samples);
  }

  /** The park loop's `read_impl`, read once: the channel's rate (20 ms frames) and its comfort-noise frame. */
  private readImpl(): { rate: number; cng: Buffer } {
    if (this.impl === undefined) {
      const asked = Number(this.channel.variables.get('read_rate')) || 8000;
      const rate = RATES.includes(asked) ? asked : 8000;
      this.impl = { rate, cng: Buffer.alloc((rate / 50) * 2, 0xff) };
    }
    return this.impl;
  }

  /** The caller's voice (or the far end's, once answered), brought from 8 kHz to the channel's rate. */
  private voiceAt(rate: number): Int16Array | undefined {
    const source = this.callerAudio ?? this.channel.farEndAudio;
    if (source === undefined || rate === 8000) return source;
    if (this.resampled?.source !== source) {
      this.resampled = { source, voice: Int16Array.from(new Resampler({ from: 8000, to: rate as SampleRate }).process(source)) };
    }
    return this.resampled.voice;
  }
}
