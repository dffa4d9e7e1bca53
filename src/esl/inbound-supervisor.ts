/**
 * The connection lifecycle of {@link AsyncESLClient}: connect and log in, restore what the
 * session asked for, reconnect with backoff after a drop, give up for good, close. It owns the
 * one connection commands go out on and says when the client is ready.
 *
 * @module
 */
import type { EventEmitter } from 'eventemitter3';
import { EslAuthError, EslConnectionError, ErrorCodes } from '../errors.js';
import { PUBLIC_DEFAULT_PASSWORD } from '../config/settings.js';
import { reportError } from '../error-reporting.js';
import type { Logger } from '../logger.js';
import type { EslClientEvents } from './client-events.js';
import type { ResolvedClientOptions } from './client-options.js';
import { buildCommand } from './commands.js';
import type { CommandOptions, EslConnection } from './connection.js';
import type { EslEvent } from './event.js';
import { openInboundConnection } from './inbound-login.js';
import { reconnectWithBackoff } from './reconnect.js';
import type { EslReply } from './reply.js';
import type { SessionState } from './session-state.js';

/** Where the client is in its lifecycle. */
export type ClientState = 'idle' | 'connecting' | 'ready' | 'reconnecting' | 'closed';

/** What the supervisor tells the rest of the client. */
export interface SupervisorHooks {
  /** Every FreeSWITCH event of the current connection (handed to the connection as is). */
  onEvent(event: EslEvent): void;
  /** The ready connection `conn` closed (before `disconnect` is emitted). */
  onLost(conn: EslConnection, error: Error | undefined): void;
  /** The client stopped for good (closed, or gave up reconnecting): `why` for jobs, `error` for event waiters. */
  onStop(why: string, error: Error): void;
}

/**
 * Keeps an inbound client's connection: one login at a time, the session's subscriptions and
 * filters restored on each, reconnects after a drop until `maxReconnectAttempts`, then the
 * client is closed and the failure reported. Emits the client's lifecycle events.
 */
export class InboundSupervisor {
  /** Kept out of the options and out of reach of inspection. */
  readonly #password: string;
  /** `originate` recoveries waiting for the client to be ready again. */
  private readonly readyWaiters = new Set<(ready: boolean) => void>();
  private conn: EslConnection | undefined;
  private current: ClientState = 'idle';
  private connecting: Promise<void> | undefined;
  private reconnectAbort: AbortController | undefined;
  /** The reconnect in progress: resolves when connected again, rejects when it gives up or the client closes. */
  private reconnecting: Promise<void> | undefined;
  private defaultPasswordWarned = false;

  constructor(
    private readonly opts: ResolvedClientOptions,
    password: string,
    private readonly session: SessionState,
    private readonly emitter: EventEmitter<EslClientEvents>,
    private readonly logger: Logger,
    private readonly hooks: SupervisorHooks,
  ) {
    this.#password = password;
  }

  /** Where the client is in its lifecycle. */
  get state(): ClientState {
    return this.current;
  }

  /** The connection commands go out on, once ready (`undefined` otherwise). */
  get connection(): EslConnection | undefined {
    return this.current === 'ready' ? this.conn : undefined;
  }

  /** Counters of the current connection, or `undefined`. */
  get stats(): EslConnection['stats'] | undefined {
    return this.conn?.stats;
  }

  /** See {@link AsyncESLClient.connect}. */
  connect(signal: AbortSignal | undefined): Promise<void> {
    if (this.current === 'ready') return Promise.resolve();
    if (this.connecting) return this.connecting;
    if (this.reconnecting) return this.reconnecting;
    this.current = 'connecting';
    this.connecting = this.establish(signal).then(
      () => {
        this.connecting = undefined;
      },
      (error: unknown) => {
        this.connecting = undefined;
        this.current = 'idle';
        throw error;
      },
    );
    return this.connecting;
  }

  /** See {@link AsyncESLClient.close}. */
  async close(): Promise<void> {
    const conn = this.conn;
    this.current = 'closed';
    this.conn = undefined;
    this.reconnectAbort?.abort(new EslConnectionError('client closed'));
    this.notifyReady(false);
    this.hooks.onStop('the client was closed', new EslConnectionError('client closed'));
    if (conn?.isOpen) {
      await conn.send(buildCommand('exit'), { timeout: 250 }).catch(() => {});
      conn.destroy();
    }
  }

  /** Writes a serialised command on the ready connection; rejects when there is none. */
  write(command: string, options?: CommandOptions): Promise<EslReply> {
    const conn = this.conn;
    if (this.current !== 'ready' || !conn) {
      return Promise.reject(new EslConnectionError(`not connected to FreeSWITCH (state: ${this.current})`, { code: ErrorCodes.ESL_NOT_CONNECTED }));
    }
    return conn.send(command, options);
  }

