/**
 * A FreeSWITCH that speaks `mod_event_socket` (inbound direction) over real TCP, for tests.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { type AddressInfo, type Server, type Socket, createServer } from 'node:net';
import { EventEmitter } from 'eventemitter3';
import { AUTH_REQUEST_FRAME, disconnectNoticeFrame, rudeRejectionFrame } from '../esl/event-serializer.js';
import { type Logger, redactCommand, defaultLogger } from '../logger.js';
import { BUILTIN_APPLICATIONS } from './applications.js';
import { defaultOriginateRule, type OriginateRule, type PlaceCallOptions, placeInboundCall } from './call-flows.js';
import type { SimulatedChannel } from './channel-model.js';
import { canonicalEventName, type HeaderPairs } from './event-templates.js';
import { CommandReader } from './command-reader.js';
import { headerOf, type QueuedCommand, type ReceivedCommand, SimulatedListener } from './listener.js';
import type { ManualClock } from './simulator-clock.js';
import { SimulatorHost } from './simulator-host.js';
import type { CommandHook, FreeSwitchSimulatorEvents, FreeSwitchSimulatorOptions } from './simulator-options.js';
import { type SocketTarget, socketApplication } from './outbound-socket.js';
import { playbackApplication } from './playback.js';
import { SimulatedPhones } from './phones.js';
import { sendDtmf } from './switch-api.js';
import { XmlDialplan } from './xml-dialplan.js';
import { SimulatedUnicast, type UnicastParams } from './unicast-media.js';
import { type SimulatedEvent, SwitchCore } from './switch-core.js';

/** What `module_exists` answers `true` for by default: the modules a FusionPBX switch loads that callers of this package use. */
const DEFAULT_MODULES = [
  'mod_commands', 'mod_dptools', 'mod_dialplan_xml', 'mod_event_socket', 'mod_sofia', 'mod_loopback',
  'mod_local_stream', 'mod_tone_stream', 'mod_sndfile', 'mod_native_file', 'mod_lua', 'mod_voicemail',
];

/**
 * A FreeSWITCH that speaks `mod_event_socket` over real TCP on 127.0.0.1, for tests: `auth` /
 * `userauth`, ACL rejection, `api` and `bgapi`, events in plain/json/xml with subscriptions and
 * filters, `sendevent`, `sendmsg`, `log`, `myevents`, `linger`, `exit`; channels created by
 * `originate` (loopback legs, the dialplan) or {@link FreeSwitchSimulator.placeCall}. Replies,
 * notices and events are written byte for byte as FreeSWITCH writes them (checked against
 * recorded traffic in this package's tests).
 *
 * ```ts
 * const sim = new FreeSwitchSimulator();
 * const { host, port } = await sim.start();
 * const client = new AsyncESLClient({ host, port, password: 'ClueCon' });
 * // ...
 * await sim.stop();
 * ```
 *
 * Applications take the time they would on a real switch: `playback` lasts as long as what it
 * plays — a WAV the simulator can read (an absolute path, or one under `playback.soundsDir`) its
 * real length, `tone_stream://` and `silence_stream://` theirs, anything else
 * `playback.defaultMs` (1000 ms unless set) — and fires `PLAYBACK_START`/`PLAYBACK_STOP`. While
 * it plays, DTMF is delivered (`DTMF` events) and a digit in `playback_terminators` (default
 * `*`) stops it; `uuid_break` cuts it short (`Application-Response: FILE PLAYED`,
 * `Playback-Status: break`, what was heard in `playback_ms`), `uuid_break <uuid> all` also drops
 * what is queued behind it, and a hangup ends it with `PLAYBACK ERROR`. To test a long prompt
 * without waiting for it, give the simulator a {@link ManualClock} and advance it:
 *
 * ```ts
 * const clock = new ManualClock();
 * const sim = new FreeSwitchSimulator({ clock, playback: { defaultMs: 3000 } });
 * // ... your bot runs `call.playback('ivr/ivr-welcome.wav')`; the caller presses 1 meanwhile:
 * sim.sendDtmf(uuid, '1');
 * clock.advance(3000); // the prompt ends: CHANNEL_EXECUTE_COMPLETE goes out
 * ```
 *
 * `stop()` closes everything the simulator opened (sockets, timers, UDP): a test process that
 * used it exits as soon as its own work is done.
 *
 * Test hooks: {@link FreeSwitchSimulator.onCommand}, {@link FreeSwitchSimulator.holdReplies},
 * {@link FreeSwitchSimulator.setCommandDelay}, {@link FreeSwitchSimulator.injectRaw},
 * {@link FreeSwitchSimulator.dropConnections}, {@link FreeSwitchSimulator.emitEvent},
 * {@link FreeSwitchSimulator.commands}, {@link FreeSwitchSimulator.waitForCommand},
 * {@link FreeSwitchSimulator.waitForEvent}, and `stop()`/`start()` on the same port (a restart).
 */
