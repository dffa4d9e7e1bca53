/**
 * What every simulated event starts with: the header block `switch_event_prep_for_delivery`
 * writes (`Event-Name` .. `Event-Sequence`), the source locations the recordings show for each
 * event, and FreeSWITCH's list of event names.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';

/** Header pairs in wire order (duplicates allowed, as in FreeSWITCH events). */
export type HeaderPairs = [string, string][];

/** Where in FreeSWITCH's source an event is fired (`Event-Calling-*` headers). */
export interface CallingSite {
  /** `Event-Calling-File`. */
  file: string;
  /** `Event-Calling-Function`. */
  func: string;
  /** `Event-Calling-Line-Number`. */
  line: number;
}

const site = (file: string, func: string, line: number): CallingSite => ({ file, func, line });

/**
 * The calling sites of the events the simulator fires: the ones the recordings show
 * (FreeSWITCH 1.11.3-dev), plausible ones for the rest.
 */
export const CALLING_SITES: Readonly<Record<string, CallingSite>> = {
  CHANNEL_CREATE: site('switch_core_state_machine.c', 'switch_core_session_run', 626),
  CHANNEL_ANSWER: site('switch_channel.c', 'switch_channel_perform_mark_answered', 3848),
  CHANNEL_PARK: site('switch_ivr.c', 'switch_ivr_park', 1002),
  CHANNEL_UNPARK: site('switch_ivr.c', 'switch_ivr_park', 1213),
  CHANNEL_EXECUTE: site('switch_core_session.c', 'switch_core_session_exec', 2949),
  CHANNEL_EXECUTE_COMPLETE: site('switch_core_session.c', 'switch_core_session_exec', 2972),
  CHANNEL_HANGUP: site('switch_channel.c', 'switch_channel_perform_hangup', 3447),
  CHANNEL_HANGUP_COMPLETE: site('switch_core_state_machine.c', 'switch_core_session_reporting_state', 943),
  CHANNEL_STATE: site('switch_channel.c', 'switch_channel_perform_set_running_state', 2409),
  CHANNEL_DESTROY: site('switch_core_session.c', 'switch_core_session_perform_destroy', 1722),
  CHANNEL_BRIDGE: site('switch_ivr_bridge.c', 'uuid_bridge_on_soft_execute', 1209),
  CHANNEL_UNBRIDGE: site('switch_ivr_bridge.c', 'uuid_bridge_on_soft_execute', 1233),
  CHANNEL_DATA: site('mod_event_socket.c', 'parse_command', 2029),
  DTMF: site('switch_channel.c', 'switch_channel_dequeue_dtmf', 678),
  API: site('switch_loadable_module.c', 'switch_api_execute', 2966),
  BACKGROUND_JOB: site('mod_event_socket.c', 'api_exec', 1580),
  RELOADXML: site('switch_xml.c', 'switch_xml_open_root', 2430),
  HEARTBEAT: site('switch_core.c', 'send_heartbeat', 81),
  PLAYBACK_START: site('switch_ivr_play_say.c', 'switch_ivr_play_file', 1649),
  PLAYBACK_STOP: site('switch_ivr_play_say.c', 'switch_ivr_play_file', 2023),
  /** `sendevent`: FreeSWITCH stamps the client's event where it parses the command. */
  SENDEVENT: site('mod_event_socket.c', 'parse_command', 2283),
};

/**
 * The events that carry the channel's variables (`switch_channel_event_set_extended_data`):
 * others — `CHANNEL_STATE`, `CHANNEL_CALLSTATE`, `DTMF` — carry the channel's basic data and
 * caller profile only, unless the channel asked for verbose events (`verbose_events`).
 */
