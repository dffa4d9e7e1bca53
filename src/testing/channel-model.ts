/**
 * One simulated channel: caller profile, variables, states and timestamps, written into events
 * with the header sets and order of the recordings (`switch_channel_event_set_data`).
 *
 * @module
 */
import { type HeaderPairs, nowMicros } from './event-templates.js';

/** FreeSWITCH channel states, in enum order (`Channel-State-Number` is the index). */
export const CHANNEL_STATES = [
  'CS_NEW', 'CS_INIT', 'CS_ROUTING', 'CS_SOFT_EXECUTE', 'CS_EXECUTE', 'CS_EXCHANGE_MEDIA', 'CS_PARK',
  'CS_CONSUME_MEDIA', 'CS_HIBERNATE', 'CS_RESET', 'CS_HANGUP', 'CS_REPORTING', 'CS_DESTROY',
] as const;

/** A channel state name, e.g. `CS_EXECUTE`. */
export type ChannelStateName = (typeof CHANNEL_STATES)[number];

/** `Channel-Call-State` values. */
export type CallStateName = 'DOWN' | 'DIALING' | 'RINGING' | 'EARLY' | 'ACTIVE' | 'HELD' | 'HANGUP';

/** Q.850 codes of the hangup causes tests use most (`hangup_cause_q850`). */
export const Q850: Readonly<Record<string, number>> = {
  UNALLOCATED_NUMBER: 1, NO_ROUTE_DESTINATION: 3, NORMAL_CLEARING: 16, USER_BUSY: 17, NO_USER_RESPONSE: 18,
  NO_ANSWER: 19, SUBSCRIBER_ABSENT: 20, CALL_REJECTED: 21, DESTINATION_OUT_OF_ORDER: 27, INVALID_NUMBER_FORMAT: 28,
  NORMAL_UNSPECIFIED: 31, NORMAL_CIRCUIT_CONGESTION: 34, NORMAL_TEMPORARY_FAILURE: 41, RECOVERY_ON_TIMER_EXPIRE: 102,
  ORIGINATOR_CANCEL: 487, LOSE_RACE: 502, MANAGER_REQUEST: 503, ALLOTTED_TIMEOUT: 602,
};

/** The caller profile (`Caller-*` headers). Fields left undefined are not written. */
export interface CallerProfile {
  /** `Caller-Username`. */
  username?: string;
  /** `Caller-Dialplan`, e.g. `XML`. */
  dialplan: string;
  /** `Caller-Caller-ID-Name`. */
  callerIdName?: string;
  /** `Caller-Caller-ID-Number`. */
  callerIdNumber?: string;
  /** `Caller-Orig-Caller-ID-Name`. */
  origCallerIdName?: string;
  /** `Caller-Orig-Caller-ID-Number`. */
  origCallerIdNumber?: string;
  /** `Caller-Callee-ID-Name`. */
  calleeIdName?: string;
  /** `Caller-Callee-ID-Number`. */
  calleeIdNumber?: string;
  /** `Caller-Network-Addr`. */
  networkAddr?: string;
  /** `Caller-ANI`. */
  ani?: string;
  /** `Caller-Destination-Number`. */
  destinationNumber: string;
  /** `Caller-Source`, e.g. `mod_sofia`. */
  source: string;
  /** `Caller-Transfer-Source`. */
  transferSource?: string;
  /** `Caller-Context`. */
  context: string;
  /** `Caller-RDNIS`. */
  rdnis?: string;
  /** `Caller-Profile-Index`. */
  profileIndex: number;
}

/** An application running (or waiting to run) on a channel. */
export interface RunningApp {
  /** Application name, e.g. `playback`. */
  name: string;
  /** Its argument (`Application-Data`). */
  data: string;
  /** `Application-UUID`: the `Event-UUID` of the `sendmsg` that asked for it, or a random one. */
  uuid: string;
  /** Completes a timed application (a timer of the switch's clock). */
  timer?: unknown;
  /**
   * In `switch_ivr_park`'s loop (a `park`, or an async `socket` once connected): the channel is
   * controlled; `CHANNEL_UNPARK` fires when it ends.
   */
  parked?: boolean;
  /** Started by a `sendmsg` / `uuid_broadcast`: its `current_loop` / `total_loops` (unset when it ends). */
  loop?: { index: number; total: number };
  /** Called when it ends (normally, broken, or by a hangup); returns its `Application-Response`. */
  onEnd?: (how: 'done' | 'break' | 'hangup') => string | undefined;
  /** Hears a DTMF digit while it is the innermost application; `true` ends it as broken. */
  onDtmf?: (digit: string) => boolean;
  /** Handles `uuid_break` itself; `false` keeps it running. */
  onBreak?: (all: boolean) => boolean;
}

