import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { EventEmitter } from 'eventemitter3';
import { CallEndedError, EslCommandError } from '../errors.js';
import { reportError } from '../error-reporting.js';
import { type Logger, defaultLogger } from '../logger.js';
import { callLogger } from '../observability/call-log.js';
import * as helpers from './api-commands.js';
import {
  type UnicastOptions,
  callEndedError,
  hangupMessage,
  needsFullError,
  sendDtmfArgument,
  transferArgument,
  unicastMessage,
} from './call-commands.js';
import { CallSocket } from './call-socket.js';
import { type CallHandoff, CallState } from './call-state.js';
import type { ChannelData } from './channel-data.js';
import { type ChannelMessage, apiCommand, assertSingleLine, assertToken, bgapiCommand, buildCommand, eventCommand, executeMessage, sendmsgCommand } from './commands.js';
import type { CommandOptions, EslConnection } from './connection.js';
import type { EslEvent } from './event.js';
import { type EventHandler, EventRouter, type EventStream, type EventStreamOptions, type WaitForEventOptions } from './event-router.js';
import { ExecutionTracker } from './execution-tracker.js';
import { type CallLifecycleEvent, type OutboundCallEvents, isCallLifecycleEvent } from './outbound-call-events.js';
import type { ExecuteCallOptions, OutboundCallOptions } from './outbound-call-options.js';
import type { EslReply } from './reply.js';

export type { UnicastOptions } from './call-commands.js';
export type { CallHandoff } from './call-state.js';
export type { OutboundCallEvents } from './outbound-call-events.js';
export type { ExecuteCallOptions, OutboundCallOptions } from './outbound-call-options.js';

/**
 * One call handed to us by FreeSWITCH's `socket` application: its channel data, control
 * commands over the same socket, and its events.
 *
 * Every command waits for its reply; {@link OutboundCall.execute} waits for the application to
 * complete (matched by the `Application-UUID` we set) and rejects with {@link CallEndedError}
 * when the caller hangs up first. When the socket goes, everything pending rejects and every
 * listener and timer is released.
 *
 * Created by {@link OutboundServer}; not constructed directly.
 *
 * @events {@link OutboundCallEvents}
 */
export class OutboundCall {
  /** What FreeSWITCH knows of the call (caller, destination, variables), from `connect`. */
  channel!: ChannelData;
  private readonly emitter = new EventEmitter<OutboundCallEvents>();
  private readonly router: EventRouter;
  private readonly tracker = new ExecutionTracker();
  private readonly socket: CallSocket;
  /**
   * This call's logger: the server's, with `call_uuid`, `domain_uuid` and `node` on every line
   * once the handshake is done. Log through it (or `callLogger(yours, call)`) about the call.
   */
  logger: Logger;
  private readonly state = new CallState();

  /**
   * @internal
   * @param admit sees each received chunk's size before it is parsed (the server's bound on
   *   what a peer may send before its handshake completes); an error closes the connection.
   */
  constructor(
    socket: Socket,
    options: OutboundCallOptions = {},
    admit?: (bytes: number) => Error | undefined,
  ) {
    this.logger = options.logger ?? defaultLogger;
    this.router = new EventRouter((error, event) => {
      reportError(this.emitter, error instanceof Error ? error : new Error(String(error)), this.logger, { uuid: this.uuid, event: event.name });
    });
    // The socket logs through this.logger as it is at each line: after the handshake it carries the call's fields.
    this.socket = new CallSocket(
      socket,
      options,
      () => this.logger,
      this.state,
      { onEvent: (event) => this.onEvent(event), onClose: (error) => this.onClose(error) },
      admit,
    );
  }

  /** @internal Sends `connect`, `myevents`, `linger`; resolves when the call is ready to control. */
  async handshake(timeout: number): Promise<void> {
    this.channel = await this.socket.handshake(timeout);
    this.logger = callLogger(this.logger, this);
  }

  /** The channel's `Unique-ID`. */
  get uuid(): string {
    return this.channel?.uuid ?? '';
  }

  /** The peer's address (FreeSWITCH's). */
  get remoteAddress(): string | undefined {
    return this.socket.remoteAddress;
  }

  /** Our address as FreeSWITCH connected to it (where it can send this call's audio). */
  get localAddress(): string | undefined {
    return this.socket.localAddress;
  }