export const EVENTS_WITH_VARIABLES: ReadonlySet<string> = new Set([
  'CHANNEL_CREATE', 'CHANNEL_ORIGINATE', 'CHANNEL_UUID', 'CHANNEL_ANSWER', 'CHANNEL_PARK', 'CHANNEL_UNPARK',
  'CHANNEL_BRIDGE', 'CHANNEL_UNBRIDGE', 'CHANNEL_PROGRESS', 'CHANNEL_PROGRESS_MEDIA', 'CHANNEL_HANGUP',
  'CHANNEL_HANGUP_COMPLETE', 'REQUEST_PARAMS', 'CHANNEL_DATA', 'CHANNEL_EXECUTE', 'CHANNEL_EXECUTE_COMPLETE',
  'CHANNEL_DESTROY', 'SESSION_HEARTBEAT', 'API', 'RECORD_START', 'RECORD_STOP', 'PLAYBACK_START', 'PLAYBACK_STOP',
  'CALL_UPDATE', 'MEDIA_BUG_START', 'MEDIA_BUG_STOP', 'CHANNEL_HOLD', 'CHANNEL_UNHOLD', 'TEXT', 'CUSTOM',
]);

/** The site of events the simulator is asked to fire with no site of their own. */
export const DEFAULT_CALLING_SITE: CallingSite = site('switch_event.c', 'switch_event_fire_detailed', 2015);

/** `EVENT_NAMES` of `switch_event.c`, in enum order (`ALL` last). */
export const EVENT_NAMES: readonly string[] = [
  'CUSTOM', 'CLONE', 'CHANNEL_CREATE', 'CHANNEL_DESTROY', 'CHANNEL_STATE', 'CHANNEL_CALLSTATE', 'CHANNEL_ANSWER',
  'CHANNEL_HANGUP', 'CHANNEL_HANGUP_COMPLETE', 'CHANNEL_EXECUTE', 'CHANNEL_EXECUTE_COMPLETE', 'CHANNEL_HOLD',
  'CHANNEL_UNHOLD', 'CHANNEL_BRIDGE', 'CHANNEL_UNBRIDGE', 'CHANNEL_PROGRESS', 'CHANNEL_PROGRESS_MEDIA',
  'CHANNEL_OUTGOING', 'CHANNEL_PARK', 'CHANNEL_UNPARK', 'CHANNEL_APPLICATION', 'CHANNEL_ORIGINATE', 'CHANNEL_UUID',
  'API', 'LOG', 'INBOUND_CHAN', 'OUTBOUND_CHAN', 'STARTUP', 'SHUTDOWN', 'PUBLISH', 'UNPUBLISH', 'TALK', 'NOTALK',
  'SESSION_CRASH', 'MODULE_LOAD', 'MODULE_UNLOAD', 'DTMF', 'MESSAGE', 'PRESENCE_IN', 'NOTIFY_IN', 'PRESENCE_OUT',
  'PRESENCE_PROBE', 'MESSAGE_WAITING', 'MESSAGE_QUERY', 'ROSTER', 'CODEC', 'BACKGROUND_JOB', 'DETECTED_SPEECH',
  'DETECTED_TONE', 'PRIVATE_COMMAND', 'HEARTBEAT', 'TRAP', 'ADD_SCHEDULE', 'DEL_SCHEDULE', 'EXE_SCHEDULE',
  'RE_SCHEDULE', 'RELOADXML', 'NOTIFY', 'PHONE_FEATURE', 'PHONE_FEATURE_SUBSCRIBE', 'SEND_MESSAGE', 'RECV_MESSAGE',
  'REQUEST_PARAMS', 'CHANNEL_DATA', 'GENERAL', 'COMMAND', 'SESSION_HEARTBEAT', 'CLIENT_DISCONNECTED',
  'SERVER_DISCONNECTED', 'SEND_INFO', 'RECV_INFO', 'RECV_RTCP_MESSAGE', 'SEND_RTCP_MESSAGE', 'CALL_SECURE', 'NAT',
  'RECORD_START', 'RECORD_STOP', 'PLAYBACK_START', 'PLAYBACK_STOP', 'CALL_UPDATE', 'FAILURE', 'SOCKET_DATA',
  'MEDIA_BUG_START', 'MEDIA_BUG_STOP', 'CONFERENCE_DATA_QUERY', 'CONFERENCE_DATA', 'CALL_SETUP_REQ',
  'CALL_SETUP_RESULT', 'CALL_DETAIL', 'DEVICE_STATE', 'TEXT', 'SHUTDOWN_REQUESTED', 'ALL',
];

