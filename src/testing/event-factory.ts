import { randomUUID } from 'node:crypto';

/** Header pairs in wire order. */
export type HeaderPairs = [string, string][];

/** Where in FreeSWITCH's source an event is fired (`Event-Calling-*` headers). */
export interface CallingSite {
  file: string;
  func: string;
  line: number;
}

/** The calling sites the captures show for each event the simulator fires. */
export const CALLING_SITES: Record<string, CallingSite> = {
  CHANNEL_CREATE: { file: 'switch_core_state_machine.c', func: 'switch_core_session_run', line: 626 },
  CHANNEL_ANSWER: { file: 'switch_channel.c', func: 'switch_channel_perform_mark_answered', line: 3987 },
  CHANNEL_PARK: { file: 'switch_ivr.c', func: 'switch_ivr_park', line: 1036 },
  CHANNEL_EXECUTE: { file: 'switch_core_session.c', func: 'switch_core_session_exec', line: 2935 },
  CHANNEL_EXECUTE_COMPLETE: { file: 'switch_core_session.c', func: 'switch_core_session_exec', line: 2975 },
  CHANNEL_HANGUP: { file: 'switch_channel.c', func: 'switch_channel_perform_hangup', line: 3354 },
  CHANNEL_HANGUP_COMPLETE: { file: 'switch_core_state_machine.c', func: 'switch_core_session_reporting_state', line: 943 },
  CHANNEL_STATE: { file: 'switch_channel.c', func: 'switch_channel_perform_set_running_state', line: 2318 },
  DTMF: { file: 'switch_channel.c', func: 'switch_channel_dequeue_dtmf', line: 681 },
  BACKGROUND_JOB: { file: 'mod_event_socket.c', func: 'api_exec', line: 1580 },
  CUSTOM: { file: 'mod_event_socket.c', func: 'parse_command', line: 2283 },
  HEARTBEAT: { file: 'switch_core.c', func: 'send_heartbeat', line: 81 },
};

const pad = (n: number): string => String(n).padStart(2, '0');

/**
 * Builds the header block every FreeSWITCH event starts with (`Core-UUID`, host names,
 * `Event-Date-*`, `Event-Calling-*`, `Event-Sequence`), in the order FreeSWITCH writes it.
 */
export class EventFactory {
  /** `Core-UUID` of this simulated switch. */
  readonly coreUuid = randomUUID();
  private sequence = 1000;

  constructor(
    /** `FreeSWITCH-Hostname` / `-Switchname`. */
    readonly hostname = 'simulator',
    readonly ipv4 = '127.0.0.1',
    readonly ipv6 = '::1',
  ) {}

  /** The base headers of an event named `name`, stamped now. */
  base(name: string, site: CallingSite = CALLING_SITES[name] ?? CALLING_SITES.CUSTOM!): HeaderPairs {
    const nowMs = Date.now();
    const d = new Date(nowMs);
    const local = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
    return [
      ['Event-Name', name],
      ['Core-UUID', this.coreUuid],
      ['FreeSWITCH-Hostname', this.hostname],
      ['FreeSWITCH-Switchname', this.hostname],
      ['FreeSWITCH-IPv4', this.ipv4],
      ['FreeSWITCH-IPv6', this.ipv6],
      ['Event-Date-Local', local],
      ['Event-Date-GMT', d.toUTCString()],
      ['Event-Date-Timestamp', `${nowMs}000`],
      ['Event-Calling-File', site.file],
      ['Event-Calling-Function', site.func],
      ['Event-Calling-Line-Number', String(site.line)],
      ['Event-Sequence', String(++this.sequence)],
    ];
  }
}
