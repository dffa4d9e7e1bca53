/**
 * The switch behind the simulated sockets: channels, their applications and their events, in
 * the order the recordings show (`CHANNEL_EXECUTE` .. `CHANNEL_EXECUTE_COMPLETE`, the hangup
 * sequence of both loopback legs, `CHANNEL_DESTROY`).
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { UnicastParams } from './unicast-media.js';
import { type ChannelInit, type RunningApp, SimulatedChannel } from './channel-model.js';
import { writeCdrVariables } from './channel-records.js';
import {
  type CallingSite,
  CALLING_SITES,
  EventFactory,
  EVENTS_WITH_VARIABLES,
  type HeaderPairs,
  nowMicros,
  type SwitchIdentity,
} from './event-templates.js';
import { type ClockTimer, realClock, type SimulatorClock } from './simulator-clock.js';

/** An event the simulated switch fires: headers in wire order and an optional body. */
export interface SimulatedEvent {
  /** `Event-Name`. */
  name: string;
  /** `Event-Subclass` of a `CUSTOM` event. */
  subclass?: string;
  /** Every header in wire order, the base block first. */
  headers: HeaderPairs;
  /** The event's own body (a `BACKGROUND_JOB` result, a `sendevent` body). */
  body?: string;
}

/** Where fired events go (the simulator fans them out to its connections). */
export type EventSink = (event: SimulatedEvent) => void;

/** One step of a simulated dialplan extension. */
export interface DialplanStep {
  /** Application name, e.g. `answer`. */
  app: string;
  /** Its argument. */
  data?: string;
}

/**
 * What a call to `destination` in `context` runs; `undefined` means no route. `channel` is
 * absent when the simulator only asks whether a route exists (before creating a loopback call).
 */
export type Dialplan = (call: { destination: string; context: string; channel?: SimulatedChannel }) => DialplanStep[] | undefined;

/** The default dialplan: contexts `default` and `public` answer and park every number. */
export const defaultDialplan: Dialplan = ({ context }) =>
  context === 'default' || context === 'public' ? [{ app: 'answer' }, { app: 'park' }] : undefined;

/** What a simulated application does. `durationMs: Infinity` runs until broken or hung up. */
export interface ApplicationResult {
  /** How long it runs; 0 or absent: it completes at once. */
  durationMs?: number;
  /** `Application-Response` of its `CHANNEL_EXECUTE_COMPLETE` when it ends normally. */
  response?: string;
  /** Called when it ends (normally, `uuid_break`, hangup); may set variables; returns the response. */
  onEnd?: (how: 'done' | 'break' | 'hangup') => string | undefined;
  /**
   * A DTMF digit arrived while it runs (the innermost application hears it, after the `DTMF`
   * event): return `true` to end it as broken (a playback's terminator).
   */
  onDtmf?: (digit: string) => boolean;
  /**
   * `uuid_break` (`all`: `uuid_break <uuid> all`): return `false` to keep running (a
   * `file_string://` playback moves to its next file); absent or `true`, it ends as broken.
   */
  onBreak?: (all: boolean) => boolean;
}

/** Runs a (custom) application; may call the core (set variables, fire events, hang up). */
export type ApplicationHandler = (ctx: {
  channel: SimulatedChannel;
  data: string;
  core: SwitchCore;
  /** `Application-UUID` of this execution (for {@link SwitchCore.finishApp}). */
  appUuid: string;
}) => ApplicationResult | void;

/** Options of {@link SwitchCore}. */
export interface SwitchCoreOptions {
  /** Core-UUID, host names and addresses the events report. */
  identity?: SwitchIdentity;
  /** What calls run; default {@link defaultDialplan}. */
  dialplan?: Dialplan;
  /**
   * The applications channels run besides `park` and `hangup` (the core's own). The simulator
   * passes {@link BUILTIN_APPLICATIONS} (`answer`, `playback`, `sleep`, ...) with yours over
   * them; a core built alone runs only what is given here. An unknown application completes at
   * once with `_none_`. Default: none.
   */
  applications?: Record<string, ApplicationHandler>;
  /** The time timed applications run on (default: the real clock). */
  clock?: SimulatorClock;
}