  /** `true` until the call hangs up or its socket closes. */
  get isActive(): boolean {
    return !this.socket.closed && this.state.hangup === undefined;
  }

  /**
   * How the caller left this socket's control, while they are with someone else: `transfer`
   * (a {@link OutboundCall.transfer} succeeded), `dialplan` (the `socket` application ended with
   * the channel up: transferred by anyone), `bridge` (bridged to another leg; `undefined` again
   * once unbridged). `undefined` while the call is ours.
   *
   * The SDK never hangs up a handed-off call by itself: a failing handler or a session that
   * ends leaves the caller with whoever has them now. Your own {@link OutboundCall.hangup} still
   * works.
   */
  get handedOff(): CallHandoff | undefined {
    return this.state.handoff;
  }

  /** The hangup cause once the call has hung up. */
  get hangupCause(): string | undefined {
    return this.state.hangup?.cause;
  }

  /** Applications this object started that have not completed yet (`['park', 'playback']`). */
  get runningApplications(): readonly string[] {
    return this.tracker.running();
  }

  /** Counters of the socket (frames, events, drops). */
  get stats(): EslConnection['stats'] {
    return this.socket.stats;
  }

  // ---------------------------------------------------------------- events

  /** Listens to `hangup`, `dtmf`, `end` or `error`. */
  on<K extends CallLifecycleEvent>(event: K, listener: (...args: OutboundCallEvents[K]) => void): this;
  /** Handles this channel's FreeSWITCH events by name (`CHANNEL_EXECUTE`, `DTMF`, `*`); returns an id for {@link OutboundCall.off}. */
  on(name: string, handler: EventHandler): number;
  on(name: string, handler: (...args: never[]) => void): this | number {
    if (isCallLifecycleEvent(name)) {
      this.emitter.on(name, handler as () => void);
      return this;
    }
    return this.router.on({ names: name }, handler as EventHandler);
  }

  /** Removes an event handler by id, or a lifecycle listener. */
  off(id: number): boolean;
  off<K extends CallLifecycleEvent>(event: K, listener: (...args: OutboundCallEvents[K]) => void): this;
  off(idOrEvent: number | CallLifecycleEvent, listener?: (...args: never[]) => void): boolean | this {
    if (typeof idOrEvent === 'number') return this.router.off(idOrEvent);
    this.emitter.off(idOrEvent, listener as () => void);
    return this;
  }

  /** Listens once to a lifecycle event. */
  once<K extends CallLifecycleEvent>(event: K, listener: (...args: OutboundCallEvents[K]) => void): this {
    this.emitter.once(event, listener as never);
    return this;
  }

  /** The next matching event of this channel (rejects on timeout, abort, or when the socket closes). */
  waitForEvent(options: WaitForEventOptions): Promise<EslEvent> {
    if (this.socket.closed) return Promise.reject(this.endedError());
    return this.router.waitFor(options);
  }

  /** `for await (const e of call.events({ names: ['DTMF'] }))`; ends when the socket closes. */
  events(options: EventStreamOptions = {}): EventStream {
    return this.router.stream(options);
  }

  /** Resolves when the socket has closed and the call is released. */
  ended(): Promise<OutboundCallEvents['end'][0]> {
    if (this.socket.closed) return Promise.resolve({ cause: this.hangupCause, hangupComplete: this.state.hangupComplete, error: undefined });
    return new Promise((resolve) => this.emitter.once('end', resolve));
  }

  // ---------------------------------------------------------------- control

  /**
   * Runs a dialplan application on the call and resolves with the `CHANNEL_EXECUTE_COMPLETE` of
   * that very execution (`event.get('Application-Response')`). Rejects with
   * {@link CallEndedError} if the call hangs up first, {@link EslCommandError} if FreeSWITCH
   * refuses the message.
   */
  async execute(app: string, arg?: string, options: ExecuteCallOptions = {}): Promise<EslEvent> {
    this.assertActive();
    const eventUuid = randomUUID();
    const message = executeMessage(app, arg, { eventLock: options.eventLock ?? true, async: options.async, loops: options.loops, eventUuid });
    const done = this.tracker.track(eventUuid, { timeout: options.timeout, signal: options.signal, app });
    done.catch(() => {});
    try {
      await this.sendmsg(message, { signal: options.signal });
    } catch (error) {
      this.tracker.fail(eventUuid, error);
      throw error;
    }
    return done;
  }

