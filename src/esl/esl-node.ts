/**
 * One FreeSWITCH of an {@link EslPool}: its inbound client, kept connected (the client
 * reconnects after a drop; the node starts it again when it gives up or never got in), its
 * identity, its load and its originate limiter.
 *
 * @module
 */
import { EventEmitter } from 'eventemitter3';
import { EslConnectionError } from '../errors.js';
import { type Logger, defaultLogger } from '../logger.js';
import { AsyncESLClient, type AsyncESLClientOptions } from './client.js';
import type { EslEvent } from './event.js';
import { OriginateLimiter, type OriginateLimiterOptions } from './originate-limiter.js';

/** A FreeSWITCH node of an {@link EslPool}. */
export interface EslNodeConfig extends Omit<AsyncESLClientOptions, 'logger'>, Omit<OriginateLimiterOptions, 'onLimit' | 'maxQueued'> {
  /** The node's name: how commands are routed to it and how metrics and logs label it. */
  name: string;
}

/** How a node is doing. */
export type EslNodeState = 'idle' | 'connecting' | 'ready' | 'reconnecting' | 'down' | 'closed';

/** What the node knows of the FreeSWITCH it is connected to. */
export interface EslNodeIdentity {
  /** `Core-UUID` (new at each FreeSWITCH start): outbound calls carry it in their channel data. */
  coreUuid: string | undefined;
  /** `FreeSWITCH-Hostname`. */
  hostname: string | undefined;
  /** `FreeSWITCH-Switchname` (the hostname unless `switchname` is set in switch.conf). */
  switchname: string | undefined;
}

/** Counters and state of a node. */
export interface EslNodeHealth {
  /** The node's name. */
  name: string;
  /** Where its connection stands. */
  state: EslNodeState;
  /** Authenticated and able to take commands. */
  connected: boolean;
  /** Reconnect attempts (the client's) and restarts (the node's) since creation. */
  reconnects: number;
  /** The last connection error, if any. */
  lastError: string | undefined;
  /** Sessions FreeSWITCH reported (status at connect, then each `HEARTBEAT`). */
  sessionCount: number | undefined;
  /** Originates running and waiting on this node. */
  originatesInFlight: number;
  /** Originates waiting for the node's `sps` or `maxConcurrent` limit. */
  originatesWaiting: number;
  /** Who FreeSWITCH said it is (from its events). */
  identity: EslNodeIdentity;
}

/** Events of {@link EslNode}. */
export interface EslNodeEvents {
  /** Connected and logged in (first time and after each reconnect). */
  ready: [];
  /** The connection dropped or an attempt failed. */
  down: [error: Error | undefined];
  /** A reconnect attempt starts. */
  reconnecting: [attempt: number];
  /** A FreeSWITCH event this node subscribed to. */
  event: [event: EslEvent];
  /** Something failed outside a command (the client's `error`). */
  error: [error: Error];
}

/** Ms the node waits before starting a client that gave up again; doubles to the max. */
const RESTART_DELAY_MS = 1000;
const MAX_RESTART_DELAY_MS = 30_000;

/**
 * One FreeSWITCH: a supervised {@link AsyncESLClient}, its identity (`Core-UUID`, host name)
 * learned at each login, its load, and its {@link OriginateLimiter}.
 */
export class EslNode extends EventEmitter<EslNodeEvents> {
  /** The node's name. */
  readonly name: string;
  /** Its client (commands go straight to it; it may be reconnecting). */
  readonly client: AsyncESLClient;
  /** Its originate rate limit and concurrency cap. */
  readonly limiter: OriginateLimiter;
  /** Who FreeSWITCH said it is: `Core-UUID`, hostname and switchname, from its events. */
  readonly identity: EslNodeIdentity = { coreUuid: undefined, hostname: undefined, switchname: undefined };
  /** Where it is: `host:port`. */
  readonly address: string;
  private state: EslNodeState = 'idle';
  private reconnects = 0;
  private lastError: Error | undefined;
  private sessionCount: number | undefined;
  /** Originates started since the last session count, added to it for the load. */
  private startedSinceCount = 0;
  private restartDelay = RESTART_DELAY_MS;
  private restartTimer: NodeJS.Timeout | undefined;
  private readonly logger: Logger;

  /**
   * @param monitor learn the node's identity and session count at each login and subscribe it to
   *   `HEARTBEAT` (see `EslPoolOptions.monitor`). Default `true`.
   */
  constructor(
    config: EslNodeConfig,
    logger: Logger = defaultLogger,
    private readonly monitor = true,
  ) {
    super();
    this.name = config.name;
    this.logger = logger;
    const { name: _name, sps, maxConcurrent, ...client } = config;
    this.address = `${client.host ?? '127.0.0.1'}:${client.port ?? 8021}`;
    this.client = new AsyncESLClient({ ...client, logger });
    this.limiter = new OriginateLimiter(this.name, { sps, maxConcurrent });
    this.client.on('ready', () => this.onReady());
    this.client.on('disconnect', (error) => {
      if (this.state === 'closed') return;
      this.state = 'reconnecting';
      this.lastError = error;
      this.emit('down', error);
    });
    this.client.on('reconnecting', ({ attempt }) => {
      this.reconnects++;
      this.emit('reconnecting', attempt);
    });
    this.client.on('error', (error) => {
      if (this.state === 'closed') return;
      this.emit('error', error);
      // The client gave up reconnecting: the node keeps trying, more slowly.
      if (!this.client.isConnected && this.state !== 'connecting') this.scheduleRestart(error);
    });
    this.client.on('*', (event) => {
      if (event.name === 'HEARTBEAT') this.countSessions(Number(event.get('Session-Count')));
      // Every event names its FreeSWITCH: the identity comes for free with the first one.
      this.identity.coreUuid ??= event.get('Core-UUID');
      this.identity.switchname ??= event.get('FreeSWITCH-Switchname');
      this.identity.hostname ??= event.get('FreeSWITCH-Hostname');
      this.emit('event', event);
    });
  }

