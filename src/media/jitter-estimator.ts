/**
 * RFC 3550 §6.4.1 / A.8 interarrival jitter: `J += (|D| - J) / 16`, where `D` is the change in
 * transit time between consecutive packets, in timestamp units.
 *
 * @module
 */

/** The running interarrival jitter of one stream. */
export class InterarrivalJitter {
  /** Current estimate, in timestamp units. */
  value = 0;
  /**
   * The previous packet's transit time; NaN before the first. Always a number: a field that is
   * sometimes `undefined` holds its doubles boxed, one allocation per packet.
   */
  private lastTransit = Number.NaN;

  /** Feeds one packet's arrival time (ms) and RTP timestamp. */
  update(arrivalMs: number, timestamp: number, clockRate: number): void {
    const arrival = (arrivalMs * clockRate) / 1000;
    // Transit modulo 2^32 keeps the difference right across a timestamp wrap.
    const transit = arrival - timestamp;
    if (!Number.isNaN(this.lastTransit)) {
      let d = transit - this.lastTransit;
      if (d > 2 ** 31) d -= 2 ** 32;
      else if (d < -(2 ** 31)) d += 2 ** 32;
      this.value += (Math.abs(d) - this.value) / 16;
    }
    this.lastTransit = transit;
  }

  /** Starts over (new SSRC). */
  reset(): void {
    this.value = 0;
    this.lastTransit = Number.NaN;
  }
}
