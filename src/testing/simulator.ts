import { randomUUID } from 'node:crypto';
import { type AddressInfo, type Server, type Socket, createServer } from 'node:net';
import { EventEmitter } from 'eventemitter3';
import {
  AUTH_REQUEST_FRAME,
  apiResponseFrame,
  commandReplyFrame,
  disconnectNoticeFrame,
  logDataFrame,
  rudeRejectionFrame,
} from '../esl/event-serializer.js';
import { FrameParser } from '../esl/frame-parser.js';
import { type HeaderPairs } from './event-factory.js';
import { type SimulatedEvent, SimulatedListener } from './listener.js';
import { type OriginateRule, SwitchCore } from './switch-core.js';

/** A command as the simulator received it. */
export interface ReceivedCommand {
  /** The command line, e.g. `api status`. */
  line: string;
  /** Its headers (`Job-UUID`, `call-command`, ...). */
  headers: Record<string, string>;
  /** Its body, if it had a `Content-Length`. */
  body: string | undefined;
}

/** What a command hook may decide: `hang` never answers, `drop` closes the connection. */
export type CommandHookResult = 'hang' | 'drop' | undefined;

/** Options of {@link FreeSwitchSimulator}. */
export interface FreeSwitchSimulatorOptions {
  /** `event_socket.conf.xml` password. Default `ClueCon`. */
  password?: string;
  /** `userauth` accounts: `{ 'user@domain': 'password' }`. */
  users?: Record<string, string>;
  /** Address to listen on. Default `127.0.0.1`. */
  host?: string;
  /** Port; 0 (default) picks a free one. */
  port?: number;
  /** `apply-inbound-acl`: return false to reject a peer with `text/rude-rejection`. */
  acl?: (remoteAddress: string) => boolean;
  /** What `originate` does for a dial string (default: `error/<CAUSE>` fails, others answer). */
  originateRule?: OriginateRule;
  /** `FreeSWITCH-Hostname` of the events. */
  hostname?: string;
}

/** Events of {@link FreeSwitchSimulator}. */
export interface FreeSwitchSimulatorEvents {
  /** A command arrived (after authentication or not). */
  command: [command: ReceivedCommand, listener: SimulatedListener];
  /** A connection opened. */
  connection: [listener: SimulatedListener];
}

/**
 * A FreeSWITCH that speaks `mod_event_socket` over real TCP, for tests: authentication,
 * `api`/`bgapi`, events in plain/json/xml with subscriptions and filters, `sendevent`,
 * `sendmsg`, `log`, and channels created by `originate`. Replies and events are written byte
 * for byte as FreeSWITCH writes them (checked against recorded traffic).
 *
 * ```ts
 * const sim = new FreeSwitchSimulator();
 * const { host, port } = await sim.start();
 * const client = new AsyncESLClient({ host, port, password: 'ClueCon' });
 * ```
 *
 * Test hooks: {@link FreeSwitchSimulator.onCommand} (hold or drop on a command),
 * {@link FreeSwitchSimulator.injectRaw}, {@link FreeSwitchSimulator.dropConnections},
 * {@link FreeSwitchSimulator.emitEvent}, {@link FreeSwitchSimulator.commands}, and
 * `stop()`/`start()` on the same port to simulate a restart.
 */
export class FreeSwitchSimulator extends EventEmitter<FreeSwitchSimulatorEvents> {
  /** Every command received, in order, across connections. */
  readonly commands: ReceivedCommand[] = [];
  /** The simulated switch: channels and api commands. */
  readonly core: SwitchCore;
  private readonly sessions = new Set<SimulatedListener>();
  private readonly options: FreeSwitchSimulatorOptions;
  private server: Server | undefined;
  private boundPort: number;
  private hook: ((command: ReceivedCommand) => CommandHookResult) | undefined;

  constructor(options: FreeSwitchSimulatorOptions = {}) {
    super();
    this.options = options;
    this.boundPort = options.port ?? 0;
    this.core = new SwitchCore((event) => this.fanOut(event), options.originateRule, options.hostname);
  }

  /** The port, once started. */
  get port(): number {
    return this.boundPort;
  }

  /** Open connections. */
  get connections(): number {
    return this.sessions.size;
  }