  /** `true` while logged in. */
  get isReady(): boolean {
    return this.state === 'ready';
  }

  /**
   * What the pool balances originates by: the sessions FreeSWITCH last reported plus the
   * originates started since, running and waiting here.
   */
  get load(): number {
    return (this.sessionCount ?? 0) + this.startedSinceCount + this.limiter.waiting;
  }

  /** State and counters. */
  health(): EslNodeHealth {
    return {
      name: this.name,
      state: this.state,
      connected: this.isReady,
      reconnects: this.reconnects,
      lastError: this.lastError?.message,
      sessionCount: this.sessionCount,
      originatesInFlight: this.limiter.inFlight,
      originatesWaiting: this.limiter.waiting,
      identity: { ...this.identity },
    };
  }

  /** Starts connecting (once); the node then stays connected until {@link EslNode.close}. */
  start(): void {
    if (this.state === 'idle') void this.attempt();
  }

  /**
   * Resolves once the node is logged in (at once if it is); rejects with the error of the next
   * failed attempt, or when `signal` aborts. Starts the node if needed.
   */
  ready(signal?: AbortSignal): Promise<void> {
    this.start();
    if (this.state === 'ready') return Promise.resolve();
    // Down and waiting to retry: someone needs it now, so try now.
    if (this.state === 'down') {
      clearTimeout(this.restartTimer);
      void this.attempt();
    }
    if (this.state === 'closed') return Promise.reject(new EslConnectionError(`FreeSWITCH node ${this.name} is closed`));
    return new Promise<void>((resolve, reject) => {
      const done = (): void => {
        this.off('ready', onReady);
        this.off('down', onDown);
        signal?.removeEventListener('abort', onAbort);
      };
      const onReady = (): void => {
        done();
        resolve();
      };
      const onDown = (error: Error | undefined): void => {
        if (this.state === 'reconnecting') return; // a drop: the client is already retrying
        done();
        reject(error ?? new EslConnectionError(`FreeSWITCH node ${this.name} is down`));
      };
      const onAbort = (): void => {
        done();
        reject(signal!.reason);
      };
      if (signal?.aborted) return onAbort();
      this.on('ready', onReady);
      this.on('down', onDown);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** @internal An originate started here (for {@link EslNode.load}). */
  noteOriginate(): void {
    this.startedSinceCount++;
  }

  /** Closes the client and stops reconnecting; originates still waiting are rejected. */
  async close(): Promise<void> {
    this.state = 'closed';
    clearTimeout(this.restartTimer);
    this.limiter.clear(new EslConnectionError(`FreeSWITCH node ${this.name} closed before the originate was sent`));
    await this.client.close();
  }

  private async attempt(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'connecting';
    try {
      await this.client.connect();
    } catch (error) {
      if ((this.state as EslNodeState) === 'closed') return;
      this.scheduleRestart(error as Error);
    }
  }

  private scheduleRestart(error: Error): void {
    this.state = 'down';
    this.lastError = error;
    this.logger.warn({ node: this.name, address: this.address, err: error.message, retryInMs: this.restartDelay }, 'FreeSWITCH node down');
    this.emit('down', error);
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => {
      this.reconnects++;
      void this.attempt();
    }, this.restartDelay);
    this.restartTimer.unref();
    this.restartDelay = Math.min(MAX_RESTART_DELAY_MS, this.restartDelay * 2);
  }

  private onReady(): void {
    this.state = 'ready';
    this.restartDelay = RESTART_DELAY_MS;
    this.lastError = undefined;
    // A restarted FreeSWITCH has a new Core-UUID: learn it again, with the session count.
    this.identity.coreUuid = undefined;
    this.emit('ready');
    if (!this.monitor) return;
    const client = this.client;
    void Promise.all([
      client.api('global_getvar core_uuid').then((r) => r.ok && r.text.trim() && (this.identity.coreUuid = r.text.trim())),
      client.api('hostname').then((r) => r.ok && r.text.trim() && (this.identity.hostname = r.text.trim())),
      client.status().then((s) => this.countSessions(s.sessions ?? NaN)),
      client.subscribe(['HEARTBEAT']),
    ]).catch((error: Error) => this.logger.debug({ node: this.name, err: error.message }, 'FreeSWITCH node: identity or heartbeat subscription failed'));
  }

  private countSessions(count: number): void {
    if (!Number.isFinite(count)) return;
    this.sessionCount = count;
    this.startedSinceCount = 0;
  }
}