  /** Resolves `true` once the client is ready, `false` after `ms`, an abort, or a close. */
  whenReady(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
    if (this.current === 'ready') return Promise.resolve(true);
    if (this.current === 'closed' || this.current === 'idle' || signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (ready: boolean): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.readyWaiters.delete(done);
        resolve(ready);
      };
      const onAbort = (): void => done(false);
      const timer = setTimeout(done, ms, false);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.readyWaiters.add(done);
    });
  }

  private notifyReady(ready: boolean): void {
    for (const waiter of [...this.readyWaiters]) waiter(ready);
  }

  /** Opens, authenticates and restores one connection. */
  private async establish(signal: AbortSignal | undefined): Promise<void> {
    // Assigned once logged in; a close during login finds it undefined and is the login's to report.
    let conn: EslConnection | undefined;
    conn = await openInboundConnection(
      { ...this.opts, password: this.#password, logger: this.logger },
      {
        onEvent: this.hooks.onEvent,
        onLog: (line) => this.emitter.emit('log', line),
        onDisconnectNotice: (disposition) => this.logger.debug({ disposition }, 'esl disconnect notice'),
        onClose: (error) => this.onConnectionClose(conn, error),
      },
      signal,
    );
    this.emitter.emit('connect');
    try {
      for (const command of this.session.restoreCommands()) {
        const reply = await conn.send(command, { signal });
        if (!reply.ok) this.logger.warn({ reply: reply.text }, 'esl: restoring a subscription failed');
      }
    } catch (error) {
      conn.destroy();
      throw error;
    }
    this.conn = conn;
    this.current = 'ready';
    this.logger.info({ host: this.opts.host, port: this.opts.port }, 'esl ready');
    this.warnDefaultPassword();
    this.emitter.emit('ready');
    this.notifyReady(true);
  }

  /** Once per client: FreeSWITCH accepted the public default password, which anyone can try. */
  private warnDefaultPassword(): void {
    if (this.defaultPasswordWarned || this.opts.user !== undefined || this.#password !== PUBLIC_DEFAULT_PASSWORD) return;
    this.defaultPasswordWarned = true;
    this.logger.warn(
      { host: this.opts.host, port: this.opts.port, variable: 'ESL_PASSWORD' },
      "FreeSWITCH accepted its public default Event Socket password: set your own in event_socket.conf.xml and in ESL_PASSWORD",
    );
  }

  private onConnectionClose(conn: EslConnection | undefined, error: Error | undefined): void {
    if (conn === undefined || conn !== this.conn) return;
    this.conn = undefined;
    this.hooks.onLost(conn, error);
    this.emitter.emit('disconnect', error);
    if (this.current === 'closed') return;
    if (this.opts.maxReconnectAttempts <= 0) {
      this.giveUp(
        new EslConnectionError(`connection to FreeSWITCH at ${this.opts.host}:${this.opts.port} lost and reconnecting is disabled (maxReconnectAttempts = 0)`, { cause: error }),
      );
      return;
    }
    this.reconnect(error);
  }

  private reconnect(cause: Error | undefined): void {
    this.current = 'reconnecting';
    const abort = new AbortController();
    this.reconnectAbort = abort;
    const attempts = this.opts.maxReconnectAttempts;
    const where = `${this.opts.host}:${this.opts.port}`;
    const run: Promise<void> = reconnectWithBackoff(() => this.establish(abort.signal), {
      attempts,
      delay: this.opts.reconnectDelay,
      maxDelay: this.opts.maxReconnectDelay,
      signal: abort.signal,
      onAttempt: (attempt) => this.emitter.emit('reconnecting', { attempt, error: cause }),
      onFailure: (error) => {
        cause = error;
        this.logger.warn({ err: error.message, host: this.opts.host, port: this.opts.port }, 'esl reconnect attempt failed');
      },
    })
      .catch((error: unknown) => {
        // close() may have run while we were retrying: nothing to report, but a waiting connect() learns it.
        if ((this.current as ClientState) === 'closed') throw new EslConnectionError('client closed while reconnecting', { cause: error });
        const failure =
          error instanceof EslAuthError
            ? new EslAuthError(`stopped reconnecting to FreeSWITCH at ${where}: ${error.message}`, error.replyText, error.code as ConstructorParameters<typeof EslAuthError>[2])
            : new EslConnectionError(`gave up reconnecting to FreeSWITCH at ${where} after ${attempts} attempts`, { cause: error });
        this.giveUp(failure);
        throw failure;
      })
      .finally(() => {
        if (this.reconnectAbort === abort) this.reconnectAbort = undefined;
        if (this.reconnecting === run) this.reconnecting = undefined;
      });
    // Reported by giveUp (event or log); a connect() waiting on it receives it too.
    run.catch(() => {});
    this.reconnecting = run;
  }

  /** Reconnecting stopped for good: the client is closed, everything waiting fails, the error is reported. */
  private giveUp(failure: Error): void {
    this.current = 'closed';
    this.notifyReady(false);
    this.hooks.onStop(failure.message, failure);
    reportError(this.emitter, failure, this.logger, { host: this.opts.host, port: this.opts.port });
  }
}
