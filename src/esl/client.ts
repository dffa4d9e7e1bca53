import { PUBLIC_DEFAULT_PASSWORD } from '../config/settings.js';
import { inspect } from 'node:util';
import { EventEmitter } from 'eventemitter3';
import { EslAuthError, EslCommandError, EslConnectionError, EslJobResultUnknownError } from '../errors.js';
import { reportError } from '../error-reporting.js';
import { type Logger, defaultLogger } from '../logger.js';
import * as helpers from './api-commands.js';
import type { BackgroundJob } from './background-jobs.js';
import { type ClientLifecycleEvent, type EslClientEvents, isClientLifecycleEvent } from './client-events.js';
import { ClientJobs } from './client-jobs.js';
import { type AsyncESLClientOptions, type BgapiOptions, type ResolvedClientOptions, resolveClientOptions } from './client-options.js';
import { ClientSubscriptions } from './client-subscriptions.js';
import {
  type ChannelMessage,
  type CommandHeaders,
  type EventSubscriptionFormat,
  type ExecuteOptions,
  type LogLevel,
  apiCommand,
  assertSingleCommand,
  executeMessage,
  sendeventCommand,
  sendmsgCommand,
} from './commands.js';
import type { CommandOptions, EslConnection } from './connection.js';
import type { EslEvent } from './event.js';
import { type EventHandler, EventRouter, type EventStream, type EventStreamOptions, type WaitForEventOptions } from './event-router.js';
import { InboundSupervisor } from './inbound-supervisor.js';
import type { OriginateOptions } from './originate.js';
import type { EslReply } from './reply.js';

export type { AsyncESLClientOptions, BgapiOptions } from './client-options.js';
export type { EslClientEvents } from './client-events.js';

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
 *
 * @events {@link EslClientEvents} FreeSWITCH's own events arrive by their names (`CHANNEL_ANSWER`,
 * `CUSTOM` subclasses such as `sofia::register`, `ALL`) once subscribed: `on(name, handler,
 * { uuid })` returns an id for `off(id)`.
 */
export class AsyncESLClient {
  private readonly emitter = new EventEmitter<EslClientEvents>();
  private readonly router: EventRouter;
  private readonly jobs: ClientJobs;
  private readonly subscriptions = new ClientSubscriptions((build, options) => this.expectOk(build, options));
  private readonly logger: Logger;
  private readonly opts: ResolvedClientOptions;
  private readonly supervisor: InboundSupervisor;

  constructor(options: AsyncESLClientOptions = {}) {
    this.logger = options.logger ?? defaultLogger;
    this.opts = resolveClientOptions(options);
    this.router = new EventRouter((error, event) => {
      reportError(this.emitter, error instanceof Error ? error : new Error(String(error)), this.logger, { event: event.name });
    });
    this.supervisor = new InboundSupervisor(this.opts, options.password ?? PUBLIC_DEFAULT_PASSWORD, this.subscriptions.session, this.emitter, this.logger, {
      onEvent: (event) => this.onEvent(event),
      onLost: (conn, error) => this.jobs.lose(conn, error),
      onStop: (why, error) => {
        this.jobs.failAll(why);
        this.router.shutdown(error);
      },
    });
    this.jobs = new ClientJobs({
      opts: this.opts,
      supervisor: this.supervisor,
      ensureJobEvents: () => this.subscriptions.ensureJobEvents(),
      exists: (uuid, options) => this.uuidExists(uuid, options),
      logger: this.logger,
    });
  }

  /** Whether the client is authenticated and can send commands. */
  get isConnected(): boolean {
    return this.supervisor.state === 'ready';
  }

  /** Counters of the current connection (frames, events, drops), or `undefined`. */
  get stats(): EslConnection['stats'] | undefined {
    return this.supervisor.stats;
  }

  /**
   * Connects and authenticates. Rejects with {@link EslAuthError} on a wrong password or an
   * ACL rejection, {@link EslTimeoutError} or {@link EslConnectionError} otherwise. While the
   * client is reconnecting after a drop, waits for that reconnect: resolves when it succeeds,
   * rejects with the error it gave up with.
   */
  connect(options: { signal?: AbortSignal } = {}): Promise<void> {
    return this.supervisor.connect(options.signal);
  }

  /** Closes the connection and stops reconnecting. Pending commands and jobs reject. */
  close(): Promise<void> {
    return this.supervisor.close();
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
    return this.supervisor.write(command, options);
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
    return this.jobs.bgapi(command, options);
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
  originate(options: OriginateOptions): Promise<string> {
    return this.jobs.originate(options);
  }

  /** What `util.inspect(client)` shows: where it connects and its state, never the password. */
  [inspect.custom](_depth: number, options: object): string {
    return `AsyncESLClient ${inspect(this.toJSON(), options)}`;
  }

  /** What `JSON.stringify(client)` gives: where it connects and its state, never the password. */
  toJSON(): { host: string; port: number; user: string | undefined; password: string; state: string } {
    return { host: this.opts.host, port: this.opts.port, user: this.opts.user, password: '***', state: this.supervisor.state };
  }

  // ---------------------------------------------------------------- internals

  /** Writes the command `build` serialises; a `build` that throws (a refused argument) rejects. */
  private sendSafely(build: () => string, options?: CommandOptions): Promise<EslReply> {
    let line: string;
    try {
      line = build();
    } catch (error) {
      return Promise.reject(error);
    }
    return this.supervisor.write(line, options);
  }

  /** {@link AsyncESLClient.sendSafely}, rejecting with {@link EslCommandError} when FreeSWITCH refuses. */
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
}
