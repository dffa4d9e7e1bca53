/**
 * The options and events of {@link EslPool}, and where its commands and originates go.
 *
 * @module
 */
import type { EslEndpoint, TenantConfigSource } from '../config/tenants.js';
import type { Logger } from '../logger.js';
import type { AsyncESLClientOptions } from './client-options.js';
import type { EslNode, EslNodeConfig } from './esl-node.js';
import type { EslEvent } from './event.js';
import type { OriginateLimitMode } from './originate-limiter.js';
import type { OriginateOptions } from './originate.js';

/** Options of {@link EslPool}. */
export interface EslPoolOptions {
  /**
   * Client settings every node starts from (timeouts, reconnect policy), and the default
   * endpoint — the node of tenants without their own FreeSWITCH, and of {@link EslPool.getDefault}.
   * Default: the process defaults' `esl` ({@link getDefaultConfig}: `ESL_*`).
   */
  defaults?: Omit<AsyncESLClientOptions, 'logger'> & Partial<EslEndpoint>;
  /** The FreeSWITCH nodes, by name. Nodes of tenants on their own FreeSWITCH are added on first use. */
  nodes?: readonly EslNodeConfig[];
  /** Tenants, some perhaps on their own FreeSWITCH. */
  tenants?: TenantConfigSource;
  /** Originates per second per node (FreeSWITCH's `sessions-per-second`) unless a node sets its own. Default 30. */
  sps?: number;
  /** Originates in flight per node unless a node sets its own. Default 1000. */
  maxConcurrent?: number;
  /** An originate that does not fit its node now: wait (default) or fail with `OriginateRateLimitError`. */
  onLimit?: OriginateLimitMode;
  /** Connect every configured node at once (default `true`); otherwise each on first use. */
  connect?: boolean;
  /**
   * Watch each node: learn its identity (`Core-UUID`, host name) and session count at each
   * login, and subscribe it to `HEARTBEAT` (every 20 s) for its load — what
   * {@link EslPool.nodeForChannel} and the least-loaded choice use. Default: `true` for the nodes
   * given in `nodes`, `false` for those the pool adds itself (the default endpoint, a tenant's
   * FreeSWITCH), whose clients then see exactly the commands and events you send and ask for.
   */
  monitor?: boolean;
  /** A pino-compatible logger. Default: `defaultLogger` (warnings and errors to stderr). */
  logger?: Logger;
}

/** Where a command goes: a node by name, the node that owns a call, or (neither) the default node. */
export interface RouteOptions {
  /** A node by name. */
  node?: string;
  /** A channel uuid: the node that owns it (known from originates and events, else asked with `uuid_exists`). */
  uuid?: string;
}

/** Options of {@link EslPool.originate}. */
export type PoolOriginateOptions = OriginateOptions & {
  /** The node to call from. Default: the connected node with the least load. */
  node?: string;
  /** Overrides the pool's `onLimit` for this originate. */
  onLimit?: OriginateLimitMode;
  /** Among originates waiting on a node, higher goes first. */
  priority?: number;
};

/** A command's round trip, for metrics. */
export interface PoolCommandInfo {
  /** The node it ran on. */
  node: string;
  /** The command's first word (`uuid_kill`, `originate`, ...). */
  command: string;
  /** From sending to the reply, ms. */
  durationMs: number;
  /** It succeeded (not `-ERR`, not a timeout or a lost connection). */
  ok: boolean;
}

/** Events of {@link EslPool}. */
export interface EslPoolEvents {
  /** A FreeSWITCH event, with the node it came from. */
  event: [event: EslEvent, node: EslNode];
  /** A node logged in (first time or again). */
  nodeReady: [node: EslNode];
  /** A node's connection dropped or an attempt failed. */
  nodeDown: [node: EslNode, error: Error | undefined];
  /** A node starts a reconnect attempt. */
  nodeReconnecting: [node: EslNode, attempt: number];
  /** A command routed by the pool completed (or failed). */
  command: [info: PoolCommandInfo];
  /** An originate completed (`ok`) or failed (`cause`). */
  originate: [info: { node: string; uuid: string; durationMs: number; ok: boolean; cause?: string }];
  /** A node failed outside a command. */
  error: [error: Error, node?: EslNode];
}
