/**
 * RFC 4733 telephone-events (DTMF over RTP): one event arrives in many packets sharing its RTP
 * timestamp, with a growing duration, and its end packet is usually sent three times. The
 * detector reports each digit once.
 *
 * @module
 */

/** Event codes 0-15 as digits. */
const DIGITS = '0123456789*#ABCD';

/** A decoded telephone-event payload. */
export interface TelephoneEvent {
  /** 0-255; 0-15 are DTMF. */
  event: number;
  /** End bit: the last packets of the event. */
  end: boolean;
  /** Volume in -dBm0 (0-63). */
  volume: number;
  /** Duration in timestamp units. */
  duration: number;
}

/** Decodes a 4-byte payload; `undefined` when it is shorter. */
export function parseTelephoneEvent(payload: Uint8Array): TelephoneEvent | undefined {
  if (payload.length < 4) return undefined;
  return { event: payload[0]!, end: (payload[1]! & 0x80) !== 0, volume: payload[1]! & 0x3f, duration: (payload[2]! << 8) | payload[3]! };
}

/** A detected digit. */
export interface DetectedDigit {
  /** The digit: `0`-`9`, `*`, `#`, `A`-`D`. */
  digit: string;
  /** How long it was pressed, ms. */
  durationMs: number;
}

/** Reports each DTMF digit of a stream once (feed it the telephone-event packets). */
export class TelephoneEventDetector {
  private current: { timestamp: number; event: number; duration: number; reported: boolean } | undefined;

  constructor(private readonly clockRate = 8000) {}

  /**
   * Feeds one packet (its RTP timestamp and payload). Returns the digits completed by it: the
   * previous event if this one starts a new one without its end having arrived, and this one if
   * it ends here.
   */
  push(timestamp: number, payload: Uint8Array): DetectedDigit[] {
    const ev = parseTelephoneEvent(payload);
    if (ev === undefined || ev.event > 15) return [];
    const out: DetectedDigit[] = [];
    const cur = this.current;
    if (cur === undefined || cur.timestamp !== timestamp) {
      if (cur && !cur.reported) out.push(this.digit(cur.event, cur.duration));
      this.current = { timestamp, event: ev.event, duration: ev.duration, reported: false };
    } else {
      cur.duration = Math.max(cur.duration, ev.duration);
    }
    const now = this.current!;
    if (ev.end && !now.reported) {
      now.reported = true;
      out.push(this.digit(now.event, now.duration));
    }
    return out;
  }

  /** Reports an event whose end never came (call at the end of the stream). */
  flush(): DetectedDigit[] {
    const cur = this.current;
    this.current = undefined;
    return cur && !cur.reported ? [this.digit(cur.event, cur.duration)] : [];
  }

  private digit(event: number, duration: number): DetectedDigit {
    return { digit: DIGITS[event]!, durationMs: (duration * 1000) / this.clockRate };
  }
}
