/**
 * The options, events and counters of {@link OutboundServer}, and the handler it runs per call.
 *
 * @module
 */
import type { AddressInfo } from 'node:net';
import type { AllowList } from './ip-allowlist.js';
import type { OutboundCall } from './outbound-call.js';
import type { OutboundCallOptions } from './outbound-call-options.js';

/**
 * Options of {@link OutboundServer}. Unset `host`, `port` and `maxConnections` come from the
 * process defaults ({@link getDefaultConfig}: `ESL_SERVER_*` once the package is imported).
 */
export interface OutboundServerOptions extends OutboundCallOptions {
  /** Address to listen on (`ESL_SERVER_HOST`, default `127.0.0.1`). */
  host?: string;
  /** Port (`ESL_SERVER_PORT`, default 8022); 0 picks a free one. */
  port?: number;
  /**
   * Most concurrent connections (`ESL_MAX_CONNECTIONS`). One more is closed at once (and
   * counted): FreeSWITCH's `socket` application then fails and the dialplan continues — put a
   * fallback after it.
   */
  maxConnections?: number;
  /** Peers allowed to connect (addresses, CIDR blocks, or a function); others are closed before a byte is read. Default: all. */
  allow?: AllowList;
  /** Ms a peer has to complete `connect` / `myevents` / `linger`. Default 5000. */
  handshakeTimeout?: number;
  /**
   * Most bytes one peer may send before its handshake (`connect`, `myevents`, `linger`)
   * completes; more closes the connection (`rejected` with reason `handshake-too-large`). A
   * real FreeSWITCH sends only the channel data then: 7.3 KB in the largest recording, tens of
   * KB with many variables. Default 262144 (256 KiB).
   */
  maxHandshakeBytes?: number;
  /**
   * Most bytes all peers still in their handshake may hold together; the connection whose bytes
   * would pass it is closed (`rejected` with reason `handshake-memory`). Default 16777216 (16 MiB).
   */
  maxPendingHandshakeBytes?: number;
  /**
   * Cause the call is hung up with when its handler throws. Default `NORMAL_TEMPORARY_FAILURE`.
   * A call already {@link OutboundCall.handedOff} (transferred, bridged) is never hung up.
   */
  handlerErrorCause?: string;
  /**
   * Where a call goes when its handler fails while the call is still ours: transferred in the
   * dialplan (`destination`, in `context`, default the call's own) instead of hung up, so a bug
   * or an outage in the handler still reaches a person. Hung up with {@link handlerErrorCause}
   * only when there is none or the transfer fails. Default: none.
   */
  handlerFallback?: { transfer: string; context?: string };
  /**
   * Refused connections (allowlist, `maxConnections`, failed or oversized handshakes) are logged at `warn`:
   * the first at once, then one line per this many ms with the count. Default 60 000.
   */
  refusalLogIntervalMs?: number;
}

/**
 * Handles one call. It may return at once or when done; a throw or rejection is reported as a
 * {@link CallHandlerError} and hangs the call up, unless the call was already handed off (a
 * fallback transferred it): then the caller stays where they are. With
 * {@link OutboundServerOptions.handlerFallback} the call is transferred there instead.
 */
export type OutboundCallHandler = (call: OutboundCall) => void | Promise<void>;

/** Why a connection was turned away. */
export type RejectReason =
  | 'max-connections'
  | 'not-allowed'
  | 'handshake-failed'
  /** The peer sent more than `maxHandshakeBytes` before completing its handshake. */
  | 'handshake-too-large'
  /** Peers in their handshake together held `maxPendingHandshakeBytes`. */
  | 'handshake-memory'
  | 'closing';

/** Events of {@link OutboundServer}. */
export interface OutboundServerEvents {
  /** Listening; the bound address. */
  listening: [address: AddressInfo];
  /** A call completed its handshake and is ready to control. */
  call: [call: OutboundCall];
  /** A connection was turned away (also logged at `warn`, bounded: see `refusalLogIntervalMs`). */
  rejected: [info: { reason: RejectReason; remoteAddress: string | undefined; error?: Error }];
  /**
   * A handler failed ({@link CallHandlerError}, with the call) or the listening socket failed.
   * Without a listener it is logged at `error`.
   */
  error: [error: Error, call?: OutboundCall];
  /** {@link OutboundServer.shutdown} began: no new calls; those in progress are handed back at the deadline. */
  draining: [info: { deadlineMs: number }];
  /** The server closed and every call is gone. */
  close: [];
}

/** Counters of an {@link OutboundServer}. */
export interface OutboundServerStats {
  /** Calls that completed the handshake. */
  calls: number;
  /** Connections over `maxConnections`, closed at once. */
  rejectedOverLimit: number;
  /** Connections from peers outside `allow`. */
  rejectedNotAllowed: number;
  /** Peers that did not complete the handshake in time, or broke the protocol during it. */
  handshakeFailures: number;
  /** Peers closed for sending more than `maxHandshakeBytes` before completing the handshake. */
  rejectedHandshakeTooLarge: number;
  /** Peers closed because those in their handshake together held `maxPendingHandshakeBytes`. */
  rejectedHandshakeMemory: number;
  /** Handlers that threw or rejected. */
  handlerErrors: number;
}
