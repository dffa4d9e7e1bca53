import { randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import { EventEmitter } from 'eventemitter3';
import { EslAuthError, EslCommandError, EslConnectionError, EslJobResultUnknownError, ErrorCodes } from '../errors.js';
import { PUBLIC_DEFAULT_PASSWORD } from '../config/env.js';
import { reportError } from '../error-reporting.js';
import { type Logger, defaultLogger } from '../logger.js';
import * as helpers from './api-commands.js';
import { type ClientLifecycleEvent, type EslClientEvents, isClientLifecycleEvent } from './client-events.js';
import { type AsyncESLClientOptions, type BgapiOptions, type ResolvedClientOptions, resolveClientOptions } from './client-options.js';
import { ClientSubscriptions } from './client-subscriptions.js';
import { BackgroundJob, type BackgroundJobResult, BackgroundJobs, unknownResult } from './background-jobs.js';
import {
  type ChannelMessage,
  type CommandHeaders,
  type EventSubscriptionFormat,
  type ExecuteOptions,
  type LogLevel,
  apiCommand,
  assertCommandSize,
  assertSingleCommand,
  bgapiCommand,
  buildCommand,
  executeMessage,
  sendeventCommand,
  sendmsgCommand,
} from './commands.js';
import type { CommandOptions, EslConnection } from './connection.js';
import type { EslEvent } from './event.js';
import { type EventHandler, EventRouter, type EventStream, type EventStreamOptions, type WaitForEventOptions } from './event-router.js';
import { openInboundConnection } from './inbound-login.js';
import { type OriginateOptions, buildOriginate, parseOriginateResult } from './originate.js';
import type { EslReply } from './reply.js';
import { reconnectWithBackoff } from './reconnect.js';

export type { AsyncESLClientOptions, BgapiOptions } from './client-options.js';
export type { EslClientEvents } from './client-events.js';

type State = 'idle' | 'connecting' | 'ready' | 'reconnecting' | 'closed';

/**
 * An inbound Event Socket client (FreeSWITCH `mod_event_socket`, port 8021).
 *
 * ```ts
 * const client = new AsyncESLClient({ host: '127.0.0.1', password: process.env.ESL_PASSWORD });
 * await client.connect();
 * await client.subscribe(['CHANNEL_ANSWER', 'CHANNEL_HANGUP_COMPLETE']);
 * client.on('CHANNEL_ANSWER', (e) => console.log('answered', e.uuid));
 * const uuid = await client.originate({ dialString: 'user/1000', app: 'park' });
 * ```
 *
 * Commands are pipelined and answered in order; each has a timeout and an `AbortSignal`. After
 * a drop the client reconnects (with backoff) and restores its subscriptions and filters; a
 * command that was written but not answered fails with {@link EslConnectionError} and is never
 * sent again.
 */
export class AsyncESLClient {
  private readonly emitter = new EventEmitter<EslClientEvents>();
  private readonly router: EventRouter;
  private readonly jobs = new BackgroundJobs();
  private readonly subscriptions = new ClientSubscriptions((build, options) => this.expectOk(build, options));
  private readonly logger: Logger;
  private readonly opts: ResolvedClientOptions;
  /** Kept out of `opts` and out of reach of inspection. */
  readonly #password: string;
  /** `originate` recoveries waiting for the client to be ready again. */
  private readonly readyWaiters = new Set<(ready: boolean) => void>();
  private conn: EslConnection | undefined;
  private state: State = 'idle';
  private connecting: Promise<void> | undefined;
  private reconnectAbort: AbortController | undefined;
  /** The reconnect in progress: resolves when connected again, rejects when it gives up or the client closes. */
  private reconnecting: Promise<void> | undefined;
  private defaultPasswordWarned = false;

  constructor(options: AsyncESLClientOptions = {}) {
    this.logger = options.logger ?? defaultLogger;
    this.opts = resolveClientOptions(options);
    this.#password = options.password ?? 'ClueCon';
    this.router = new EventRouter((error, event) => {
      reportError(this.emitter, error instanceof Error ? error : new Error(String(error)), this.logger, { event: event.name });
    });
  }

  /** Whether the client is authenticated and can send commands. */
  get isConnected(): boolean {
    return this.state === 'ready';
  }

  /** Counters of the current connection (frames, events, drops), or `undefined`. */
  get stats(): EslConnection['stats'] | undefined {
    return this.conn?.stats;
  }

  /**
   * Connects and authenticates. Rejects with {@link EslAuthError} on a wrong password or an
   * ACL rejection, {@link EslTimeoutError} or {@link EslConnectionError} otherwise. While the
   * client is reconnecting after a drop, waits for that reconnect: resolves when it succeeds,
   * rejects with the error it gave up with.
   */
  connect(options: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.state === 'ready') return Promise.resolve();
    if (this.connecting) return this.connecting;
    if (this.reconnecting) return this.reconnecting;
    this.state = 'connecting';
    this.connecting = this.establish(options.signal).then(
      () => {
        this.connecting = undefined;
      },
      (error: unknown) => {
        this.connecting = undefined;
        this.state = 'idle';
        throw error;
      },
    );
    return this.connecting;
  }

  /** Closes the connection and stops reconnecting. Pending commands and jobs reject. */
  async close(): Promise<void> {
    const conn = this.conn;
    this.state = 'closed';
    this.conn = undefined;
    this.reconnectAbort?.abort(new EslConnectionError('client closed'));
    this.notifyReady(false);
    this.jobs.failAll('the client was closed');
    this.router.shutdown(new EslConnectionError('client closed'));
    if (conn?.isOpen) {
      await conn.send(buildCommand('exit'), { timeout: 250 }).catch(() => {});
      conn.destroy();
    }
  }

  // ---------------------------------------------------------------- events

  /** Listens to a lifecycle event (`ready`, `disconnect`, ...). */
  on<K extends ClientLifecycleEvent>(event: K, listener: (...args: EslClientEvents[K]) => void): this;
  /**
   * Handles FreeSWITCH events by name (`CHANNEL_ANSWER`), `CUSTOM` subclass (`sofia::register`)
   * or `*`, optionally for one channel. Returns an id for {@link AsyncESLClient.off}. Subscribe
   * first ({@link AsyncESLClient.subscribe}): FreeSWITCH sends only what was asked for.
   */
  on(name: string, handler: EventHandler, options?: { uuid?: string }): number;
  on(name: string, handler: (...args: never[]) => void, options?: { uuid?: string }): this | number {
    if (isClientLifecycleEvent(name)) {
      this.emitter.on(name, handler as () => void);
      return this;
    }
    return this.router.on({ names: name, uuid: options?.uuid }, handler as EventHandler);
  }

  /** Removes a FreeSWITCH event handler by id, or a lifecycle listener. */
  off(id: number): boolean;
  off<K extends ClientLifecycleEvent>(event: K, listener: (...args: EslClientEvents[K]) => void): this;
  off(idOrEvent: number | ClientLifecycleEvent, listener?: (...args: never[]) => void): boolean | this {
    if (typeof idOrEvent === 'number') return this.router.off(idOrEvent);
    this.emitter.off(idOrEvent, listener as () => void);
    return this;
  }

  /** Listens once to a lifecycle event. */
  once<K extends ClientLifecycleEvent>(event: K, listener: (...args: EslClientEvents[K]) => void): this {
    this.emitter.once(event, listener as never);
    return this;
  }

  /** Resolves with the next matching event (rejects on timeout, abort, or {@link AsyncESLClient.close}). */
  waitForEvent(options: WaitForEventOptions): Promise<EslEvent> {
    return this.router.waitFor(options);
  }

  /** `for await (const e of client.events({ names: ['DTMF'], uuid }))`. Ends on close or abort. */
  events(options: EventStreamOptions = {}): EventStream {
    return this.router.stream(options);
  }

  // ---------------------------------------------------------------- commands

  /**
   * Sends a command serialised by hand (`'api status\n\n'`) and returns its reply, whatever it
   * says. It must be exactly one command as FreeSWITCH reads it (see `assertSingleCommand`):
   * anything else is refused with `EslInvalidArgumentError` before a byte is written, since a
   * second command in it would hand every later reply to the wrong caller.
   */
  send(command: string, options?: CommandOptions): Promise<EslReply> {
    try {
      assertSingleCommand(command);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.write(command, options);
  }

  /** Writes a command the builders of `commands.ts` serialised. */
  private write(command: string, options?: CommandOptions): Promise<EslReply> {
    const conn = this.conn;
    if (this.state !== 'ready' || !conn) {
      return Promise.reject(new EslConnectionError(`not connected to FreeSWITCH (state: ${this.state})`, { code: ErrorCodes.ESL_NOT_CONNECTED }));
    }
    return conn.send(command, options);
  }

  /** `api <command>`: runs it and resolves with the reply (`reply.text`, `reply.ok`). Blocks this connection until done: use {@link AsyncESLClient.bgapi} for slow commands. */
  api(command: string, options?: CommandOptions): Promise<EslReply> {
    return this.sendSafely(() => apiCommand(command), options);
  }

  /**
   * `bgapi <command>`: FreeSWITCH runs it in a thread. Await the returned {@link BackgroundJob}
   * for the result; `job.jobUuid` is known at once.
   */
  bgapi(command: string, options: BgapiOptions = {}): BackgroundJob {
    const jobUuid = options.jobUuid ?? randomUUID();
    let line: string;
    try {
      line = bgapiCommand(command, jobUuid);
      assertCommandSize(line, this.opts.maxCommandBytes);
    } catch (error) {
      const failed = Promise.reject(error as Error);
      return new BackgroundJob(jobUuid, failed, failed as never);
    }
    const resultEvent = this.jobs.wait(jobUuid, options.timeout ?? this.opts.backgroundJobTimeout, options.signal, command.trim());
    resultEvent.catch(() => {});
    const accepted = this.subscriptions.ensureJobEvents()
      .then(() => this.writeJob(jobUuid, line, options.signal))
      .then((reply) => {
        if (!reply.ok) throw new EslCommandError(`bgapi refused: ${reply.text}`, `bgapi ${command}`, reply.text);
        return reply;
      });
    accepted.catch((error: Error) => {
      // Written, then the connection closed before the reply: the job may be running.
      const lost = error instanceof EslConnectionError && error.code === ErrorCodes.ESL_CONNECTION && this.jobs.isBound(jobUuid);
      this.jobs.fail(jobUuid, lost ? unknownResult(jobUuid, command.trim(), 'the connection to FreeSWITCH was lost', error) : error);
    });
    // The job's own waiter carries every failure (refusal, timeout, abort, loss) once.
    const result = resultEvent.then((event) =>
      accepted.then((): BackgroundJobResult => {
        const body = event.body;
        return { jobUuid, body, ok: !(body.startsWith('-ERR') || body.startsWith('-USAGE')), event };
      }),
    );
    return new BackgroundJob(jobUuid, accepted, result);
  }

  /** `sendmsg <uuid>`: a message to a channel (`execute`, `hangup`, `unicast`, ...). Rejects on `-ERR`. */
  sendmsg(uuid: string, message: ChannelMessage, options?: CommandOptions): Promise<EslReply> {
    return this.expectOk(() => sendmsgCommand(uuid, message), options);
  }

  /** `sendmsg execute`: queues an application on a channel. */
  async execute(uuid: string, app: string, arg?: string, options: ExecuteOptions & CommandOptions = {}): Promise<EslReply> {
    return this.sendmsg(uuid, executeMessage(app, arg, options), options);
  }

  /** `sendevent <name>`: fires an event (headers, optional multi-line body). Resolves with the reply (`+OK <Event-UUID>`). */
  sendevent(name: string, headers?: CommandHeaders, body?: string, options?: CommandOptions): Promise<EslReply> {
    return this.expectOk(() => sendeventCommand(name, headers, body), options);
  }

  /**
   * `event <format> <names>`: asks FreeSWITCH for events. Names accumulate; `CUSTOM` subclasses
   * (`sofia::register`) may be listed directly. The format applies to the whole connection.
   * Restored after a reconnect.
   */
  subscribe(names: string | readonly string[], format?: EventSubscriptionFormat, options?: CommandOptions): Promise<void> {
    return this.subscriptions.subscribe(names, format, options);
  }

  /** `nixevent <names>`: stops some events. */
  unsubscribe(names: string | readonly string[], options?: CommandOptions): Promise<void> {
    return this.subscriptions.unsubscribe(names, options);
  }

  /** `noevents`: stops all events. */
  noevents(options?: CommandOptions): Promise<void> {
    return this.subscriptions.noevents(options);
  }

  /** `filter <header> <value>`: only events matching a filter are delivered. Restored after a reconnect. */
  filter(header: string, value: string, options?: CommandOptions): Promise<void> {
    return this.subscriptions.filter(header, value, options);
  }

  /** `filter delete <header> [value]`. */
  filterDelete(header: string, value?: string, options?: CommandOptions): Promise<void> {
    return this.subscriptions.filterDelete(header, value, options);
  }

  /** `log <level>`: FreeSWITCH's log lines arrive as `log` events. */
  log(level: LogLevel, options?: CommandOptions): Promise<void> {
    return this.subscriptions.log(level, options);
  }

  /** `nolog`. */
  nolog(options?: CommandOptions): Promise<void> {
    return this.subscriptions.nolog(options);
  }

  // ---------------------------------------------------------------- helpers

  /** Plays a file, tone or `say:` to a channel (`uuid_broadcast`). */
  uuidBroadcast(uuid: string, path: string, leg?: helpers.BroadcastLeg, options?: CommandOptions): Promise<string> {
    return helpers.uuidBroadcast(this, uuid, path, leg, options);
  }
  /** Stops playback on a channel (`uuid_break`); `all` also drops what is queued. */
  uuidBreak(uuid: string, all?: boolean, options?: CommandOptions): Promise<void> {
    return helpers.uuidBreak(this, uuid, all, options);
  }
  /** Bridges two channels (`uuid_bridge`). */
  uuidBridge(uuid: string, otherUuid: string, options?: CommandOptions): Promise<void> {
    return helpers.uuidBridge(this, uuid, otherUuid, options);
  }
  /** Hangs a channel up (`uuid_kill`), with an optional cause. */
  uuidKill(uuid: string, cause?: string, options?: CommandOptions): Promise<void> {
    return helpers.uuidKill(this, uuid, cause, options);
  }
  /** Transfers a channel in the dialplan (`uuid_transfer`). */
  uuidTransfer(uuid: string, destination: string, dialplan?: string, context?: string, options?: CommandOptions): Promise<void> {
    return helpers.uuidTransfer(this, uuid, destination, dialplan, context, options);
  }
  /** Reads a channel variable (`undefined` when unset). */
  uuidGetvar(uuid: string, name: string, options?: CommandOptions): Promise<string | undefined> {
    return helpers.uuidGetvar(this, uuid, name, options);
  }
  /** Sets a channel variable (unsets it when `value` is omitted). */
  uuidSetvar(uuid: string, name: string, value?: string, options?: CommandOptions): Promise<void> {
    return helpers.uuidSetvar(this, uuid, name, value, options);
  }
  /** Whether a channel exists. */
  uuidExists(uuid: string, options?: CommandOptions): Promise<boolean> {
    return helpers.uuidExists(this, uuid, options);
  }
  /** The channels FreeSWITCH has (`show channels as json`). */
  showChannels(options?: CommandOptions): Promise<helpers.ChannelRow[]> {
    return helpers.showChannels(this, options);
  }
  /** `status`, parsed. */
  status(options?: CommandOptions): Promise<helpers.SwitchStatus> {
    return helpers.status(this, options);
  }

  /**
   * Places a call with `bgapi originate` and resolves with the new leg's uuid once it is
   * answered. Variables are escaped the way FreeSWITCH parses them. A failure rejects with
   * {@link OriginateError} carrying the hangup cause (`USER_BUSY`, `NO_ANSWER`, ...).
   *
   * If the connection is lost while the job runs, the outcome is unknown: the client waits up
   * to `originateRecoveryTimeout` ms (default 10 s) to be connected again, then asks
   * `uuid_exists` for the leg's `origination_uuid`. If the call exists, `originate` resolves
   * with its uuid — the call may then still be ringing: watch its `CHANNEL_ANSWER` /
   * `CHANNEL_HANGUP`. Otherwise it rejects with {@link EslJobResultUnknownError} (the call failed,
   * or was answered and already ended; it is never placed again).
   */
  async originate(options: OriginateOptions): Promise<string> {
    const { command, uuid } = buildOriginate(options);
    let result: BackgroundJobResult;
    try {
      result = await this.bgapi(command, { timeout: options.jobTimeout, signal: options.signal });
    } catch (error) {
      if (error instanceof EslJobResultUnknownError) return this.recoverOriginate(uuid, error, options.signal);
      throw error;
    }
    return parseOriginateResult(command, result.body) || uuid;
  }

  /** What `util.inspect(client)` shows: where it connects and its state, never the password. */
  [inspect.custom](_depth: number, options: object): string {
    return `AsyncESLClient ${inspect(this.toJSON(), options)}`;
  }

  /** What `JSON.stringify(client)` gives: where it connects and its state, never the password. */
  toJSON(): { host: string; port: number; user: string | undefined; password: string; state: string } {
    return { host: this.opts.host, port: this.opts.port, user: this.opts.user, password: '***', state: this.state };
  }

  // ---------------------------------------------------------------- internals

  private sendSafely(build: () => string, options?: CommandOptions): Promise<EslReply> {
    let line: string;
    try {
      line = build();
    } catch (error) {
      return Promise.reject(error);
    }
    return this.write(line, options);
  }

  /** Writes a `bgapi`, binding its job to the connection it goes out on. */
  private writeJob(jobUuid: string, line: string, signal: AbortSignal | undefined): Promise<EslReply> {
    const conn = this.conn;
    if (this.state === 'ready' && conn?.isOpen) this.jobs.bind(jobUuid, conn);
    return this.write(line, { signal });
  }

  /** After an originate's job was lost: is the call there once we are connected again? */
  private async recoverOriginate(uuid: string, lost: EslJobResultUnknownError, signal: AbortSignal | undefined): Promise<string> {
    const window = this.opts.originateRecoveryTimeout;
    const fail = (why: string, cause: unknown = lost): EslJobResultUnknownError =>
      new EslJobResultUnknownError(`${lost.message}; ${why}`, lost.jobUuid, lost.command, { cause });
    const ready = window > 0 && (await this.whenReady(window, signal));
    if (signal?.aborted) throw signal.reason;
    if (!ready) throw fail(`not connected again within ${window} ms (originateRecoveryTimeout), so whether call ${uuid} exists is unknown`);
    let exists: boolean;
    try {
      exists = await this.uuidExists(uuid, { signal });
    } catch (error) {
      throw fail(`uuid_exists ${uuid} failed after reconnecting`, error);
    }
    if (!exists) throw fail(`after reconnecting, call ${uuid} does not exist: the originate failed, or the call already ended`);
    this.logger.info({ uuid, jobUuid: lost.jobUuid }, 'esl: originate job lost with the connection; the call exists');
    return uuid;
  }

  /** Resolves `true` once the client is ready, `false` after `ms`, an abort, or a close. */
  private whenReady(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
    if (this.state === 'ready') return Promise.resolve(true);
    if (this.state === 'closed' || this.state === 'idle' || signal?.aborted) return Promise.resolve(false);
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

  private async expectOk(build: () => string, options?: CommandOptions): Promise<EslReply> {
    const reply = await this.sendSafely(build, options);
    if (!reply.ok) {
      const line = build().split('\n', 1)[0]!;
      throw new EslCommandError(`FreeSWITCH refused "${line.slice(0, 80)}": ${reply.text}`, line, reply.text);
    }
    return reply;
  }

  private onEvent(event: EslEvent): void {
    if (event.name === 'BACKGROUND_JOB') this.jobs.settle(event);
    this.router.dispatch(event);
  }

  /** Opens, authenticates and restores one connection. */
  private async establish(signal: AbortSignal | undefined): Promise<void> {
    // Assigned once logged in; a close during login finds it undefined and is the login's to report.
    let conn: EslConnection | undefined;
    conn = await openInboundConnection(
      { ...this.opts, password: this.#password, logger: this.logger },
      {
        onEvent: (e) => this.onEvent(e),
        onLog: (line) => this.emitter.emit('log', line),
        onDisconnectNotice: (disposition) => this.logger.debug({ disposition }, 'esl disconnect notice'),
        onClose: (error) => this.onConnectionClose(conn, error),
      },
      signal,
    );
    this.emitter.emit('connect');
    try {
      for (const command of this.subscriptions.session.restoreCommands()) {
        const reply = await conn.send(command, { signal });
        if (!reply.ok) this.logger.warn({ reply: reply.text }, 'esl: restoring a subscription failed');
      }
    } catch (error) {
      conn.destroy();
      throw error;
    }
    this.conn = conn;
    this.state = 'ready';
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
    const lost = this.jobs.lose(conn, error);
    if (lost > 0) this.logger.warn({ jobs: lost }, 'esl: connection lost with background jobs running; their results are unknown');
    this.emitter.emit('disconnect', error);
    if (this.state === 'closed') return;
    if (this.opts.maxReconnectAttempts <= 0) {
      this.giveUp(
        new EslConnectionError(`connection to FreeSWITCH at ${this.opts.host}:${this.opts.port} lost and reconnecting is disabled (maxReconnectAttempts = 0)`, { cause: error }),
      );
      return;
    }
    this.reconnect(error);
  }

  private reconnect(cause: Error | undefined): void {
    this.state = 'reconnecting';
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
        if ((this.state as State) === 'closed') throw new EslConnectionError('client closed while reconnecting', { cause: error });
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
    this.state = 'closed';
    this.notifyReady(false);
    this.jobs.failAll(failure.message);
    this.router.shutdown(failure);
    reportError(this.emitter, failure, this.logger, { host: this.opts.host, port: this.opts.port });
  }
}