  /** Answers the call (`answer`). */
  answer(options?: ExecuteCallOptions): Promise<EslEvent> {
    return this.execute('answer', undefined, options);
  }

  /** Sends early media without answering (`pre_answer`). */
  preAnswer(options?: ExecuteCallOptions): Promise<EslEvent> {
    return this.execute('pre_answer', undefined, options);
  }

  /** Plays a file, `tone_stream://` or `say:` to the caller (`playback`); resolves when it ends. */
  playback(file: string, options?: ExecuteCallOptions): Promise<EslEvent> {
    return this.execute('playback', file, options);
  }

  /**
   * Parks the call (`park`): it stays up, doing nothing but `unicast` audio, until it is
   * transferred, bridged or hung up; resolves when the park ends.
   */
  park(options?: ExecuteCallOptions): Promise<EslEvent> {
    return this.execute('park', undefined, options);
  }

  /** Bridges the caller to a dial string (`bridge`); resolves when the bridge ends. */
  async bridge(dialString: string, options?: ExecuteCallOptions): Promise<EslEvent> {
    return this.execute('bridge', assertSingleLine(dialString, 'dialString'), options);
  }

  /** Sends DTMF to the caller (`send_dtmf`), e.g. `'123#'`, optionally with a tone duration in ms. */
  async sendDtmf(digits: string, durationMs?: number, options?: ExecuteCallOptions): Promise<EslEvent> {
    return this.execute('send_dtmf', sendDtmfArgument(digits, durationMs), options);
  }

  /**
   * Hangs the call up with a cause (default `NORMAL_CLEARING`); resolves with the cause once
   * FreeSWITCH reports the hangup (at once if the call already ended).
   */
  async hangup(cause = 'NORMAL_CLEARING', options: CommandOptions = {}): Promise<string> {
    if (this.state.hangup) return this.state.hangup.cause;
    if (this.socket.closed) return this.hangupCause ?? cause;
    const hungUp = new Promise<string>((resolve) => {
      this.emitter.once('hangup', (info) => resolve(info.cause));
      this.emitter.once('end', (info) => resolve(info.cause ?? cause));
    });
    await this.sendmsg(hangupMessage(cause), options);
    return hungUp;
  }

  /**
   * Sets a channel variable: `uuid_setvar` on a `full` socket (immediate), else the `set`
   * application.
   */
  async setVariable(name: string, value: string, options?: CommandOptions): Promise<void> {
    assertToken(name, 'variable name');
    if (this.channel.fullControl) return helpers.uuidSetvar(this, this.uuid, name, value, options);
    await this.execute('set', `${name}=${assertSingleLine(value, 'value')}`);
  }

  /**
   * Reads a channel variable now (not the {@link ChannelData} snapshot): `uuid_getvar` on a
   * `full` socket, else `getvar`. `undefined` when unset.
   */
  async getVariable(name: string, options?: CommandOptions): Promise<string | undefined> {
    if (this.channel.fullControl) return helpers.uuidGetvar(this, this.uuid, name, options);
    const reply = await this.send(buildCommand(`getvar ${assertToken(name, 'variable name')}`), options);
    // An unset variable gives an empty reply, which FreeSWITCH turns into `-ERR command not found`.
    return reply.ok ? reply.text : undefined;
  }

  /**
   * Sends the call into the dialplan (`uuid_transfer`, or the `transfer` application without
   * `full`). Once it resolves the call is {@link OutboundCall.handedOff} (`transfer`).
   */
  async transfer(destination: string, dialplan?: string, context?: string, options?: CommandOptions): Promise<void> {
    if (this.channel.fullControl) {
      await helpers.uuidTransfer(this, this.uuid, destination, dialplan, context, options);
    } else {
      await this.execute('transfer', transferArgument(destination, dialplan, context));
    }
    this.state.transferred();
  }

  /**
   * Starts FreeSWITCH's `unicast`: the caller's audio as bare UDP datagrams (20 ms each) to
   * `remoteIp:remotePort`, and what we send back to `localIp:localPort` is played to the caller.
   * Audio flows only while the channel is parked: follow with {@link OutboundCall.park}.
   * FreeSWITCH has no command that stops it (`nounicast` answers `+OK` and does nothing): it
   * stops when the park ends — hangup, {@link OutboundCall.transfer}, a bridge.
   */
  async unicast(options: UnicastOptions, commandOptions?: CommandOptions): Promise<EslReply> {
    return this.sendmsg(unicastMessage(options), commandOptions);
  }