/** Channels, applications and the events they fire. */
export class SwitchCore {
  /** Live channels by uuid. */
  readonly channels = new Map<string, SimulatedChannel>();
  /** Stamps events (Core-UUID, `Event-Sequence`). */
  readonly factory: EventFactory;
  /** Global variables (`global_getvar`, `eval ${...}`). */
  readonly globals = new Map<string, string>();
  /** What calls run. */
  readonly dialplan: Dialplan;
  /** Starts FreeSWITCH's `unicast` on a channel (set by the simulator, which owns the sockets). */
  unicastHandler: ((channel: SimulatedChannel, params: UnicastParams) => void) | undefined;
  /** Sessions created since start, and the most at once (for `status`). */
  sessionsSinceStart = 0;
  /** The most sessions at once. */
  peakSessions = 0;
  /** When the switch (re)started, ms since the epoch. */
  startedAt = Date.now();
  /** The time timed applications run on. */
  readonly clock: SimulatorClock;
  private readonly applications: Record<string, ApplicationHandler>;
  private readonly scripts = new Map<string, DialplanStep[]>();
  private readonly timers = new Set<ClockTimer>();
  /** Shut down: nothing is scheduled until {@link SwitchCore.restart}. */
  private halted = false;

  constructor(
    private readonly sink: EventSink,
    options: SwitchCoreOptions = {},
  ) {
    this.factory = new EventFactory(options.identity);
    this.dialplan = options.dialplan ?? defaultDialplan;
    this.clock = options.clock ?? realClock;
    this.applications = { ...options.applications };
    this.globals.set('hostname', this.factory.hostname);
    this.globals.set('switchname', this.factory.switchname);
    this.globals.set('local_ip_v4', this.factory.ipv4);
    this.globals.set('local_ip_v6', this.factory.ipv6);
    this.globals.set('core_uuid', this.factory.coreUuid);
  }

  /** Fires an event: the base headers, then `headers`. */
  fire(name: string, headers: HeaderPairs = [], body?: string, site?: CallingSite): SimulatedEvent {
    const all = [...this.factory.prep(name, site ?? CALLING_SITES[name]), ...headers];
    const subclass = name === 'CUSTOM' ? all.find(([k]) => k === 'Event-Subclass')?.[1] : undefined;
    const event: SimulatedEvent = { name, headers: all, ...(subclass !== undefined && { subclass }), ...(body !== undefined && { body }) };
    this.sink(event);
    return event;
  }

  /**
   * Fires a channel event: base headers, `top`, the channel's data, `bottom`. The channel's
   * variables are in it when the event is one of {@link EVENTS_WITH_VARIABLES} or the channel
   * asked for verbose events (unless `variables` says otherwise).
   */
  channelEvent(name: string, channel: SimulatedChannel, parts: { top?: HeaderPairs; bottom?: HeaderPairs; variables?: boolean } = {}): void {
    const variables = parts.variables ?? (channel.verboseEvents || EVENTS_WITH_VARIABLES.has(name));
    this.fire(name, [...(parts.top ?? []), ...channel.eventHeaders(variables), ...(parts.bottom ?? [])]);
  }

  /** Adds a channel and fires `CHANNEL_CREATE`. */
  createChannel(init: Omit<ChannelInit, 'sessionId'>): SimulatedChannel {
    const channel = new SimulatedChannel({ ...init, sessionId: ++this.sessionsSinceStart });
    this.channels.set(channel.uuid, channel);
    this.peakSessions = Math.max(this.peakSessions, this.channels.size);
    this.channelEvent('CHANNEL_CREATE', channel);
    return channel;
  }

  /** Answers a channel (a loopback `-b` leg answers its `-a` leg first, as mod_loopback does). */
  answer(channel: SimulatedChannel): void {
    if (channel.answered || channel.isDown) return;
    const partner = channel.partner === undefined ? undefined : this.channels.get(channel.partner);
    if (partner && channel.variables.get('loopback_leg') === 'B' && !partner.answered) this.answer(partner);
    channel.answeredMicros = nowMicros();
    const aLeg = channel.variables.get('loopback_leg') === 'A';
    if (aLeg) channel.runningState = channel.state = 'CS_CONSUME_MEDIA';
    this.channelEvent('CHANNEL_ANSWER', channel);
    // The call state follows the answer (the recorded CHANNEL_ANSWER still says RINGING / DOWN).
    if (!aLeg) channel.callState = 'ACTIVE';
    // switch_channel_perform_mark_answered, after the event, for every channel.
    channel.setVariable('endpoint_disposition', 'ANSWER');
  }

