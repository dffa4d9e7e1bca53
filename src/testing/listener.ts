import type { Socket } from 'node:net';
import type { EventFormat } from '../esl/event.js';
import { eventFrame, serializeEvent } from '../esl/event-serializer.js';
import type { HeaderPairs } from './event-factory.js';

/** An event the simulator fires: headers in wire order and an optional body. */
export interface SimulatedEvent {
  headers: HeaderPairs;
  body?: string;
}

function header(event: SimulatedEvent, name: string): string | undefined {
  for (const [k, v] of event.headers) if (k === name) return v;
  return undefined;
}

/**
 * One Event Socket connection as mod_event_socket sees it: authentication, event format,
 * subscriptions (`event`), `CUSTOM` subclasses, filters, log level.
 */
export class SimulatedListener {
  authed = false;
  format: EventFormat = 'plain';
  readonly events = new Set<string>();
  readonly subclasses = new Set<string>();
  readonly filters: [string, string][] = [];
  logLevel: number | undefined;
  /** `myevents <uuid>`: only that channel's events. */
  myUuid: string | undefined;
  closed = false;
  private held: SimulatedEvent[] | undefined;

  constructor(readonly socket: Socket) {}

  /**
   * Runs `fn` the way mod_event_socket runs an `api` command: inside the listener thread, so
   * this connection's events queue up and go out after the reply `fn` writes.
   */
  blocking(fn: () => void): void {
    this.held = [];
    try {
      fn();
    } finally {
      const held = this.held;
      this.held = undefined;
      for (const e of held) this.deliver(e);
    }
  }

  /** Whether `event_handler` in mod_event_socket.c would queue `event` for this listener. */
  wants(event: SimulatedEvent): boolean {
    if (!this.authed || this.closed) return false;
    const name = header(event, 'Event-Name') ?? '';
    let send = this.events.has('ALL');
    if (!send && this.events.has(name)) {
      const subclass = header(event, 'Event-Subclass');
      send = name !== 'CUSTOM' || subclass === undefined || this.subclasses.has(subclass);
    }
    if (send && this.myUuid !== undefined) send = header(event, 'Unique-ID') === this.myUuid;
    if (send && this.filters.length > 0) send = this.filters.some(([h, v]) => header(event, h) === v);
    return send;
  }

  /** Writes raw bytes unless the socket is gone. */
  write(bytes: string): void {
    if (!this.closed && !this.socket.destroyed) this.socket.write(bytes);
  }

  /** Serialises and writes an event in this listener's format. */
  deliver(event: SimulatedEvent): void {
    if (this.held) {
      this.held.push(event);
      return;
    }
    this.write(eventFrame(this.format, serializeEvent(this.format, event.headers, event.body)));
  }
}
