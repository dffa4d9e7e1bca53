/**
 * Failed UDP sends, counted without a cost per datagram. node:dgram tells a send's failure
 * (`EACCES`, `ENETUNREACH`, `ECONNREFUSED` after an ICMP refusal on a connected socket,
 * `ENOBUFS`, ...) only to a callback given to that `send` — without one it is dropped silently —
 * and a callback costs a queued tick for every datagram, even one that went out (measured:
 * 0.2–0.4 µs on a 4–5 µs send). So a datagram carries the callback only now and then: the
 * socket's first, then one in {@link UdpSendMonitorOptions.sampleEvery}; once one fails, every
 * datagram carries it for the next {@link UdpSendMonitorOptions.watchSends}. A failure that
 * lasts — a route, a firewall, a peer gone — is thus seen within `sampleEvery` datagrams of the
 * first that failed, and counted exactly from then on (from the next turn of the event loop:
 * a callback runs after the sends of its turn).
 *
 * @module
 */

/** Options of {@link UdpSendMonitor}. */
export interface UdpSendMonitorOptions {
  /** One datagram in this many carries a callback while sends succeed. Default 64. */
  sampleEvery?: number;
  /** After a failure, this many datagrams carry it. Default 1024. */
  watchSends?: number;
}

/** What node:dgram calls a send's callback with. */
export type SendCallback = (error: Error | null) => void;

/** Watches one socket's sends: pass {@link UdpSendMonitor.callback} as each `send`'s callback. */
export class UdpSendMonitor {
  /** Sends that failed, as seen. */
  failures = 0;
  private readonly sampleEvery: number;
  private readonly watchSends: number;
  /** Datagrams until the next sampled one (the first is). */
  private countdown = 1;
  /** Datagrams still watched after a failure. */
  private watching = 0;
  private readonly onSent: SendCallback;

  /** @param onFailure - each failure seen (count it, log it bounded). */
  constructor(onFailure: (error: Error) => void, options: UdpSendMonitorOptions = {}) {
    this.sampleEvery = options.sampleEvery ?? 64;
    this.watchSends = options.watchSends ?? 1024;
    this.onSent = (error) => {
      if (error === null || error === undefined) return;
      this.failures++;
      this.watching = this.watchSends;
      onFailure(error);
    };
  }

  /** The callback for the next `send`: the monitor's on a sampled or watched datagram, `undefined` otherwise. */
  callback(): SendCallback | undefined {
    if (this.watching > 0) {
      this.watching--;
      return this.onSent;
    }
    if (--this.countdown > 0) return undefined;
    this.countdown = this.sampleEvery;
    return this.onSent;
  }
}