  /** Runs `steps` on a channel, one after the other; the channel hangs up when they end. */
  runScript(channel: SimulatedChannel, steps: DialplanStep[]): void {
    this.scripts.set(channel.uuid, [...steps]);
    channel.setVariable('call_uuid', channel.variables.get('call_uuid') ?? channel.uuid);
    channel.runningState = channel.state = 'CS_EXECUTE';
    if (channel.direction === 'inbound' && !channel.answered) channel.callState = 'RINGING';
    this.advance(channel);
  }

  /**
   * Executes an application (`sendmsg execute`, `uuid_broadcast`). With `eventLock` it waits for
   * the application in progress; without, it runs at once, nested in it (as FreeSWITCH does).
   */
  execute(channel: SimulatedChannel, name: string, data = '', uuid: string = randomUUID(), eventLock = false, loop?: RunningApp['loop']): void {
    if (channel.isDown) return;
    const app: RunningApp = { name, data, uuid, ...(loop && { loop }) };
    const current = channel.currentApp;
    if (eventLock && current !== undefined && !parks(current)) channel.pending.push(app);
    else this.start(channel, app);
  }

  /**
   * What a `sendmsg execute` (or `uuid_broadcast`) does: sets `current_loop` / `total_loops` and
   * executes the application `loops` times (one after the other).
   */
  executeMessage(channel: SimulatedChannel, name: string, data = '', options: { uuid?: string; eventLock?: boolean; loops?: number } = {}): void {
    const total = Math.max(1, options.loops ?? 1);
    for (let index = 1; index <= total; index++) {
      this.execute(channel, name, data, options.uuid, options.eventLock === true || index > 1, { index, total });
    }
  }

  /**
   * `uuid_break`: breaks the innermost application that is not `park` (it completes, unless it
   * handles the break itself); `all` also drops the applications queued behind it.
   */
  breakApp(channel: SimulatedChannel, all = false): void {
    if (all) channel.pending.length = 0;
    const app = this.innermost(channel);
    if (app && (app.onBreak?.(all) ?? true)) this.complete(channel, app, 'break');
  }

  /**
   * The caller pressed a key: the `DTMF` event (basic data and caller profile, no variables, as
   * recorded), then the application in progress hears it — a playback whose terminator it is
   * ends (see {@link ApplicationResult.onDtmf}).
   */
  receiveDtmf(channel: SimulatedChannel, digit: string, durationSamples = 2000): void {
    if (channel.isDown) return;
    // switch_channel_dequeue_dtmf logs the digit (digits_dialed) as it fires the event.
    channel.dtmfLog.push(digit);
    this.channelEvent('DTMF', channel, {
      bottom: [['DTMF-Digit', digit], ['DTMF-Duration', String(durationSamples)], ['DTMF-Source', 'UNKNOWN']],
    });
    const app = this.innermost(channel);
    if (app?.onDtmf?.(digit) && channel.running.includes(app)) this.complete(channel, app, 'break');
  }

  /** Completes a running application (e.g. `socket` when its connection closes); false when it is not running. */
  finishApp(channel: SimulatedChannel, appUuid: string, how: 'done' | 'break' = 'done'): boolean {
    const app = channel.running.find((a) => a.uuid === appUuid);
    if (app === undefined || channel.isDown || this.halted) return false;
    this.complete(channel, app, how);
    return true;
  }

  /**
   * `switch_ivr_park` for the running application `appUuid` (`park`, or an async `socket` once its
   * connection said `connect`): refused (`false`) when the channel is already controlled —
   * "Cannot park channels that are under control already" — otherwise `CHANNEL_PARK` fires and
   * the application holds the channel until it ends, when `CHANNEL_UNPARK` fires just before its
   * `CHANNEL_EXECUTE_COMPLETE` (applications run inside the park end first).
   */
  park(channel: SimulatedChannel, appUuid: string): boolean {
    const app = channel.running.find((a) => a.uuid === appUuid);
    if (app === undefined || channel.isDown || channel.running.some((a) => a.parked)) return false;
    app.parked = true;
    this.channelEvent('CHANNEL_PARK', channel);
    return true;
  }

