import {
  type EventSubscriptionFormat,
  type LogLevel,
  eventCommand,
  filterCommand,
  logCommand,
} from './commands.js';

/**
 * What a connection has asked FreeSWITCH for (event subscriptions, filters, log level), kept
 * so that a reconnect can ask again and handlers keep receiving events after a restart.
 */
export class SessionState {
  /** The event format of the connection (FreeSWITCH has one per listener). */
  format: EventSubscriptionFormat = 'plain';
  /** Event names, including `ALL`. */
  readonly events = new Set<string>();
  /** `CUSTOM` subclasses (`sofia::register`). */
  readonly subclasses = new Set<string>();
  /** Filters as `[header, value]`, in the order they were added. */
  readonly filters: [string, string][] = [];
  /** `log` level, if logging is on. */
  logLevel: LogLevel | undefined;

  /** Splits names into event names and `CUSTOM` subclasses (those containing `::`). */
  static split(names: readonly string[]): { events: string[]; subclasses: string[] } {
    const events: string[] = [];
    const subclasses: string[] = [];
    for (const n of names) (n.includes('::') ? subclasses : events).push(n);
    return { events, subclasses };
  }

  /** Whether events named `name` are subscribed. */
  isSubscribed(name: string): boolean {
    return this.events.has('ALL') || this.events.has(name);
  }

  /** The `event` command for a set of names (plain names first, then `CUSTOM` and its subclasses). */
  static subscribeCommand(format: EventSubscriptionFormat, names: readonly string[]): string {
    const { events, subclasses } = SessionState.split(names);
    const list = events.filter((e) => e !== 'CUSTOM');
    if (subclasses.length > 0 || events.includes('CUSTOM')) list.push('CUSTOM', ...subclasses);
    return eventCommand(format, list);
  }

  /** The commands that bring a fresh connection back to this state, in order. */
  restoreCommands(): string[] {
    const out: string[] = [];
    if (this.events.size > 0 || this.subclasses.size > 0) {
      out.push(SessionState.subscribeCommand(this.format, [...this.events, ...this.subclasses]));
    }
    for (const [header, value] of this.filters) out.push(filterCommand(header, value));
    if (this.logLevel !== undefined) out.push(logCommand(this.logLevel));
    return out;
  }

  /** Forgets everything (`noevents` + `filter delete all` + `nolog`). */
  clear(): void {
    this.events.clear();
    this.subclasses.clear();
    this.filters.length = 0;
    this.logLevel = undefined;
  }
}
