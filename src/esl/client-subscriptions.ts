/**
 * What an inbound client asks FreeSWITCH to send it: event subscriptions, filters and the log
 * level. Each command is sent, and only once FreeSWITCH accepted it is it recorded in the
 * {@link SessionState} a reconnect restores.
 *
 * @module
 */
import {
  type EventSubscriptionFormat,
  type LogLevel,
  assertSingleLine,
  buildCommand,
  filterCommand,
  filterDeleteCommand,
  logCommand,
  nixeventCommand,
} from './commands.js';
import type { CommandOptions } from './connection.js';
import type { EslReply } from './reply.js';
import { SessionState } from './session-state.js';

/** Sends the command `build` serialises; rejects when it throws or FreeSWITCH refuses it. */
export type ExpectOk = (build: () => string, options?: CommandOptions) => Promise<EslReply>;

/** `'A B'` or `['A', 'B']` as a list; a line end in the string form is refused, not taken for a separator. */
function splitNames(names: string | readonly string[]): readonly string[] {
  return typeof names === 'string' ? assertSingleLine(names, 'events').split(/\s+/).filter(Boolean) : names;
}

/**
 * The subscription commands of {@link AsyncESLClient} (`event`, `nixevent`, `noevents`,
 * `filter`, `filter delete`, `log`, `nolog`) over the session state they keep, and the
 * subscription `bgapi` results need.
 */
export class ClientSubscriptions {
  /** What this client asked for; restored after a reconnect. */
  readonly session = new SessionState();
  private jobEventsReady: Promise<void> | undefined;

  constructor(private readonly expectOk: ExpectOk) {}

  /** See {@link AsyncESLClient.subscribe}. */
  async subscribe(names: string | readonly string[], format?: EventSubscriptionFormat, options?: CommandOptions): Promise<void> {
    const list = splitNames(names);
    const fmt = format ?? this.session.format;
    await this.expectOk(() => SessionState.subscribeCommand(fmt, list), options);
    this.session.format = fmt;
    const { events, subclasses } = SessionState.split(list);
    for (const e of events) this.session.events.add(e);
    for (const s of subclasses) this.session.subclasses.add(s);
  }

  /** See {@link AsyncESLClient.unsubscribe}. */
  async unsubscribe(names: string | readonly string[], options?: CommandOptions): Promise<void> {
    const list = splitNames(names);
    await this.expectOk(() => nixeventCommand(list), options);
    for (const n of list) {
      this.session.events.delete(n);
      this.session.subclasses.delete(n);
    }
    this.jobEventsReady = undefined;
  }

  /** See {@link AsyncESLClient.noevents}. */
  async noevents(options?: CommandOptions): Promise<void> {
    await this.expectOk(() => buildCommand('noevents'), options);
    this.session.events.clear();
    this.session.subclasses.clear();
    this.jobEventsReady = undefined;
  }

  /** See {@link AsyncESLClient.filter}. */
  async filter(header: string, value: string, options?: CommandOptions): Promise<void> {
    await this.expectOk(() => filterCommand(header, value), options);
    this.session.filters.push([header, value]);
    this.jobEventsReady = undefined;
  }

  /** See {@link AsyncESLClient.filterDelete}. */
  async filterDelete(header: string, value?: string, options?: CommandOptions): Promise<void> {
    await this.expectOk(() => filterDeleteCommand(header, value), options);
    const f = this.session.filters;
    for (let i = f.length - 1; i >= 0; i--) if (f[i]![0] === header && (value === undefined || f[i]![1] === value)) f.splice(i, 1);
  }

  /** See {@link AsyncESLClient.log}. */
  async log(level: LogLevel, options?: CommandOptions): Promise<void> {
    await this.expectOk(() => logCommand(level), options);
    this.session.logLevel = level;
  }

  /** See {@link AsyncESLClient.nolog}. */
  async nolog(options?: CommandOptions): Promise<void> {
    await this.expectOk(() => buildCommand('nolog'), options);
    this.session.logLevel = undefined;
  }

  /** Makes sure `BACKGROUND_JOB` events reach us (subscription, and a filter when filters are on). */
  ensureJobEvents(): Promise<void> {
    if (this.jobEventsReady) return this.jobEventsReady;
    const needsFilter = this.session.filters.length > 0 && !this.session.filters.some(([h, v]) => h === 'Event-Name' && v === 'BACKGROUND_JOB');
    const steps: Promise<unknown>[] = [];
    if (!this.session.isSubscribed('BACKGROUND_JOB')) steps.push(this.subscribe(['BACKGROUND_JOB']));
    if (needsFilter) steps.push(this.filter('Event-Name', 'BACKGROUND_JOB'));
    const ready = Promise.all(steps).then(() => undefined);
    this.jobEventsReady = ready;
    ready.catch(() => {
      if (this.jobEventsReady === ready) this.jobEventsReady = undefined;
    });
    return ready;
  }
}
