/**
 * Media metrics: frames in and out, late / lost / concealed frames, the jitter buffer's delay,
 * the media clock's lateness (pacing), and the kernel's drops on shared sockets. Read from the
 * bridges' and sockets' own counters when metrics are collected: nothing per frame.
 *
 * @module
 */
import { type MediaClock, type MediaClockStats, getMediaClock } from '../media/media-clock.js';
import type { MediaTransport, MediaTransportStats } from '../media/media-transport.js';
import type { RtpBridgeStats } from '../media/rtp-bridge.js';
import type { SharedMediaSocket } from '../media/shared-media-socket.js';
import { DeltaTracker, type MetricFactory } from './prom.js';

type Counter = ReturnType<MetricFactory['counter']>;

/** What a transport's `stats()` gives: the common counters, and the UDP bridge's own where it is one. */
type Stats = MediaTransportStats & Partial<RtpBridgeStats>;

/** The bridge counters exported, and how to read each from `bridge.stats()`. */
const BRIDGE_COUNTERS = {
  // A WebSocket transport has no datagrams: the frames its jitter buffer took.
  frames_received: (s: Stats) => s.packetsReceived ?? s.jitter.received,
  frames_sent: (s: Stats) => s.framesSent,
  frames_late: (s: Stats) => s.jitter.late,
  frames_lost: (s: Stats) => s.jitter.lost,
  frames_concealed: (s: Stats) => s.jitter.concealed,
  frames_overflow: (s: Stats) => s.jitter.overflow,
  frames_malformed: (s: Stats) => s.malformed ?? 0,
  frames_other_source: (s: Stats) => s.otherSource ?? 0,
  pacer_underruns: (s: Stats) => s.pacer?.underruns ?? 0,
  send_errors: (s: Stats) => s.sendErrors ?? 0,
} as const;

const HELP: Record<keyof typeof BRIDGE_COUNTERS, string> = {
  frames_received: 'Caller audio datagrams received from FreeSWITCH',
  frames_sent: 'Audio frames sent to FreeSWITCH (20 ms each)',
  frames_late: 'Caller frames that arrived after their playout time (dropped)',
  frames_lost: 'Caller frames that never arrived',
  frames_concealed: 'Caller frames made up for lost ones (packet-loss concealment)',
  frames_overflow: 'Caller frames dropped because the jitter buffer was over its maximum',
  frames_malformed: 'Datagrams that were not one frame of the call codec',
  frames_other_source: 'Datagrams from a source other than FreeSWITCH (dropped)',
  pacer_underruns: 'Times the answer being played ran dry before its end',
  send_errors: 'Datagrams to FreeSWITCH the kernel refused to send (bridges on their own port and shared sockets)',
};

/** The metrics of bridges, the media clock and shared sockets. */
export class MediaMetrics {
  private readonly bridges = new Set<MediaTransport>();
  private readonly sockets = new Set<SharedMediaSocket>();
  private readonly clocks = new Set<MediaClock>();
  /** The clocks' stats of the scrape running now (one `stats()` — three sorts — per clock and scrape, not per metric). */
  private clockSnapshot: MediaClockStats[] | undefined;
  private readonly bridgeDeltas = new DeltaTracker<string>();
  private readonly counters = new Map<keyof typeof BRIDGE_COUNTERS, Counter>();

