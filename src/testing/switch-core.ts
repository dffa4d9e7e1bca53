import { randomUUID } from 'node:crypto';
import { SimulatedChannel } from './channel.js';
import { parseOriginateLine } from './dial-string.js';
import { CALLING_SITES, EventFactory, type HeaderPairs } from './event-factory.js';
import type { SimulatedEvent } from './listener.js';

/** Where simulated events go (the simulator fans them out to listeners). */
export type EventSink = (event: SimulatedEvent) => void;

/** What `originate` does for a dial string: answer, or fail with a hangup cause. */
export type OriginateRule = (endpoint: string, variables: Record<string, string>) => { cause: string } | undefined;

/**
 * The default rule, as the captures show: `error/<CAUSE>` fails with that cause, a loopback
 * to an unknown context fails with `NO_ROUTE_DESTINATION`, anything else answers.
 */
export const defaultOriginateRule: OriginateRule = (endpoint) => {
  if (endpoint.startsWith('error/')) return { cause: endpoint.slice(6) || 'UNKNOWN' };
  const loop = /^loopback\/[^/]+\/([^/]+)/.exec(endpoint);
  if (loop && loop[1] !== 'default' && loop[1] !== 'public') return { cause: 'NO_ROUTE_DESTINATION' };
  return undefined;
};

/**
 * The switch behind the simulated socket: channels and the `api` commands that act on them.
 * Each command returns FreeSWITCH's exact reply text; side effects are events sent to `emit`.
 */
export class SwitchCore {
  readonly channels = new Map<string, SimulatedChannel>();
  readonly factory: EventFactory;
  private readonly startedAt = Date.now();
  private sessionsSinceStart = 0;
  private peak = 0;

  constructor(
    private readonly emit: EventSink,
    private readonly originateRule: OriginateRule = defaultOriginateRule,
    hostname?: string,
  ) {
    this.factory = new EventFactory(hostname);
  }

  /** Fires a channel event: base headers, extra headers, then the channel's own. */
  channelEvent(name: string, channel: SimulatedChannel, extra: HeaderPairs = [], body?: string): void {
    this.emit({ headers: [...this.factory.base(name), ...extra, ...channel.headers()], body });
  }

  /** Fires any event: base headers then `extra`. */
  event(name: string, extra: HeaderPairs = [], body?: string): void {
    this.emit({ headers: [...this.factory.base(name, CALLING_SITES[name]), ...extra], body });
  }

  /** Adds a channel (and fires `CHANNEL_CREATE`). */
  createChannel(channel: SimulatedChannel): SimulatedChannel {
    this.channels.set(channel.uuid, channel);
    this.sessionsSinceStart++;
    this.peak = Math.max(this.peak, this.channels.size);
    this.channelEvent('CHANNEL_CREATE', channel);
    return channel;
  }

  /** Answers a channel (`CHANNEL_ANSWER`). */
  answer(channel: SimulatedChannel): void {
    if (channel.answered) return;
    channel.answeredMicros = Date.now() * 1000;
    channel.state = 'CS_EXECUTE';
    this.channelEvent('CHANNEL_ANSWER', channel);
  }

  /** Runs an application to completion: `CHANNEL_EXECUTE` then `CHANNEL_EXECUTE_COMPLETE`. */
  execute(channel: SimulatedChannel, app: string, data: string, applicationUuid: string = randomUUID()): void {
    channel.application = app;
    channel.applicationData = data;
    channel.variables.set('current_application', app);
    const appHeaders: HeaderPairs = [
      ['Application', app],
      ['Application-Data', data],
      ['Application-UUID', applicationUuid],
    ];
    this.channelEvent('CHANNEL_EXECUTE', channel, appHeaders);
    if (app === 'park') {
      this.channelEvent('CHANNEL_PARK', channel);
      return; // park runs until something else happens to the channel
    }
    if (app === 'set' && data.includes('=')) {
      const eq = data.indexOf('=');
      channel.variables.set(data.slice(0, eq), data.slice(eq + 1));
    }
    if (app === 'answer') this.answer(channel);
    this.channelEvent('CHANNEL_EXECUTE_COMPLETE', channel, [...appHeaders, ['Application-Response', '_none_']]);
    if (app === 'hangup') this.hangup(channel, data || 'NORMAL_CLEARING');
  }

  /** Hangs up: `CHANNEL_HANGUP`, `CHANNEL_HANGUP_COMPLETE`, and the channel is gone. */
  hangup(channel: SimulatedChannel, cause = 'NORMAL_CLEARING'): void {
    if (channel.hangupCause !== undefined) return;
    channel.hangupCause = cause;
    channel.hangupMicros = Date.now() * 1000;
    channel.state = 'CS_HANGUP';
    channel.variables.set('hangup_cause', cause);
    this.channelEvent('CHANNEL_HANGUP', channel);
    channel.state = 'CS_REPORTING';
    const billsec = channel.answered ? Math.round((channel.hangupMicros - channel.answeredMicros) / 1e6) : 0;
    channel.variables.set('billsec', String(billsec));
    channel.variables.set('duration', String(Math.round((channel.hangupMicros - channel.createdMicros) / 1e6)));
    this.channelEvent('CHANNEL_HANGUP_COMPLETE', channel);
    this.channels.delete(channel.uuid);
  }