/** What a simulated channel starts with. */
export interface ChannelInit {
  /** `Unique-ID`. */
  uuid: string;
  /** `Channel-Name`, e.g. `loopback/9000-a`. */
  name: string;
  /** `Call-Direction`. */
  direction: 'inbound' | 'outbound';
  /** The caller profile (dialplan `XML`, source `mod_loopback`, context `default` unless given). */
  profile: Partial<CallerProfile> & { destinationNumber: string };
  /** Codec name; default `L16` (loopback). */
  codec?: string;
  /** Sample rate; default 8000. */
  rate?: number;
  /** `variable_*` headers set at creation, in order, before the ones passed in `variables`. */
  variables?: Iterable<[string, string]>;
  /** `session_id` variable. */
  sessionId: number;
}

/** Bits per sample of the codecs the simulator knows (for `*-Codec-Bit-Rate`). */
export const BITS_PER_SAMPLE: Record<string, number> = { L16: 16, PCMU: 8, PCMA: 8, G722: 8, OPUS: 8 };

/** One simulated FreeSWITCH channel. Mutated by the switch core; read by tests. */
export class SimulatedChannel {
  /** `Unique-ID`. */
  readonly uuid: string;
  /** `Channel-Name`. */
  readonly name: string;
  /** `Call-Direction`. */
  readonly direction: 'inbound' | 'outbound';
  /** The caller profile (mutable: a transfer changes the destination). */
  readonly profile: CallerProfile;
  /** Channel variables in FreeSWITCH order: setting one moves it to the end. */
  readonly variables = new Map<string, string>();
  /** Creation time, µs since the epoch. */
  readonly createdMicros = nowMicros();
  /** Initial profile values (`initial_*` columns of `show channels`). */
  readonly initial: Readonly<CallerProfile>;
  /** `Channel-State` (the running state). */
  runningState: ChannelStateName = 'CS_INIT';
  /** The state `Channel-State-Number` reports (the one being entered). */
  state: ChannelStateName = 'CS_ROUTING';
  /** `Channel-Call-State`. */
  callState: CallStateName = 'DOWN';
  /** Answer time in µs (0: not answered). */
  answeredMicros = 0;
  /** Early media time in µs (0: none). */
  progressMediaMicros = 0;
  /** Hangup time in µs (0: up). */
  hangupMicros = 0;
  /** Last transfer time in µs. */
  transferMicros = 0;
  /** Bridge time in µs. */
  bridgedMicros = 0;
  /** `Hangup-Cause` once hanging up. */
  hangupCause: string | undefined;
  /** The other loopback leg, or the bridged channel. */
  partner: string | undefined;
  /** Whether the channel ran a dialplan (`Channel-HIT-Dialplan`). */
  hitDialplan: boolean;
  /** Applications running, innermost last (`park` stays underneath what runs nested in it). */
  readonly running: RunningApp[] = [];
  /** Applications sent with `event-lock` waiting for the one in progress. */
  readonly pending: RunningApp[] = [];
  /** Gone: `CHANNEL_DESTROY` fired. */
  destroyed = false;
  /** What the far end says once answered (a called phone's voice, 8 kHz PCM): its `unicast` plays it. */
  farEndAudio: Int16Array | undefined;
  /** The digits the channel received, in order (`digits_dialed` at hangup). */
  readonly dtmfLog: string[] = [];
  /** `CF_VERBOSE_EVENTS` (the `verbose_events` application): every event carries the variables. */
  verboseEvents = false;

  constructor(init: ChannelInit) {
    this.uuid = init.uuid;
    this.name = init.name;
    this.direction = init.direction;
    this.hitDialplan = init.direction === 'inbound';
    this.profile = { dialplan: 'XML', source: 'mod_loopback', context: 'default', profileIndex: 1, ...init.profile };
    this.initial = { ...this.profile };
    const codec = init.codec ?? 'L16';
    const rate = String(init.rate ?? 8000);
    for (const [k, v] of init.variables ?? []) this.variables.set(k, v);
    for (const [k, v] of [['read_codec', codec], ['read_rate', rate], ['write_codec', codec], ['write_rate', rate]] as const) {
      if (!this.variables.has(k)) this.variables.set(k, v);
    }
  }

  /** Sets (moving it to the end, as FreeSWITCH does) or, with `undefined`/`''`, unsets a variable. */
  setVariable(name: string, value: string | undefined): void {
    this.variables.delete(name);
    if (value !== undefined && value !== '') this.variables.set(name, value);
  }

  /** Answered (`CHANNEL_ANSWER` fired). */
  get answered(): boolean {
    return this.answeredMicros > 0;
  }

  /** Hung up (or hanging up). */
  get isDown(): boolean {
    return this.hangupCause !== undefined;
  }

