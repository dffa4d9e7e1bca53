import type { HeaderPairs } from './event-factory.js';

/** The states the simulator moves a channel through. */
export type ChannelStateName = 'CS_INIT' | 'CS_ROUTING' | 'CS_EXECUTE' | 'CS_HANGUP' | 'CS_REPORTING' | 'CS_DESTROY';

const STATE_NUMBER: Record<ChannelStateName, number> = {
  CS_INIT: 2,
  CS_ROUTING: 3,
  CS_EXECUTE: 4,
  CS_HANGUP: 10,
  CS_REPORTING: 11,
  CS_DESTROY: 12,
};

/** What a simulated channel starts with. */
export interface ChannelInit {
  uuid: string;
  /** `Channel-Name`, e.g. `loopback/9000-a`. */
  name: string;
  direction: 'inbound' | 'outbound';
  callerIdName?: string;
  callerIdNumber?: string;
  destinationNumber: string;
  context?: string;
  /** `mod_loopback`, `mod_sofia`, ... */
  source?: string;
  codec?: string;
  rate?: number;
  variables?: Record<string, string>;
}

/** One simulated FreeSWITCH channel: its caller profile, state and variables. */
export class SimulatedChannel {
  readonly uuid: string;
  readonly name: string;
  readonly direction: 'inbound' | 'outbound';
  readonly createdMicros = Date.now() * 1000;
  readonly variables = new Map<string, string>();
  state: ChannelStateName = 'CS_INIT';
  answeredMicros = 0;
  hangupMicros = 0;
  hangupCause: string | undefined;
  /** The application currently running (`park`, `playback`, ...). */
  application = '';
  applicationData = '';

  constructor(readonly init: ChannelInit) {
    this.uuid = init.uuid;
    this.name = init.name;
    this.direction = init.direction;
    const codec = init.codec ?? 'L16';
    const rate = String(init.rate ?? 8000);
    for (const [k, v] of Object.entries({
      direction: init.direction,
      uuid: init.uuid,
      session_id: '1',
      channel_name: init.name,
      read_codec: codec,
      read_rate: rate,
      write_codec: codec,
      write_rate: rate,
      ...init.variables,
    })) {
      this.variables.set(k, v);
    }
  }

  get answered(): boolean {
    return this.answeredMicros > 0;
  }

  get callState(): string {
    if (this.hangupCause !== undefined) return 'HANGUP';
    return this.answered ? 'ACTIVE' : 'DOWN';
  }

  /** Channel-*, Caller-* and variable_* headers, as FreeSWITCH appends them to channel events. */
  headers(): HeaderPairs {
    const i = this.init;
    const codec = this.variables.get('read_codec') ?? 'L16';
    const rate = this.variables.get('read_rate') ?? '8000';
    const bitRate = String(Number(rate) * (codec === 'L16' ? 16 : 8));
    const out: HeaderPairs = [
      ['Channel-State', this.state],
      ['Channel-Call-State', this.callState],
      ['Channel-State-Number', String(STATE_NUMBER[this.state])],
      ['Channel-Name', this.name],
      ['Unique-ID', this.uuid],
      ['Call-Direction', this.direction],
      ['Presence-Call-Direction', this.direction],
      ['Channel-HIT-Dialplan', this.direction === 'inbound' ? 'true' : 'false'],
      ['Channel-Call-UUID', this.uuid],
      ['Answer-State', this.hangupCause !== undefined ? 'hangup' : this.answered ? 'answered' : 'ringing'],
    ];
    if (this.hangupCause !== undefined) out.push(['Hangup-Cause', this.hangupCause]);
    out.push(
      ['Channel-Read-Codec-Name', codec],
      ['Channel-Read-Codec-Rate', rate],
      ['Channel-Read-Codec-Bit-Rate', bitRate],
      ['Channel-Write-Codec-Name', codec],
      ['Channel-Write-Codec-Rate', rate],
      ['Channel-Write-Codec-Bit-Rate', bitRate],
      ['Caller-Direction', this.direction],
      ['Caller-Logical-Direction', this.direction],
      ['Caller-Dialplan', 'xml'],
      ['Caller-Caller-ID-Name', i.callerIdName ?? 'Outbound Call'],
      ['Caller-Caller-ID-Number', i.callerIdNumber ?? '0000000000'],
      ['Caller-Orig-Caller-ID-Number', i.callerIdNumber ?? '0000000000'],
      ['Caller-ANI', i.callerIdNumber ?? '0000000000'],
      ['Caller-Destination-Number', i.destinationNumber],
      ['Caller-Unique-ID', this.uuid],
      ['Caller-Source', i.source ?? 'mod_loopback'],
      ['Caller-Context', i.context ?? 'default'],
      ['Caller-Channel-Name', this.name],
      ['Caller-Profile-Index', '1'],
      ['Caller-Profile-Created-Time', String(this.createdMicros)],
      ['Caller-Channel-Created-Time', String(this.createdMicros)],
      ['Caller-Channel-Answered-Time', String(this.answeredMicros)],
      ['Caller-Channel-Hangup-Time', String(this.hangupMicros)],
      ['Caller-Screen-Bit', 'true'],
      ['Caller-Privacy-Hide-Name', 'false'],
      ['Caller-Privacy-Hide-Number', 'false'],
    );
    for (const [k, v] of this.variables) out.push([`variable_${k}`, v]);
    return out;
  }

  /** One row of `show channels as json`. */
  row(): Record<string, string> {
    const created = new Date(this.createdMicros / 1000);
    return {
      uuid: this.uuid,
      direction: this.direction,
      created: created.toISOString().slice(0, 19).replace('T', ' '),
      created_epoch: String(Math.floor(this.createdMicros / 1e6)),
      name: this.name,
      state: this.state,
      cid_name: this.init.callerIdName ?? 'Outbound Call',
      cid_num: this.init.callerIdNumber ?? '0000000000',
      ip_addr: '',
      dest: this.init.destinationNumber,
      application: this.application,
      application_data: this.applicationData,
      dialplan: 'xml',
      context: this.init.context ?? 'default',
      read_codec: this.variables.get('read_codec') ?? 'L16',
      read_rate: this.variables.get('read_rate') ?? '8000',
      write_codec: this.variables.get('write_codec') ?? 'L16',
      write_rate: this.variables.get('write_rate') ?? '8000',
      callstate: this.callState,
      callee_name: '',
      callee_num: '',
      call_uuid: this.uuid,
    };
  }
}