  /** Runs one `api` command; returns the exact `api/response` body FreeSWITCH would send. */
  api(command: string, args: string): string {
    const argv = args.length > 0 ? args.split(' ') : [];
    const channel = (): SimulatedChannel | undefined => this.channels.get(argv[0] ?? '');
    const noChannel = '-ERR No such channel!\n';
    switch (command) {
      case 'status':
        return this.status();
      case 'uuid_exists':
        return channel() ? 'true' : 'false';
      case 'uuid_getvar': {
        const ch = channel();
        if (!ch) return noChannel;
        return ch.variables.get(argv[1] ?? '') ?? '_undef_';
      }
      case 'uuid_setvar': {
        const ch = channel();
        if (!ch) return noChannel;
        const name = argv[1] ?? '';
        const value = argv.slice(2).join(' ');
        if (value) ch.variables.set(name, value);
        else ch.variables.delete(name);
        return '+OK\n';
      }
      case 'uuid_kill': {
        const ch = channel();
        if (!ch) return noChannel;
        queueMicrotask(() => this.hangup(ch, argv[1] || 'NORMAL_CLEARING'));
        return '+OK\n';
      }
      case 'uuid_break':
        return channel() ? '+OK\n' : noChannel;
      case 'uuid_broadcast': {
        const ch = channel();
        if (!ch) return noChannel;
        queueMicrotask(() => this.execute(ch, 'playback', argv[1] ?? ''));
        return '+OK Message sent\n';
      }
      case 'uuid_bridge': {
        const a = channel();
        const b = this.channels.get(argv[1] ?? '');
        if (!a || !b) return `-ERR Invalid uuid ${a ? argv[1] : argv[0]}\n`;
        return `+OK ${b.uuid}\n`;
      }
      case 'uuid_transfer': {
        const ch = channel();
        if (!ch) return noChannel;
        ch.variables.set('transfer_destination', argv.slice(1).join(' '));
        return '+OK\n';
      }
      case 'show':
        return args.startsWith('channels') ? this.showChannels() : `-USAGE: show channels\n`;
      case 'originate':
        return this.originate(args);
      case 'eval':
        return /\$\{[^}]*\}/.test(args) ? '-ERR no reply\n' : `${args}\n`;
      case 'reloadxml':
        return '+OK [Success]\n';
      default:
        return `-ERR ${command} Command not found!\n`;
    }
  }

  private originate(args: string): string {
    const { dial, target } = parseOriginateLine(args);
    if (!dial.endpoint || !target) return '-USAGE: <call url> <exten>|&<application_name>(<app_args>) [<dialplan>] [<context>] [<cid_name>] [<cid_num>] [<timeout_sec>]\n';
    const failure = this.originateRule(dial.endpoint, dial.variables);
    if (failure) return `-ERR ${failure.cause}\n`;
    const uuid = dial.variables.origination_uuid ?? randomUUID();
    const dest = dial.endpoint.split('/')[1] ?? dial.endpoint;
    const channel = this.createChannel(
      new SimulatedChannel({
        uuid,
        name: `${dial.endpoint.split('/')[0]}/${dest}-a`,
        direction: 'outbound',
        destinationNumber: dest,
        callerIdName: dial.variables.origination_caller_id_name,
        callerIdNumber: dial.variables.origination_caller_id_number,
        variables: { ...dial.variables, originate_endpoint: dial.endpoint.split('/')[0] ?? '' },
      }),
    );
    this.answer(channel);
    const app = /^&([\w-]+)\((.*)\)$/.exec(target);
    if (app) this.execute(channel, app[1]!, app[2] ?? '');
    return `+OK ${uuid}\n`;
  }

  private status(): string {
    const upMs = Date.now() - this.startedAt;
    const s = Math.floor(upMs / 1000);
    return (
      `UP 0 years, ${Math.floor(s / 86400)} days, ${Math.floor(s / 3600) % 24} hours, ${Math.floor(s / 60) % 60} minutes, ` +
      `${s % 60} seconds, ${upMs % 1000} milliseconds, 0 microseconds\n` +
      'FreeSWITCH (Version 1.11.3-dev simulator 64bit) is ready\n' +
      `${this.sessionsSinceStart} session(s) since startup\n` +
      `${this.channels.size} session(s) - peak ${this.peak}, last 5min ${this.peak} \n` +
      '0 session(s) per Sec out of max 30, peak 0, last 5min 0 \n' +
      '1000 session(s) max\nmin idle cpu 0.00/99.00\nCurrent Stack Size/Max 240K/8192K\n'
    );
  }

  private showChannels(): string {
    if (this.channels.size === 0) return '{"row_count": 0}\n';
    const rows = [...this.channels.values()].map((c) => c.row());
    return `${JSON.stringify({ row_count: rows.length, rows })}\n`;
  }
}