  constructor(f: MetricFactory) {
    const self = this;
    const sharedSendDeltas = new DeltaTracker<SharedMediaSocket>();
    for (const key of Object.keys(BRIDGE_COUNTERS) as (keyof typeof BRIDGE_COUNTERS)[]) {
      // The first counter's collect reads every bridge once, for all of them; shared sockets count their own failed sends.
      const collect =
        key === 'frames_received'
          ? () => self.readBridges()
          : key === 'send_errors'
            ? function (this: Counter) {
                for (const s of self.sockets) this.inc(sharedSendDeltas.delta(s, s.stats.sendErrors));
              }
            : undefined;
      this.counters.set(key, f.counter(`media_${key}_total`, HELP[key], [], collect));
    }
    f.gauge('media_bridges_active', 'Call audio bridges open', [], function () {
      self.readBridges();
      this.set(self.bridges.size);
    });
    f.gauge('media_jitter_buffer_delay_seconds', "Jitter buffers' playout delay over the open bridges: average and largest", ['stat'], function () {
      let sum = 0;
      let max = 0;
      let n = 0;
      for (const b of self.bridges) {
        const d = b.stats().jitter.delayMs / 1000;
        sum += d;
        max = Math.max(max, d);
        n++;
      }
      this.set({ stat: 'avg' }, n === 0 ? 0 : sum / n);
      this.set({ stat: 'max' }, max);
    });
    f.gauge('media_clock_lateness_seconds', "How late the media clock's 20 ms ticks ran (pacing), over the last 4096 ticks", ['quantile'], function () {
      this.reset();
      for (const s of self.clockStats()) {
        this.set({ quantile: '0.5' }, s.p50LatenessMs / 1000);
        this.set({ quantile: '0.99' }, s.p99LatenessMs / 1000);
        this.set({ quantile: '1' }, s.maxLatenessMs / 1000);
      }
    });
    f.gauge('media_frame_lateness_seconds', "How long after its 20 ms slot each call's frame actually left (what the caller hears), over the last 30-60 s", ['quantile'], function () {
      this.reset();
      for (const s of self.clockStats()) {
        this.set({ quantile: '0.5' }, s.p50FrameLatenessMs / 1000);
        this.set({ quantile: '0.99' }, s.p99FrameLatenessMs / 1000);
        this.set({ quantile: '1' }, s.maxFrameLatenessMs / 1000);
      }
    });
    f.gauge('media_clock_work_seconds', "Time one tick's work took, over the last 4096 ticks: near 20 ms the process is full", ['quantile'], function () {
      this.reset();
      for (const s of self.clockStats()) {
        this.set({ quantile: '0.99' }, s.p99WorkMs / 1000);
        this.set({ quantile: '1' }, s.maxWorkMs / 1000);
      }
    });
    const clockDeltas = new DeltaTracker<string>();
    f.counter('media_clock_late_ticks_total', 'Media clock ticks that ran more than 2 ms late', [], function () {
      let n = 0;
      for (const s of self.clockStats()) n += s.lateTicks;
      this.inc(clockDeltas.delta('late', n));
    });
    f.counter('media_late_frames_total', 'Frames that left more than 5 ms after their 20 ms slot', [], function () {
      let n = 0;
      for (const s of self.clockStats()) n += s.lateFrames;
      this.inc(clockDeltas.delta('lateFrames', n));
    });
    f.counter('media_clock_skipped_ticks_total', 'Media clock ticks skipped after the event loop was blocked too long', [], function () {
      let n = 0;
      for (const s of self.clockStats()) n += s.skippedTicks;
      this.inc(clockDeltas.delta('skipped', n));
    });
    const socketDeltas = new DeltaTracker<SharedMediaSocket>();
    f.counter('media_kernel_drops_total', 'Datagrams the kernel dropped on shared media sockets because their receive buffer was full (caller audio lost)', [], async function () {
      const rows = await Promise.all([...self.sockets].map(async (s) => [s, (await s.kernelStats())?.drops] as const));
      for (const [s, drops] of rows) if (drops !== undefined) this.inc(socketDeltas.delta(s, drops));
    });
    const unknownDeltas = new DeltaTracker<SharedMediaSocket>();
    f.counter('media_unknown_source_total', 'Datagrams on shared media sockets from a source no call is registered for (dropped)', [], function () {
      for (const s of self.sockets) this.inc(unknownDeltas.delta(s, s.stats.unknownSource));
    });
  }

  /** Counts a bridge's (any media transport's) frames while it is open (it is read a last time after it closes). */
  observeBridge(bridge: MediaTransport): () => void {
    this.bridges.add(bridge);
    return () => this.finish(bridge);
  }

  /** Exports the media clock's lateness (default: the process-wide clock). */
  observeClock(clock: MediaClock = getMediaClock()): () => void {
    this.clocks.add(clock);
    return () => this.clocks.delete(clock);
  }

  /** Exports a shared socket's kernel drops and unknown sources. */
  observeSharedSocket(socket: SharedMediaSocket): () => void {
    this.sockets.add(socket);
    return () => this.sockets.delete(socket);
  }

  /** Each observed clock's stats, read once per scrape: prom-client calls every collect in one synchronous pass. */
  private clockStats(): MediaClockStats[] {
    if (this.clockSnapshot === undefined) {
      this.clockSnapshot = [...this.clocks].map((c) => c.stats());
      queueMicrotask(() => (this.clockSnapshot = undefined));
    }
    return this.clockSnapshot;
  }

  /** Reads every bridge's counters into the metrics; closed bridges a last time, then forgotten. */
  private readBridges(): void {
    for (const bridge of this.bridges) {
      this.read(bridge);
      if (bridge.isClosed) this.finish(bridge);
    }
  }

  private read(bridge: MediaTransport): void {
    const stats = bridge.stats();
    const id = bridgeId(bridge);
    for (const [key, counter] of this.counters) counter.inc(this.bridgeDeltas.delta(`${id}:${key}`, BRIDGE_COUNTERS[key](stats)));
  }

  private finish(bridge: MediaTransport): void {
    if (!this.bridges.delete(bridge)) return;
    this.read(bridge);
    const id = bridgeId(bridge);
    for (const key of this.counters.keys()) this.bridgeDeltas.forget(`${id}:${key}`);
  }
}

const ids = new WeakMap<MediaTransport, number>();
let nextId = 0;
function bridgeId(bridge: MediaTransport): number {
  let id = ids.get(bridge);
  if (id === undefined) ids.set(bridge, (id = nextId++));
  return id;
}