  /** Leaves `park` (and whatever runs in it) without hanging up: transfer, bridge. */
  unpark(channel: SimulatedChannel): void {
    for (const app of [...channel.running].reverse()) this.complete(channel, app, 'break', false);
  }

  /** Hangs a channel up with the full event sequence; a loopback partner follows. */
  hangup(channel: SimulatedChannel, cause = 'NORMAL_CLEARING'): void {
    if (channel.isDown) return;
    const partner = channel.partner === undefined ? undefined : this.channels.get(channel.partner);
    this.beginHangup(channel, cause);
    const follow = partner !== undefined && !partner.isDown ? partner : undefined;
    if (follow) {
      follow.hangupCause = cause;
      follow.state = 'CS_HANGUP';
      this.channelEvent('CHANNEL_HANGUP', follow);
    }
    this.finishHangup(channel);
    if (follow) {
      this.stopApps(follow);
      this.setState(follow, 'CS_HANGUP');
      this.finishHangup(follow);
    }
    this.destroy(channel);
    if (follow) this.destroy(follow);
  }

  /**
   * Schedules `fn` `ms` from now on the switch's clock (cancelled by {@link SwitchCore.cancel} and
   * {@link SwitchCore.shutdown}). After a shutdown nothing is scheduled: `undefined`.
   */
  later(ms: number, fn: () => void): ClockTimer | undefined {
    if (this.halted) return undefined;
    const timer = this.clock.setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
    return timer;
  }

  /** Cancels a timer of {@link SwitchCore.later}. */
  cancel(timer: ClockTimer | undefined): void {
    if (timer === undefined || !this.timers.delete(timer)) return;
    this.clock.clearTimeout(timer);
  }

  /** Cancels every timer and forgets every channel, silently (the switch stops). */
  shutdown(): void {
    this.halted = true;
    for (const t of this.timers) this.clock.clearTimeout(t);
    this.timers.clear();
    this.channels.clear();
    this.scripts.clear();
  }

  /** A fresh start after {@link SwitchCore.shutdown}: new Core-UUID (unless fixed), counters at zero. */
  restart(): void {
    this.shutdown();
    this.factory.restart();
    this.globals.set('core_uuid', this.factory.coreUuid);
    this.sessionsSinceStart = 0;
    this.peakSessions = 0;
    this.startedAt = Date.now();
    this.halted = false;
  }

  private start(channel: SimulatedChannel, app: RunningApp): void {
    channel.running.push(app);
    if (app.loop) {
      channel.setVariable('current_loop', String(app.loop.index));
      channel.setVariable('total_loops', String(app.loop.total));
    }
    // switch_core_session_exec: the application, its data, no response yet (an earlier
    // application's response is gone: `set` after a playback completes with `_none_`), the
    // CHANNEL_EXECUTE event, then the application's name once more (so it moves after its data).
    channel.setVariable('current_application', app.name);
    channel.setVariable('current_application_data', app.data || undefined);
    channel.setVariable('current_application_response', undefined);
    const appHeaders: HeaderPairs = [['Application', app.name]];
    if (app.data) appHeaders.push(['Application-Data', app.data]);
    this.channelEvent('CHANNEL_EXECUTE', channel, { bottom: [...appHeaders, ['Application-UUID', app.uuid]] });
    channel.setVariable('current_application', app.name);
    if (app.name === 'hangup') return this.hangup(channel, app.data || 'NORMAL_CLEARING');
    if (app.name === 'park') {
      // switch_ivr_park refuses a channel that is already controlled: a park inside a park, or
      // inside an async `socket` (which parks the channel itself), completes at once —
      // outbound-unicast-native.json shows it.
      channel.runningState = channel.state = 'CS_EXECUTE';
      if (!this.park(channel, app.uuid)) this.complete(channel, app, 'done');
      return;
    }
    const result = this.applications[app.name]?.({ channel, data: app.data, core: this, appUuid: app.uuid }) ?? {};
    app.onEnd = (how) => result.onEnd?.(how) ?? (how === 'done' ? result.response : undefined);
    if (result.onDtmf) app.onDtmf = result.onDtmf;
    if (result.onBreak) app.onBreak = result.onBreak;
    if (channel.isDown || !channel.running.includes(app)) return;
    const duration = result.durationMs ?? 0;
    if (duration <= 0) return this.complete(channel, app, 'done');
    if (Number.isFinite(duration)) app.timer = this.later(duration, () => this.complete(channel, app, 'done'));
  }