  /**
   * Starts listening (again on the same port after {@link FreeSwitchSimulator.stop}, so a
   * client can reconnect to a "restarted" switch).
   */
  async start(): Promise<{ host: string; port: number }> {
    const host = this.options.host ?? '127.0.0.1';
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

  /** Stops listening and closes every connection (like a FreeSWITCH shutting down). */
  async stop(): Promise<void> {
    this.dropConnections();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Closes every connection abruptly (no disconnect notice), as a crash would. */
  dropConnections(): void {
    for (const l of this.sessions) {
      l.closed = true;
      l.socket.destroy();
    }
    this.sessions.clear();
  }

  /** Decides per command whether to answer (`undefined`), never answer (`hang`) or `drop` the connection. */
  onCommand(hook: ((command: ReceivedCommand) => CommandHookResult) | undefined): void {
    this.hook = hook;
  }

  /** Writes arbitrary bytes to every authenticated connection (garbage, unknown frames...). */
  injectRaw(bytes: string | Buffer): void {
    for (const l of this.sessions) if (!l.closed) l.socket.write(bytes);
  }

  /** Fires an event (base headers are added) to every subscribed connection. */
  emitEvent(name: string, headers: Record<string, string> | HeaderPairs = [], body?: string): void {
    this.core.event(name, Array.isArray(headers) ? headers : Object.entries(headers), body);
  }

  private fanOut(event: SimulatedEvent): void {
    for (const l of this.sessions) if (l.wants(event)) l.deliver(event);
  }

  private accept(socket: Socket): void {
    const listener = new SimulatedListener(socket);
    socket.on('error', () => {});
    socket.on('close', () => {
      listener.closed = true;
      this.sessions.delete(listener);
    });
    if (this.options.acl && !this.options.acl(socket.remoteAddress ?? '')) {
      socket.end(rudeRejectionFrame() + disconnectNoticeFrame());
      return;
    }
    this.sessions.add(listener);
    this.emit('connection', listener);
    const parser = new FrameParser((frame) => {
      const lines = frame.raw.toString('utf8').split('\n');
      const headers: Record<string, string> = {};
      for (const l of lines.slice(1)) {
        const colon = l.indexOf(':');
        if (colon > 0) headers[l.slice(0, colon)] = l.slice(colon + 1).trimStart();
      }
      const command: ReceivedCommand = { line: lines[0]!.trim(), headers, body: frame.body?.toString('utf8') };
      this.commands.push(command);
      this.emit('command', command, listener);
      const decision = this.hook?.(command);
      if (decision === 'drop') return void socket.destroy();
      if (decision === 'hang') return;
      this.run(command, listener);
    });
    socket.on('data', (chunk: Buffer) => {
      if (parser.push(chunk)) socket.destroy();
    });
    socket.write(AUTH_REQUEST_FRAME);
  }

  private reply(l: SimulatedListener, text: string, extra: HeaderPairs = []): void {
    l.write(commandReplyFrame(text, extra));
  }

  private goodbye(l: SimulatedListener, text: string): void {
    l.write(commandReplyFrame(text) + disconnectNoticeFrame());
    l.closed = true;
    l.socket.end();
  }

  private run(command: ReceivedCommand, l: SimulatedListener): void {
    const space = command.line.indexOf(' ');
    const verb = space === -1 ? command.line : command.line.slice(0, space);
    const rest = space === -1 ? '' : command.line.slice(space + 1).trim();
    if (!l.authed) return this.authenticate(l, verb, rest);
    switch (verb) {
      case 'api':
        return this.runApi(l, rest);
      case 'bgapi':
        return this.runBgapi(l, rest, command.headers['Job-UUID']);
      case 'event':
        return this.subscribe(l, rest);
      case 'nixevent':
        for (const n of rest.split(' ')) l.events.delete(n);
        return this.reply(l, '+OK events nixed');
      case 'noevents':
        l.events.clear();
        l.subclasses.clear();
        return this.reply(l, '+OK no longer listening for events');
      case 'filter':
        return this.filter(l, rest);
      case 'sendevent':
        return this.sendevent(l, rest, command);
      case 'sendmsg':
        return this.sendmsg(l, rest, command);
      case 'myevents':
        l.myUuid = rest || undefined;
        return this.reply(l, '+OK Events Enabled');
      case 'log': {
        const level = Number(rest || 7);
        l.logLevel = level;
        return this.reply(l, `+OK log level ${rest || 7} [${level}]`);
      }
      case 'nolog':
        l.logLevel = undefined;
        return this.reply(l, '+OK no longer logging');
      case 'exit':
        return this.goodbye(l, '+OK bye');
      default:
        return this.reply(l, '-ERR command not found');
    }
  }

  private authenticate(l: SimulatedListener, verb: string, rest: string): void {
    const password = this.options.password ?? 'ClueCon';
    let ok = false;
    if (verb === 'auth') ok = rest === password;
    if (verb === 'userauth') {
      const colon = rest.lastIndexOf(':');
      ok = colon > 0 && this.options.users?.[rest.slice(0, colon)] === rest.slice(colon + 1);
    }
    if (!ok) return this.goodbye(l, '-ERR invalid');
    l.authed = true;
    this.reply(l, '+OK accepted');
  }

  private runApi(l: SimulatedListener, text: string): void {
    if (text === '') return this.reply(l, '-ERR command not found');
    const space = text.indexOf(' ');
    const cmd = space === -1 ? text : text.slice(0, space);
    l.blocking(() => l.write(apiResponseFrame(this.core.api(cmd, space === -1 ? '' : text.slice(space + 1).trim()))));
    if (cmd === 'reloadxml') this.log(6, 'switch_time.c', 'switch_load_timezones', 1437, '[INFO] switch_time.c:1437 Timezone reloaded 597 definitions');
  }

  private runBgapi(l: SimulatedListener, text: string, jobUuid: string = randomUUID()): void {
    this.reply(l, `+OK Job-UUID: ${jobUuid}`, [['Job-UUID', jobUuid]]);
    const space = text.indexOf(' ');
    const cmd = space === -1 ? text : text.slice(0, space);
    const args = space === -1 ? '' : text.slice(space + 1).trim();
    setImmediate(() => {
      const result = this.core.api(cmd, args);
      const headers: HeaderPairs = [['Job-UUID', jobUuid], ['Job-Command', cmd]];
      if (args) headers.push(['Job-Command-Arg', args]);
      this.core.event('BACKGROUND_JOB', headers, result);
    });
  }

  private subscribe(l: SimulatedListener, rest: string): void {
    const [format = 'plain', ...names] = rest.split(' ').filter(Boolean);
    if (format !== 'plain' && format !== 'json' && format !== 'xml') return this.reply(l, '-ERR invalid format');
    l.format = format;
    let custom = false;
    for (const n of names) {
      if (custom) l.subclasses.add(n);
      else if (n === 'CUSTOM') {
        custom = true;
        l.events.add(n);
      } else l.events.add(n);
    }
    this.reply(l, `+OK event listener enabled ${format}`);
  }

  private filter(l: SimulatedListener, rest: string): void {
    const del = rest.startsWith('delete ');
    const args = del ? rest.slice(7) : rest;
    const space = args.indexOf(' ');
    const name = space === -1 ? args : args.slice(0, space);
    const value = space === -1 ? '' : args.slice(space + 1);
    if (!del) {
      l.filters.push([name, value]);
      return this.reply(l, `+OK filter added. [${name}]=[${value}]`);
    }
    for (let i = l.filters.length - 1; i >= 0; i--) {
      if (name === 'all' || (l.filters[i]![0] === name && (value === '' || l.filters[i]![1] === value))) l.filters.splice(i, 1);
    }
    this.reply(l, `+OK filter deleted. [${name}][${value}]`);
  }

  private sendevent(l: SimulatedListener, name: string, command: ReceivedCommand): void {
    const uuid = randomUUID();
    const user = Object.entries(command.headers).filter(([k]) => k !== 'Content-Length');
    const subclass = user.filter(([k]) => k === 'Event-Subclass');
    const others = user.filter(([k]) => k !== 'Event-Subclass');
    const base = this.core.factory.base(name, { file: 'mod_event_socket.c', func: 'parse_command', line: 2283 });
    const headers: HeaderPairs = [
      ...subclass,
      ['Command', `sendevent ${name}`],
      ...others,
      ['Event-UUID', uuid],
      ...base,
    ];
    this.reply(l, `+OK ${uuid}`);
    this.fanOut({ headers, body: command.body });
  }

  private sendmsg(l: SimulatedListener, uuid: string, command: ReceivedCommand): void {
    const channel = this.core.channels.get(uuid);
    if (!channel) return this.reply(l, `-ERR invalid session id [${uuid}]`);
    this.reply(l, '+OK');
    const h = command.headers;
    setImmediate(() => {
      if (h['call-command'] === 'execute') {
        this.core.execute(channel, h['execute-app-name'] ?? '', h['execute-app-arg'] ?? command.body ?? '', h['Event-UUID']);
      } else if (h['call-command'] === 'hangup') {
        this.core.hangup(channel, h['hangup-cause'] ?? 'NORMAL_CLEARING');
      }
    });
  }

  private log(level: number, file: string, func: string, line: number, message: string): void {
    const stamp = new Date().toISOString().replace('T', ' ').replace('Z', '');
    const text = `${stamp} 99.00% ${message}\n`;
    for (const l of this.sessions) {
      if (l.authed && l.logLevel !== undefined && l.logLevel >= level) l.write(logDataFrame({ level, file, func, line, text }));
    }
  }
}
