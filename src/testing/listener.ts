/**
 * One Event Socket connection as `mod_event_socket` keeps it (a "listener"): authentication,
 * event format and subscriptions, `CUSTOM` subclasses, filters with FreeSWITCH's matching rules,
 * log level, the channel it controls, and an output gate that holds events while the connection
 * is busy in a command (FreeSWITCH runs `api` inside the listener thread).
 *
 * @module
 */
import type { Socket } from 'node:net';
import type { EventFormat } from '../esl/event.js';
import type { EslFrame } from '../esl/frame-parser.js';
import { CommandReader, type ReadCommand, type ReceivedCommand } from './command-reader.js';
import { disconnectNoticeFrame, eventFrame, serializeEvent } from '../esl/event-serializer.js';
import { EVENT_NAMES } from './event-templates.js';
import type { SimulatedEvent } from './switch-core.js';

export type { ReceivedCommand } from './command-reader.js';

/**
 * Reads a frame the SDK's frame parser delimited as `read_packet` would read its bytes.
 *
 * @deprecated The simulator reads commands with {@link CommandReader}, which also follows
 * FreeSWITCH where the SDK's frame parser delimits differently (NUL, CR, the 10 MiB cut).
 */
export function toReceivedCommand(frame: EslFrame, connectionId: number): ReceivedCommand {
  let read: ReadCommand | undefined;
  const reader = new CommandReader((command) => (read ??= command));
  reader.push(Buffer.concat([frame.raw, Buffer.from('\n\n'), frame.body ?? Buffer.alloc(0)]));
  return { ...(read ?? { line: '', headers: {}, headerList: [], body: undefined }), connectionId };
}

/** A command waiting its turn on a connection. */
export interface QueuedCommand {
  /** The command. */
  command: ReceivedCommand;
  /** Ms to spend "inside" the command before running it (the connection is blocked meanwhile). */
  delayMs: number;
}

/** A case-insensitive header lookup (first match), like `switch_event_get_header`. */
export function headerOf(headers: readonly (readonly [string, string])[], name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [k, v] of headers) if (k.toLowerCase() === lower) return v;
  return undefined;
}

/** `switch_regex_perform`: `/pattern/flags` (flags `i`, `s`) or a bare pattern. */
function regexMatch(value: string, expression: string): boolean {
  let pattern = expression;
  let flags = '';
  if (pattern.startsWith('/')) {
    const end = pattern.lastIndexOf('/');
    if (end <= 0) return false;
    flags = [...pattern.slice(end + 1)].filter((f) => f === 'i' || f === 's').join('');
    pattern = pattern.slice(1, end);
  }
  try {
    return new RegExp(pattern, flags).test(value);
  } catch {
    return false;
  }
}

let nextId = 0;