export class FreeSwitchSimulator extends EventEmitter<FreeSwitchSimulatorEvents> {
  /** Every command received, in order, across connections and restarts. */
  readonly commands: ReceivedCommand[] = [];
  /** The simulated switch: channels, applications, events. */
  readonly core: SwitchCore;
  /** SIP phones registered on the switch (`sofia_contact`, originates to `user/<ext>@<domain>`). */
  readonly phones = new SimulatedPhones();
  /** The XML dialplan from the `dialplanXml` option, if any. */
  readonly xmlDialplan: XmlDialplan | undefined;
  private readonly host: SimulatorHost;
  private readonly sessions = new Set<SimulatedListener>();
  private readonly unicasts = new Map<string, SimulatedUnicast>();
  private readonly callerAudio = new Map<string, Int16Array>();
  /** Sockets the `socket` application is still connecting (destroyed by a shutdown). */
  private readonly dialing = new Set<Socket>();
  private readonly options: FreeSwitchSimulatorOptions;
  private readonly logger: Logger;
  private server: Server | undefined;
  private boundPort: number;
  private hook: CommandHook | undefined;
  private held = false;
  private delayMs = 0;
  private stopped = false;

  constructor(options: FreeSwitchSimulatorOptions = {}) {
    super();
    this.options = options;
    this.logger = options.logger ?? defaultLogger;
    this.boundPort = options.port ?? 0;
    const identity = { ...options.identity, ...(options.hostname !== undefined && { hostname: options.hostname }) };
    this.xmlDialplan = options.dialplanXml === undefined ? undefined : new XmlDialplan(options.dialplanXml);
    this.core = new SwitchCore((event) => this.host.fanOut(event), {
      identity,
      dialplan: options.dialplan ?? this.xmlDialplan?.route,
      clock: options.clock,
      applications: {
        ...BUILTIN_APPLICATIONS,
        socket: socketApplication({ attach: (...args) => this.attachOutbound(...args), dialing: (socket) => this.trackDialing(socket) }),
        playback: playbackApplication(options.playback),
        ...options.applications,
      },
    });
    this.core.unicastHandler = (channel, params) => this.startUnicast(channel, params);
    const modules = options.modules ?? DEFAULT_MODULES;
    const originateRule: OriginateRule = (endpoint, variables) =>
      options.originateRule?.(endpoint, variables) ?? this.phones.originateRule(endpoint, variables) ?? defaultOriginateRule(endpoint, variables);
    const hostOptions = {
      ...options,
      originateRule,
      api: {
        sofia_contact: this.phones.sofiaContact,
        module_exists: (args: string) => ({ body: args.trim() === '' ? '' : String(modules.includes(args.trim())) }),
        xml_locate: (args: string) => ({ body: this.xmlDialplan?.locate(args) ?? "can't find anything\n" }),
        ...options.api,
      },
    };
    this.host = new SimulatorHost(
      this.core,
      this.sessions,
      hostOptions,
      (event) => {
        this.trackUnicast(event);
        this.emit('event', event);
      },
      (l) => this.pump(l),
    );
  }