  /** The application in progress (innermost), if any. */
  get currentApp(): RunningApp | undefined {
    return this.running[this.running.length - 1];
  }

  /** `Answer-State`. */
  get answerState(): string {
    if (this.isDown) return 'hangup';
    if (this.answered) return 'answered';
    return this.progressMediaMicros > 0 ? 'early' : 'ringing';
  }

  /** `switch_channel_event_set_basic_data`: `Channel-State` .. `Channel-Write-Codec-Bit-Rate`. */
  basicHeaders(): HeaderPairs {
    const out: HeaderPairs = [
      ['Channel-State', this.runningState],
      ['Channel-Call-State', this.callState],
      ['Channel-State-Number', String(CHANNEL_STATES.indexOf(this.state))],
      ['Channel-Name', this.name],
      ['Unique-ID', this.uuid],
      ['Call-Direction', this.direction],
      ['Presence-Call-Direction', this.direction],
      ['Channel-HIT-Dialplan', String(this.hitDialplan)],
    ];
    const presence = this.variables.get('presence_id');
    if (presence) out.push(['Channel-Presence-ID', presence]);
    out.push(['Channel-Call-UUID', this.variables.get('call_uuid') ?? this.uuid], ['Answer-State', this.answerState]);
    if (this.hangupCause !== undefined) out.push(['Hangup-Cause', this.hangupCause]);
    for (const dir of ['Read', 'Write'] as const) {
      const codec = this.variables.get(`${dir.toLowerCase()}_codec`) ?? 'L16';
      const rate = this.variables.get(`${dir.toLowerCase()}_rate`) ?? '8000';
      out.push(
        [`Channel-${dir}-Codec-Name`, codec],
        [`Channel-${dir}-Codec-Rate`, rate],
        [`Channel-${dir}-Codec-Bit-Rate`, String(Number(rate) * (BITS_PER_SAMPLE[codec] ?? 8))],
      );
    }
    return out;
  }

  /** `switch_caller_profile_event_set_data` with the `Caller` prefix (or `Channel` for `connect`). */
  profileHeaders(prefix = 'Caller'): HeaderPairs {
    const p = this.profile;
    const out: HeaderPairs = [];
    const add = (name: string, value: string | undefined): void => {
      if (value !== undefined && value !== '') out.push([`${prefix}-${name}`, value]);
    };
    add('Direction', this.direction);
    add('Logical-Direction', this.direction);
    add('Username', p.username);
    add('Dialplan', p.dialplan);
    add('Caller-ID-Name', p.callerIdName);
    add('Caller-ID-Number', p.callerIdNumber);
    add('Orig-Caller-ID-Name', p.origCallerIdName);
    add('Orig-Caller-ID-Number', p.origCallerIdNumber);
    add('Callee-ID-Name', p.calleeIdName);
    add('Callee-ID-Number', p.calleeIdNumber);
    add('Network-Addr', p.networkAddr);
    add('ANI', p.ani);
    add('Destination-Number', p.destinationNumber);
    add('Unique-ID', this.uuid);
    add('Source', p.source);
    add('Transfer-Source', p.transferSource);
    add('Context', p.context);
    add('RDNIS', p.rdnis);
    add('Channel-Name', this.name);
    add('Profile-Index', String(p.profileIndex));
    const times: [string, number][] = [
      ['Profile-Created-Time', this.createdMicros],
      ['Channel-Created-Time', this.createdMicros],
      ['Channel-Answered-Time', this.answeredMicros],
      ['Channel-Progress-Time', 0],
      ['Channel-Progress-Media-Time', this.progressMediaMicros],
      ['Channel-Hangup-Time', this.hangupMicros],
      ['Channel-Transfer-Time', this.transferMicros],
      ['Channel-Resurrect-Time', 0],
      ['Channel-Bridged-Time', this.bridgedMicros],
      ['Channel-Last-Hold', 0],
      ['Channel-Hold-Accum', 0],
    ];
    for (const [name, value] of times) add(name, String(value));
    add('Screen-Bit', 'true');
    add('Privacy-Hide-Name', 'false');
    add('Privacy-Hide-Number', 'false');
    return out;
  }

  /** `variable_*` headers, in variable order. */
  variableHeaders(): HeaderPairs {
    const out: HeaderPairs = [];
    for (const [k, v] of this.variables) out.push([`variable_${k}`, v]);
    return out;
  }

  /** The channel part of an event: basic data, caller profile and (unless `false`) variables. */
  eventHeaders(withVariables = true): HeaderPairs {
    const out = [...this.basicHeaders(), ...this.profileHeaders()];
    return withVariables ? [...out, ...this.variableHeaders()] : out;
  }
}