/** One connection to the simulator. Created by {@link FreeSwitchSimulator}; read by tests. */
export class SimulatedListener {
  /** Connection number, from 1, in accept order across the process. */
  readonly id = ++nextId;
  /** The peer's address. */
  readonly remoteAddress: string;
  /** Logged in (`auth` / `userauth` accepted). */
  authed = false;
  /** Event format (`event plain|json|xml`). */
  format: EventFormat = 'plain';
  /** `LFLAG_EVENTS`: events are delivered at all. */
  eventsEnabled = false;
  /** Subscribed to `ALL`. */
  allEvents = false;
  /** Subscribed event names. */
  readonly events = new Set<string>();
  /** Subscribed `CUSTOM` subclasses. */
  readonly subclasses = new Set<string>();
  /** `filter` headers in order: `[header, value]`. */
  readonly filters: [string, string][] = [];
  /** `log <level>`; `undefined` when not logging. */
  logLevel: number | undefined;
  /** `myevents`: only events of the controlled channel. */
  myEvents = false;
  /** The channel this connection controls (`myevents <uuid>`, or an outbound `socket`). */
  sessionUuid: string | undefined;
  /**
   * Set on a connection the simulator opened itself, as the `socket` dialplan application does:
   * its mode (`async`, `full`). `undefined` on an inbound connection.
   */
  outbound: { async: boolean; full: boolean } | undefined;
  /** An outbound connection's first command has been read (FreeSWITCH never answers it unless it is `connect`). */
  firstCommandRead = false;
  /** Replies are swallowed (the first command of an outbound connection). */
  muted = false;
  /** `LFLAG_CONNECTED`: an outbound connection's `connect` has been read. */
  connected = false;
  /** Runs once, when `connect` is read (the async `socket` application then parks the channel). */
  onConnect: (() => void) | undefined;
  /** `linger [n]`: seconds, -1 for "until the client closes"; `undefined` when not lingering. */
  lingerSeconds: number | undefined;
  /** The socket is gone or going. */
  closed = false;
  /** The controlled channel hung up (linger notice sent or connection closing). */
  sessionEnded = false;
  /** Commands waiting to be processed (while held or delayed). */
  readonly inbox: QueuedCommand[] = [];
  /** Processing a delayed command. */
  busy = false;
  private gate = 0;
  private readonly held: string[] = [];
  private closeAfterFlush: { notice?: boolean } | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    /** The connection's socket. */
    readonly socket: Socket,
  ) {
    this.remoteAddress = socket.remoteAddress ?? '';
  }

  /** Writes bytes now, unless the socket is gone (replies are never held). */
  write(bytes: string | Buffer): void {
    if (!this.closed && !this.socket.destroyed) this.socket.write(bytes);
  }

  /** Writes output that waits while the connection is busy (events, log lines). */
  writeQueued(bytes: string): void {
    if (this.gate > 0) this.held.push(bytes);
    else this.write(bytes);
  }

  /** Holds queued output until the matching {@link SimulatedListener.release}. */
  hold(): void {
    this.gate++;
  }

  /** Releases one {@link SimulatedListener.hold}; at zero, flushes what was held, in order. */
  release(): void {
    if (this.gate > 0 && --this.gate === 0) {
      for (const bytes of this.held.splice(0)) this.write(bytes);
      if (this.closeAfterFlush) this.close(this.closeAfterFlush);
    }
  }

  /** Closes once the queued output is out (at once when nothing holds it). */
  closeWhenFlushed(options: { notice?: boolean } = {}): void {
    if (this.gate > 0) this.closeAfterFlush = options;
    else this.close(options);
  }

  /** Runs `fn` the way FreeSWITCH runs `api`: this connection's events wait until it returns. */
  blocking(fn: () => void): void {
    this.hold();
    try {
      fn();
    } finally {
      this.release();
    }
  }

  /** Whether `event_handler` in mod_event_socket.c would queue `event` for this connection. */
  wants(event: SimulatedEvent): boolean {
    if (!this.authed || this.closed || !this.eventsEnabled) return false;
    let send =
      this.allEvents ||
      (this.events.has(event.name) && (event.name !== 'CUSTOM' || event.subclass === undefined || this.subclasses.has(event.subclass)));
    if (send && this.filters.length > 0) send = this.passesFilters(event);
    if (send && this.myEvents) {
      const uuid = headerOf(event.headers, 'unique-id');
      send = uuid !== undefined && (this.sessionUuid === undefined || uuid === this.sessionUuid);
    }
    return send;
  }

  /** Serialises and queues an event in this connection's format, if it wants it. */
  offer(event: SimulatedEvent): boolean {
    if (!this.wants(event)) return false;
    this.writeQueued(eventFrame(this.format, serializeEvent(this.format, event.headers, event.body)));
    return true;
  }

  /** Subscribes to every known event (`event ALL`). */
  subscribeAll(): void {
    this.allEvents = true;
    for (const name of EVENT_NAMES) this.events.add(name);
  }

  /** Forgets every subscription (`noevents`). */
  clearEvents(): void {
    this.eventsEnabled = false;
    this.allEvents = false;
    this.events.clear();
    this.subclasses.clear();
  }

  /** Schedules `fn` for this connection; cancelled when it closes. */
  later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }

  /** Closes: optionally FreeSWITCH's disconnect notice first, then a clean end (or a reset). */
  close(options: { notice?: boolean; abrupt?: boolean } = {}): void {
    if (this.closed) return;
    if (options.notice) this.write(disconnectNoticeFrame(this.sessionUuid === undefined ? {} : { sessionUuid: this.sessionUuid }));
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.inbox.length = 0;
    this.held.length = 0;
    if (options.abrupt) this.socket.destroy();
    else this.socket.end(() => this.socket.destroy());
  }

  /** mod_event_socket's filter loop: `+`/`-` prefixes, `/regex/`, case-insensitive equality. */
  private passesFilters(event: SimulatedEvent): boolean {
    let send = false;
    for (const [name, value] of this.filters) {
      const actual = headerOf(event.headers, name);
      if (actual === undefined) continue;
      let i = 0;
      let positive = true;
      for (; i < value.length; i++) {
        const c = value[i];
        if (c === '+') positive = true;
        else if (c === '-') positive = false;
        else if (c !== ' ') break;
      }
      if (send && positive) continue;
      const wanted = value.slice(i);
      const match = value.startsWith('/') ? regexMatch(actual, wanted) : actual.toLowerCase() === wanted.toLowerCase();
      if (!match) continue;
      if (!positive) return false;
      send = true;
    }
    return send;
  }
}
