/**
 * What peers of the outbound server may send before their handshake completes. Before
 * `connect` is answered a real FreeSWITCH sends one thing, the channel data (7.3 KB in the
 * largest of our recordings, tens of KB with many variables); a peer may not buffer more than a
 * bound of its own, and all peers still in the handshake not more than a bound together, so a
 * crowd of peers sending large bodies can no longer fill the memory of the process.
 *
 * @module
 */
import { EslProtocolError } from '../errors.js';

/**
 * Default per-connection bound: 256 KiB, 35 times the largest channel data recorded from a real
 * FreeSWITCH (7 294 bytes, test/fixtures/esl/outbound-sip-pcmu-*.json).
 */
export const DEFAULT_MAX_HANDSHAKE_BYTES = 256 * 1024;

/** Default bound across every connection still in its handshake: 16 MiB (64 peers at the full per-connection bound). */
export const DEFAULT_MAX_PENDING_HANDSHAKE_BYTES = 16 * 1024 * 1024;

/** Which bound a refused connection hit. */
export type HandshakeLimit = 'connection' | 'total';

/** The bytes one connection has sent before its handshake completed. */
export class HandshakeAllowance {
  /** Bytes admitted so far. */
  used = 0;
  /** The bound that refused a chunk, if one did. */
  exceeded: HandshakeLimit | undefined;
  /** The error the connection was closed with, if a bound refused a chunk. */
  error: EslProtocolError | undefined;
  private released = false;

  constructor(private readonly budget: HandshakeBudget) {}

  /**
   * Admits a received chunk of `bytes`, or returns the error that closes the connection (the
   * chunk is then not parsed). Free once released.
   */
  readonly admit = (bytes: number): Error | undefined => {
    if (this.released) return undefined;
    const { budget } = this;
    if (this.used + bytes > budget.perConnection) {
      this.exceeded = 'connection';
      this.error = new EslProtocolError(
        `the peer sent more than ${budget.perConnection} bytes before completing the outbound handshake (maxHandshakeBytes)`,
      );
      return this.error;
    }
    if (budget.pendingBytes + bytes > budget.total) {
      this.exceeded = 'total';
      this.error = new EslProtocolError(
        `connections in the outbound handshake hold ${budget.pendingBytes} bytes; ${bytes} more would pass maxPendingHandshakeBytes (${budget.total})`,
      );
      return this.error;
    }
    this.used += bytes;
    budget.pendingBytes += bytes;
    if (budget.pendingBytes > budget.peakBytes) budget.peakBytes = budget.pendingBytes;
    return undefined;
  };

  /** The handshake completed or the connection closed: its bytes no longer count. Idempotent. */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.budget.pendingBytes -= this.used;
  }
}

/** The bounds, and the bytes held by connections still in their handshake. */
export class HandshakeBudget {
  /** Bytes admitted from connections whose handshake has not completed. */
  pendingBytes = 0;
  /** The most {@link HandshakeBudget.pendingBytes} has been. */
  peakBytes = 0;

  constructor(
    /** Most bytes one connection may send before its handshake completes. */
    readonly perConnection: number = DEFAULT_MAX_HANDSHAKE_BYTES,
    /** Most bytes all connections in their handshake may hold together. */
    readonly total: number = DEFAULT_MAX_PENDING_HANDSHAKE_BYTES,
  ) {}

  /** Opens the allowance of a new connection. */
  open(): HandshakeAllowance {
    return new HandshakeAllowance(this);
  }
}