  private complete(channel: SimulatedChannel, app: RunningApp, how: 'done' | 'break' | 'hangup', advance = true): void {
    const i = channel.running.indexOf(app);
    if (i === -1) return;
    channel.running.splice(i, 1);
    this.cancel(app.timer);
    // switch_ivr_park fires CHANNEL_UNPARK as it returns, before the application completes.
    if (app.parked) this.channelEvent('CHANNEL_UNPARK', channel);
    const response = app.onEnd?.(how);
    if (response !== undefined) channel.setVariable('current_application_response', response);
    const bottom: HeaderPairs = [['Application', app.name]];
    if (app.data) bottom.push(['Application-Data', app.data]);
    bottom.push(['Application-Response', channel.variables.get('current_application_response') ?? '_none_'], ['Application-UUID', app.uuid]);
    this.channelEvent('CHANNEL_EXECUTE_COMPLETE', channel, { bottom });
    if (app.loop) {
      channel.setVariable('current_loop', undefined);
      channel.setVariable('total_loops', undefined);
    }
    if (advance) this.advance(channel);
  }

  /** Runs what comes next: a queued application, the next dialplan step, or the end of the call. */
  private advance(channel: SimulatedChannel): void {
    if (channel.isDown || channel.running.some((a) => !parks(a))) return;
    const queued = channel.pending.shift();
    if (queued) return this.start(channel, queued);
    if (channel.running.length > 0) return;
    const script = this.scripts.get(channel.uuid);
    if (script === undefined) return;
    const step = script.shift();
    if (step) return this.start(channel, { name: step.app, data: step.data ?? '', uuid: randomUUID() });
    this.hangup(channel, 'NORMAL_CLEARING');
  }

  /** The innermost running application that is not `park` (nor an async `socket`). */
  private innermost(channel: SimulatedChannel): RunningApp | undefined {
    for (let i = channel.running.length - 1; i >= 0; i--) if (!parks(channel.running[i]!)) return channel.running[i];
    return undefined;
  }

  private stopApps(channel: SimulatedChannel): void {
    channel.pending.length = 0;
    for (const app of [...channel.running].reverse()) this.complete(channel, app, 'hangup', false);
  }

  private setState(channel: SimulatedChannel, state: 'CS_HANGUP' | 'CS_REPORTING' | 'CS_DESTROY'): void {
    channel.runningState = channel.state = state;
    this.channelEvent('CHANNEL_STATE', channel);
  }

  private beginHangup(channel: SimulatedChannel, cause: string): void {
    channel.hangupCause = cause;
    channel.state = 'CS_HANGUP';
    this.channelEvent('CHANNEL_HANGUP', channel);
    this.stopApps(channel);
    this.setState(channel, 'CS_HANGUP');
  }

  private finishHangup(channel: SimulatedChannel): void {
    // switch_core_session_hangup_state stamps the hangup time (the events up to CHANNEL_STATE
    // CS_HANGUP still say Caller-Channel-Hangup-Time: 0), then the CDR variables, then HANGUP.
    channel.hangupMicros = nowMicros();
    channel.callState = 'HANGUP';
    writeCdrVariables(channel);
    this.setState(channel, 'CS_REPORTING');
    this.channelEvent('CHANNEL_HANGUP_COMPLETE', channel, { top: [['Hangup-Cause', channel.hangupCause ?? 'NORMAL_CLEARING']] });
  }

  private destroy(channel: SimulatedChannel): void {
    channel.runningState = channel.state = 'CS_DESTROY';
    channel.destroyed = true;
    this.channelEvent('CHANNEL_DESTROY', channel);
    this.channels.delete(channel.uuid);
    this.scripts.delete(channel.uuid);
  }
}

/**
 * `park`, and `socket` in async mode (mod_event_socket parks the channel while the socket
 * controls it): applications sent meanwhile run at once, inside it, `event-lock` or not.
 */
function parks(app: RunningApp): boolean {
  return app.name === 'park' || app.name === 'socket';
}