const BY_UPPER = new Map(EVENT_NAMES.map((n) => [n, n]));

/**
 * `switch_name_event`: the canonical name of `text` (case-insensitive, a `SWITCH_EVENT_` prefix
 * allowed), or `undefined` when FreeSWITCH knows no such event.
 */
export function canonicalEventName(text: string): string | undefined {
  const upper = text.toUpperCase();
  return BY_UPPER.get(upper) ?? (upper.length > 13 ? BY_UPPER.get(upper.slice(13)) : undefined);
}

/** A clock in microseconds since the epoch (what `Event-Date-Timestamp` carries). */
export function nowMicros(): number {
  return Math.floor((performance.timeOrigin + performance.now()) * 1000);
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** `%Y-%m-%d %T` in local time, as `Event-Date-Local` and the `*_stamp` variables write it. */
export function localStamp(micros: number): string {
  const d = new Date(Math.floor(micros / 1000));
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** Identity of the simulated switch, as its events report it. */
export interface SwitchIdentity {
  /** `Core-UUID`; random by default. */
  coreUuid?: string;
  /** `FreeSWITCH-Hostname`; default `simulator`. */
  hostname?: string;
  /** `FreeSWITCH-Switchname`; default the hostname. */
  switchname?: string;
  /** `FreeSWITCH-IPv4`; default `127.0.0.1`. */
  ipv4?: string;
  /** `FreeSWITCH-IPv6`; default `::1`. */
  ipv6?: string;
}

/**
 * Stamps events: the header block every FreeSWITCH event starts with, in the order
 * `switch_event_prep_for_delivery` writes it, with one increasing `Event-Sequence` per switch.
 */
export class EventFactory {
  /** `FreeSWITCH-Hostname`. */
  readonly hostname: string;
  /** `FreeSWITCH-Switchname`. */
  readonly switchname: string;
  /** `FreeSWITCH-IPv4`. */
  readonly ipv4: string;
  /** `FreeSWITCH-IPv6`. */
  readonly ipv6: string;
  private uuid: string;
  private sequence = 0;

  constructor(private readonly identity: SwitchIdentity = {}) {
    this.uuid = identity.coreUuid ?? randomUUID();
    this.hostname = identity.hostname ?? 'simulator';
    this.switchname = identity.switchname ?? this.hostname;
    this.ipv4 = identity.ipv4 ?? '127.0.0.1';
    this.ipv6 = identity.ipv6 ?? '::1';
  }

  /** `Core-UUID` of this simulated switch (a new one after each restart unless fixed). */
  get coreUuid(): string {
    return this.uuid;
  }

  /** The last `Event-Sequence` handed out. */
  get lastSequence(): number {
    return this.sequence;
  }

  /** A restarted switch: a new Core-UUID (unless the identity fixes one), sequence from zero. */
  restart(): void {
    this.uuid = this.identity.coreUuid ?? randomUUID();
    this.sequence = 0;
  }

  /** The base headers of an event named `name`, stamped now. */
  prep(name: string, where: CallingSite = CALLING_SITES[name] ?? DEFAULT_CALLING_SITE): HeaderPairs {
    const micros = nowMicros();
    return [
      ['Event-Name', name],
      ['Core-UUID', this.coreUuid],
      ['FreeSWITCH-Hostname', this.hostname],
      ['FreeSWITCH-Switchname', this.switchname],
      ['FreeSWITCH-IPv4', this.ipv4],
      ['FreeSWITCH-IPv6', this.ipv6],
      ['Event-Date-Local', localStamp(micros)],
      ['Event-Date-GMT', new Date(Math.floor(micros / 1000)).toUTCString()],
      ['Event-Date-Timestamp', String(micros)],
      ['Event-Calling-File', where.file],
      ['Event-Calling-Function', where.func],
      ['Event-Calling-Line-Number', String(where.line)],
      ['Event-Sequence', String(++this.sequence)],
    ];
  }
}
