/**
 * Who an outbound server lets in, and what a peer may send before its handshake completes:
 * the allowlist, the handshake byte budget, and the refusals — each counted, logged at `warn`
 * (the first at once, then one line per interval with the count) and reported as `rejected`.
 *
 * @module
 */
import type { Socket } from 'node:net';
import { ConfigError } from '../errors.js';
import { ThrottledLog } from '../log-throttle.js';
import type { Logger } from '../logger.js';
import { DEFAULT_MAX_HANDSHAKE_BYTES, DEFAULT_MAX_PENDING_HANDSHAKE_BYTES, type HandshakeAllowance, HandshakeBudget } from './handshake-budget.js';
import { compileAllowList } from './ip-allowlist.js';
import type { OutboundCall } from './outbound-call.js';
import type { OutboundServerEvents, OutboundServerOptions, OutboundServerStats } from './outbound-server-options.js';

/** What a refusal reports. */
type Rejection = OutboundServerEvents['rejected'][0];

/** The accept-time gate of one {@link OutboundServer}. */
export class OutboundAdmission {
  /** Bytes held by peers in their handshake, and the bounds. */
  readonly budget: HandshakeBudget;
  private readonly allowed: (address: string | undefined) => boolean;
  private readonly refusals: { overLimit: ThrottledLog; notAllowed: ThrottledLog; handshake: ThrottledLog; tooMuch: ThrottledLog };

  /** Throws {@link ConfigError} for an invalid allowlist or byte bound. */
  constructor(
    options: OutboundServerOptions,
    logger: Logger,
    private readonly stats: OutboundServerStats,
    private readonly rejected: (info: Rejection) => void,
  ) {
    this.allowed = compileAllowList(options.allow);
    this.budget = new HandshakeBudget(
      positive(options.maxHandshakeBytes ?? DEFAULT_MAX_HANDSHAKE_BYTES, 'maxHandshakeBytes'),
      positive(options.maxPendingHandshakeBytes ?? DEFAULT_MAX_PENDING_HANDSHAKE_BYTES, 'maxPendingHandshakeBytes'),
    );
    const refusal = (message: string): ThrottledLog => new ThrottledLog(logger, { level: 'warn', message, intervalMs: options.refusalLogIntervalMs });
    this.refusals = {
      overLimit: refusal('outbound connection over maxConnections: closed (FreeSWITCH continues the dialplan after `socket`)'),
      notAllowed: refusal('outbound connection from a peer outside `allow`: closed'),
      handshake: refusal('outbound handshake failed: connection closed'),
      tooMuch: refusal('outbound peer sent too much before its handshake: closed'),
    };
  }

  /** The listening socket dropped a connection over `maxConnections`. */
  dropped(remoteAddress: string | undefined, maxConnections: number): void {
    this.stats.rejectedOverLimit++;
    this.refusals.overLimit.log({ remoteAddress, maxConnections });
    this.rejected({ reason: 'max-connections', remoteAddress });
  }

  /**
   * Whether a new connection may go on to its handshake. One that may not (the server is
   * closing, or the peer is outside `allow`) is destroyed before a byte of it is read.
   */
  admit(socket: Socket, remoteAddress: string | undefined, closing: boolean): boolean {
    if (closing) {
      socket.destroy();
      this.rejected({ reason: 'closing', remoteAddress });
      return false;
    }
    if (!this.allowed(remoteAddress)) {
      // Before any data listener is attached: not a byte of this peer is read.
      socket.destroy();
      this.stats.rejectedNotAllowed++;
      this.refusals.notAllowed.log({ remoteAddress });
      this.rejected({ reason: 'not-allowed', remoteAddress });
      return false;
    }
    return true;
  }

  /** A call's handshake failed: the call is destroyed, and why (too many bytes, or anything else) counted, logged and reported. */
  handshakeFailed(call: OutboundCall, allowance: HandshakeAllowance, remoteAddress: string | undefined, error: Error): void {
    if (allowance.exceeded) {
      const tooLarge = allowance.exceeded === 'connection';
      if (tooLarge) this.stats.rejectedHandshakeTooLarge++;
      else this.stats.rejectedHandshakeMemory++;
      this.refusals.tooMuch.log({ remoteAddress, err: allowance.error?.message });
      call.destroy();
      this.rejected({ reason: tooLarge ? 'handshake-too-large' : 'handshake-memory', remoteAddress, error: allowance.error ?? error });
      return;
    }
    this.stats.handshakeFailures++;
    this.refusals.handshake.log({ remoteAddress, err: error.message });
    call.destroy();
    this.rejected({ reason: 'handshake-failed', remoteAddress, error });
  }

  /** Writes the refusal counts not logged yet (at close). */
  flush(): void {
    for (const log of Object.values(this.refusals)) log.flush();
  }
}

function positive(value: number, name: string): number {
  if (!(value > 0)) throw new ConfigError(`${name} must be a positive number of bytes, got ${value}`, name, String(value));
  return value;
}