  /** The port (the bound one once started). */
  get port(): number {
    return this.boundPort;
  }

  /** Open connections. */
  get connections(): number {
    return this.sessions.size;
  }

  /** The open connections, in accept order. */
  get connectionList(): SimulatedListener[] {
    return [...this.sessions];
  }

  /** Live channels by uuid. */
  get channels(): ReadonlyMap<string, SimulatedChannel> {
    return this.core.channels;
  }

  /** Starts listening (again on the same port after {@link FreeSwitchSimulator.stop}: a restart). */
  async start(): Promise<{ host: string; port: number }> {
    if (this.server) return { host: this.options.host ?? '127.0.0.1', port: this.boundPort };
    const host = this.options.host ?? '127.0.0.1';
    if (this.stopped) this.core.restart();
    this.stopped = false;
    const server = createServer((socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.boundPort, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.boundPort = (server.address() as AddressInfo).port;
    return { host, port: this.boundPort };
  }

  /**
   * Shuts down like FreeSWITCH does: every connection gets `The system is being shut down.`
   * and is closed, every channel is forgotten (no events). Resolves once everything the
   * simulator opened is closed — the listening port, every connection (inbound, and outbound
   * ones to an application's server, whichever side closed first), every `unicast` UDP socket,
   * every timer — so nothing it started keeps the process alive. A connection whose peer does
   * not read its last bytes is destroyed after {@link STOP_GRACE_MS}.
   * A later {@link FreeSwitchSimulator.start} is a fresh switch on the same port: new Core-UUID,
   * counters at zero; {@link FreeSwitchSimulator.commands} is kept.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    const sockets = [...this.sessions].map((l) => l.socket);
    for (const l of this.sessions) {
      l.write(disconnectNoticeFrame({ text: 'The system is being shut down.\n' }));
      l.close();
    }
    for (const socket of this.dialing) socket.destroy();
    this.dialing.clear();
    this.core.shutdown();
    for (const u of this.unicasts.values()) u.stop();
    this.unicasts.clear();
    const server = this.server;
    this.server = undefined;
    await Promise.all([closeAll(sockets), server && new Promise<void>((resolve) => server.close(() => resolve()))]);
  }

  /** Destroys every connection at once, with no notice and no reply to what is pending (a crash). */
  dropConnections(): void {
    for (const l of this.sessions) l.close({ abrupt: true });
  }

  /** Installs (or with `undefined` removes) the hook that sees every command before it runs. */
  onCommand(hook: CommandHook | undefined): void {
    this.hook = hook;
  }

  /**
   * Holds (`true`) or releases (`false`) every connection, as if FreeSWITCH were stuck in a long
   * command: commands wait unanswered and events queue up. On release, the queued events go out
   * first, then the waiting commands run in order.
   */
  holdReplies(on: boolean): void {
    if (on === this.held) return;
    this.held = on;
    for (const l of this.sessions) on ? l.hold() : l.release();
    if (!on) for (const l of this.sessions) this.pump(l);
  }

  /** Runs every later command `ms` after it arrives (0 = at once); events wait meanwhile. */
  setCommandDelay(ms: number): void {
    this.delayMs = Math.max(0, ms);
  }

  /** Writes arbitrary bytes to every connection, or to one (a listener or its `id`). */
  injectRaw(bytes: string | Buffer, target?: SimulatedListener | number): void {
    for (const l of this.sessions) if (target === undefined || l === target || l.id === target) l.write(bytes);
  }

  /**
   * Fires an event: FreeSWITCH's base headers, then `headers` (for `CUSTOM`, `Event-Subclass`
   * goes first, as FreeSWITCH writes it). Unknown names are sent as given (to `ALL` subscribers).
   */
  emitEvent(name: string, headers: Record<string, string> | HeaderPairs = [], body?: string): SimulatedEvent {
    const list: HeaderPairs = Array.isArray(headers) ? [...headers] : Object.entries(headers);
    const i = list.findIndex(([k]) => k === 'Event-Subclass');
    if (i > 0) list.unshift(...list.splice(i, 1));
    return this.core.fire(canonicalEventName(name) ?? name, list, body);
  }

  /** Writes a log line to every connection whose `log` level includes `level` (0..7). */
  log(level: number, message: string, where: { file?: string; func?: string; line?: number; uuid?: string } = {}): void {
    this.host.log(level, where.file ?? 'mod_simulator.c', where.func ?? 'simulator_log', where.line ?? 1, message, where.uuid);
  }

  /** A call arrives (as from a SIP phone): `CHANNEL_CREATE`, then the dialplan runs. */
  placeCall(options: PlaceCallOptions): SimulatedChannel {
    return placeInboundCall(this.core, options);
  }

  /**
   * A call arrives and the dialplan hands it to an application's outbound socket server, as
   * `answer` + `socket <host>:<port> async full` does: the simulator connects to `target` and
   * serves that connection. `variables` are set first (`domain_uuid`, ...), like the `set`
   * actions before `socket`. Returns the channel; the connection is in
   * {@link FreeSwitchSimulator.connectionList}.
   */
  callSocket(
    target: { host?: string; port: number; mode?: string },
    options: Omit<PlaceCallOptions, 'destination' | 'steps'> & {
      destination?: string;
      answer?: boolean;
      /** What the caller says (8 kHz PCM), sent by `unicast` once it starts; comfort noise after. */
      callerAudio?: Int16Array;
    } = {},
  ): SimulatedChannel {
    const data = `${target.host ?? '127.0.0.1'}:${target.port} ${target.mode ?? 'async full'}`;
    const steps = [...(options.answer === false ? [] : [{ app: 'answer' }]), { app: 'socket', data }];
    const uuid = options.uuid ?? randomUUID();
    if (options.callerAudio) this.callerAudio.set(uuid, options.callerAudio);
    return placeInboundCall(this.core, { destination: '8000', ...options, uuid, steps });
  }

  /**
   * What the caller says on a channel (8 kHz PCM): `unicast` sends it from its first frame, then
   * comfort noise. {@link FreeSwitchSimulator.callSocket}'s `callerAudio` option does the same for
   * the call it places; this sets it for any channel (an `originate`d loopback leg, a placed call).
   */
  setCallerAudio(uuid: string, audio: Int16Array): void {
    this.callerAudio.set(uuid, audio);
  }

  /** The `unicast` session of a channel (what FreeSWITCH sent and received), once started. */
  unicast(uuid: string): SimulatedUnicast | undefined {
    return this.unicasts.get(uuid);
  }

  /** Resolves with the channel's `unicast` session once the application started it. */
  waitForUnicast(uuid: string, timeoutMs = 5000): Promise<SimulatedUnicast> {
    const now = this.unicasts.get(uuid);
    if (now) return Promise.resolve(now);
    return this.waitForEmit('unicast', (id, session) => (id === uuid ? session : undefined), timeoutMs, `unicast on ${uuid}`);
  }

  /** Hangs a channel up (as the far end would). Returns false when there is no such channel. */
  hangup(uuid: string, cause = 'NORMAL_CLEARING'): boolean {
    const channel = this.core.channels.get(uuid);
    if (channel) this.core.hangup(channel, cause);
    return channel !== undefined;
  }

  /** The caller presses keys: one `DTMF` event per digit on that channel. */
  sendDtmf(uuid: string, digits: string, durationSamples = 2000): boolean {
    const channel = this.core.channels.get(uuid);
    if (channel) sendDtmf(this.core, channel, digits, durationSamples);
    return channel !== undefined;
  }

  /**
   * Resolves with the first command (already received, or arriving within `timeoutMs`) that
   * `predicate` accepts; rejects on timeout.
   */
  waitForCommand(predicate: (command: ReceivedCommand) => boolean, timeoutMs = 5000): Promise<ReceivedCommand> {
    const seen = this.commands.find(predicate);
    if (seen) return Promise.resolve(seen);
    return this.waitForEmit('command', (command) => (predicate(command) ? command : undefined), timeoutMs, 'matching command');
  }

  /**
   * Resolves with the next event named `name` (`PLAYBACK_START`, `CHANNEL_UNPARK`, ...) the switch
   * fires — on channel `uuid` when given — whether or not a connection subscribed to it; rejects
   * after `timeoutMs`. Events are not kept: call it before what fires the event. A command is
   * received before it runs ({@link FreeSwitchSimulator.waitForCommand}); this waits for its effect.
   */
  waitForEvent(name: string, uuid?: string, timeoutMs = 5000): Promise<SimulatedEvent> {
    const matches = (event: SimulatedEvent): boolean => event.name === name && (uuid === undefined || headerOf(event.headers, 'Unique-ID') === uuid);
    return this.waitForEmit('event', (event) => (matches(event) ? event : undefined), timeoutMs, `${name} event${uuid === undefined ? '' : ` on ${uuid}`}`);
  }

  /**
   * The value `pick` makes of the first `event` it accepts (`undefined`: not this one), within
   * `timeoutMs`; rejects with `no <what> within <ms> ms`.
   */
  private waitForEmit<K extends keyof FreeSwitchSimulatorEvents, T>(
    event: K,
    pick: (...args: FreeSwitchSimulatorEvents[K]) => T | undefined,
    timeoutMs: number,
    what: string,
  ): Promise<T> {
    return new Promise((resolve, reject) => {
      const listener = (...args: FreeSwitchSimulatorEvents[K]): void => {
        const value = pick(...args);
        if (value === undefined) return;
        clearTimeout(timer);
        this.off(event, listener as never);
        resolve(value);
      };
      const timer = setTimeout(() => {
        this.off(event, listener as never);
        reject(new Error(`no ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.on(event, listener as never);
    });
  }

  private accept(socket: Socket): void {
    socket.setNoDelay(true);
    socket.on('error', () => {});
    if (this.options.acl && !this.options.acl(socket.remoteAddress ?? '')) {
      socket.end(rudeRejectionFrame() + disconnectNoticeFrame(), () => socket.destroy());
      return;
    }
    const l = this.serve(socket);
    l.write(AUTH_REQUEST_FRAME);
    l.later(this.options.authTimeoutMs ?? 25_000, () => {
      if (!l.authed) l.close({ notice: true });
    });
    this.emit('connection', l);
  }

  /** Tracks a connection and feeds its commands to {@link FreeSwitchSimulator.receive}. */
  private serve(socket: Socket, onClose?: () => void): SimulatedListener {
    const l = new SimulatedListener(socket);
    this.sessions.add(l);
    if (this.held) l.hold();
    socket.on('close', () => {
      // Whoever closed first, the connection's timers (first command, linger, delays) go with it.
      l.close({ abrupt: true });
      this.sessions.delete(l);
      this.emit('disconnect', l);
      onClose?.();
    });
    // Commands are read as mod_event_socket's read_packet reads them, quirks included.
    const reader = new CommandReader((command) => this.receive(l, { ...command, connectionId: l.id }));
    socket.on('data', (chunk: Buffer) => {
      if (!l.closed && reader.push(chunk) === 'close') l.close({ notice: true });
    });
    return l;
  }

  /** Serves a connection the `socket` application opened: already authenticated, controlling `channel`. */
  private attachOutbound(socket: Socket, channel: SimulatedChannel, target: SocketTarget, onClose: () => void, onConnect?: () => void): void {
    this.dialing.delete(socket);
    if (this.stopped) {
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    const l = this.serve(socket, onClose);
    l.authed = true;
    l.outbound = { async: target.async, full: target.full };
    l.sessionUuid = channel.uuid;
    l.onConnect = onConnect;
    // read_packet(listener, &ievent, 25): no first command within 25 s and the socket is dropped.
    l.later(this.options.authTimeoutMs ?? 25_000, () => {
      if (!l.firstCommandRead) l.close();
    });
    this.emit('connection', l);
  }

  /** Remembers a socket the `socket` application is connecting until it connects or fails. */
  private trackDialing(socket: Socket): void {
    if (this.stopped) {
      socket.destroy();
      return;
    }
    this.dialing.add(socket);
    socket.once('close', () => this.dialing.delete(socket));
  }

  private startUnicast(channel: SimulatedChannel, params: UnicastParams): void {
    if (this.stopped) return;
    this.unicasts.get(channel.uuid)?.stop();
    const session = new SimulatedUnicast(channel, params, this.callerAudio.get(channel.uuid), {
      echo: () => {
        const partner = channel.partner === undefined ? undefined : this.core.channels.get(channel.partner);
        return partner?.currentApp?.name === 'echo';
      },
      record: this.options.recordAudio,
    });
    this.unicasts.set(channel.uuid, session);
    session.start().then(
      () => this.emit('unicast', channel.uuid, session),
      (error: unknown) => this.logger.warn({ err: error }, 'simulator: unicast bind failed'),
    );
  }

  /** Ends a channel's unicast when it hangs up or leaves park, as `switch_core_session_reset` does. */
  private trackUnicast(event: SimulatedEvent): void {
    if (event.name !== 'CHANNEL_UNPARK' && event.name !== 'CHANNEL_HANGUP' && event.name !== 'CHANNEL_DESTROY') return;
    const uuid = event.headers.find(([k]) => k === 'Unique-ID')?.[1];
    if (uuid === undefined) return;
    this.unicasts.get(uuid)?.stop();
    if (event.name === 'CHANNEL_DESTROY') this.callerAudio.delete(uuid);
  }

  private receive(l: SimulatedListener, command: ReceivedCommand): void {
    if (l.closed) return;
    this.commands.push(command);
    this.logger.debug({ connection: l.id, command: redactCommand(command.line) }, 'simulator received');
    this.emit('command', command, l);
    const decision = this.hook?.(command, l);
    if (decision === 'hang') return;
    if (decision === 'drop') return l.close({ abrupt: true });
    if (typeof decision === 'object' && 'respond' in decision) return l.write(decision.respond);
    const queued: QueuedCommand = { command, delayMs: typeof decision === 'object' ? decision.delayMs : this.delayMs };
    l.inbox.push(queued);
    this.pump(l);
  }

  private pump(l: SimulatedListener): void {
    while (!this.held && !l.busy && !l.closed && l.inbox.length > 0) {
      const { command, delayMs } = l.inbox.shift()!;
      if (delayMs > 0) {
        l.busy = true;
        l.hold();
        l.later(delayMs, () => {
          l.busy = false;
          this.host.run(l, command);
          l.release();
          this.pump(l);
        });
        return;
      }
      this.host.run(l, command);
    }
  }
}

/** Ms {@link FreeSwitchSimulator.stop} lets a closing connection flush before destroying it. */
export const STOP_GRACE_MS = 1000;

/** Resolves once every socket has closed; destroys those still open after {@link STOP_GRACE_MS}. */
function closeAll(sockets: readonly Socket[]): Promise<void> {
  const open = sockets.filter((s) => !s.closed);
  if (open.length === 0) return Promise.resolve();
  const timer = setTimeout(() => {
    for (const s of open) s.destroy();
  }, STOP_GRACE_MS);
  return Promise.all(open.map((s) => new Promise<void>((resolve) => (s.closed ? resolve() : s.once('close', () => resolve()))))).then(() => {
    clearTimeout(timer);
  });
}