  /** Sends a raw `sendmsg` to this channel; rejects on `-ERR`. */
  async sendmsg(message: ChannelMessage, options?: CommandOptions): Promise<EslReply> {
    this.assertActive();
    const reply = await this.send(sendmsgCommand(undefined, message), options);
    if (!reply.ok) throw new EslCommandError(`FreeSWITCH refused sendmsg ${message.command}: ${reply.text}`, `sendmsg ${message.command}`, reply.text);
    return reply;
  }

  /**
   * `api <command>` over this socket (needs `full`). Blocks the socket until it returns — events
   * wait meanwhile; use the inbound client for slow commands.
   */
  api(command: string, options?: CommandOptions): Promise<EslReply> {
    if (!this.channel.fullControl) return Promise.reject(needsFullError('api'));
    let line: string;
    try {
      line = apiCommand(command);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.send(line, options);
  }

  /**
   * Subscribes this socket to more events (`event plain <names>`, needs `full`), e.g.
   * `['CUSTOM', 'mod_audio_stream::connect', 'mod_audio_stream::error']`: FreeSWITCH still
   * delivers only this channel's (the `myevents` filter on `Unique-ID` stays).
   */
  async subscribe(events: readonly string[], options?: CommandOptions): Promise<void> {
    if (!this.channel.fullControl) throw needsFullError('event');
    const reply = await this.send(eventCommand('plain', events), options);
    if (!reply.ok) throw new EslCommandError(`event subscription refused: ${reply.text}`, 'event', reply.text);
  }

  /**
   * `bgapi <command>` over this socket (needs `full`); resolves with the Job-UUID once accepted.
   * FreeSWITCH never delivers the `BACKGROUND_JOB` result to a `myevents` socket (its events are
   * filtered to this channel's `Unique-ID`): read results with an {@link AsyncESLClient}.
   */
  async bgapi(command: string, options?: CommandOptions & { jobUuid?: string }): Promise<string> {
    if (!this.channel.fullControl) throw needsFullError('bgapi');
    const jobUuid = options?.jobUuid ?? randomUUID();
    const reply = await this.send(bgapiCommand(command, jobUuid), options);
    if (!reply.ok) throw new EslCommandError(`bgapi refused: ${reply.text}`, `bgapi ${command}`, reply.text);
    return reply.jobUuid ?? jobUuid;
  }

  /**
   * Closes the socket without hanging up: FreeSWITCH continues the dialplan after `socket` (and
   * hangs up if nothing follows).
   */
  close(): void {
    if (!this.socket.closed) this.socket.end();
  }

  /** @internal Destroys the socket at once (server shutdown, protocol error). */
  destroy(error?: Error): void {
    this.socket.destroy(error);
  }

  // ---------------------------------------------------------------- internals

  private send(command: string, options?: CommandOptions): Promise<EslReply> {
    if (this.socket.closed) return Promise.reject(this.endedError());
    return this.socket.send(command, options);
  }

  private assertActive(): void {
    if (!this.isActive) throw this.endedError();
  }

  private endedError(): CallEndedError {
    return callEndedError(this.uuid, this.state.hangup?.cause);
  }

  private onEvent(event: EslEvent): void {
    this.tracker.onEvent(event);
    if (this.state.onEvent(event)) {
      this.tracker.failAll(this.endedError());
      this.emitter.emit('hangup', this.state.hangup!);
    } else if (event.name === 'DTMF') {
      const digit = event.get('DTMF-Digit');
      if (digit) this.emitter.emit('dtmf', { digit, durationMs: Number(event.get('DTMF-Duration') ?? 0) / 8, event });
    }
    this.router.dispatch(event);
  }

  private onClose(error: Error | undefined): void {
    const ended = this.endedError();
    this.tracker.failAll(ended);
    this.router.shutdown(ended);
    this.emitter.emit('end', { cause: this.hangupCause, hangupComplete: this.state.hangupComplete, error });
    this.emitter.removeAllListeners();
  }
}

