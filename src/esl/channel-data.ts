/**
 * The channel data FreeSWITCH sends in reply to `connect` on an outbound socket, as a typed
 * object.
 *
 * @module
 */
import type { Headers } from './header-block.js';

/** A codec as the channel reports it (`Channel-Read-Codec-Name`, `-Rate`). */
export interface ChannelCodec {
  /** `PCMU`, `PCMA`, `L16`, `opus`, ... */
  readonly name: string;
  /** Samples per second. */
  readonly rate: number;
}

/** Which FreeSWITCH a call is on, from the base headers of its channel data. */
export interface ChannelSwitchIdentity {
  /** `Core-UUID`: new at each start of that FreeSWITCH. */
  readonly coreUuid: string | undefined;
  /** `FreeSWITCH-Hostname`. */
  readonly hostname: string | undefined;
  /** `FreeSWITCH-Switchname` (the hostname unless `switchname` is set in switch.conf). */
  readonly switchname: string | undefined;
  /** `FreeSWITCH-IPv4`. */
  readonly ipv4: string | undefined;
}

/**
 * What FreeSWITCH knows of the call when it hands it to the socket: the caller profile, the
 * channel's state and codecs, and every channel variable.
 *
 * Header values are decoded on first read; {@link ChannelData.variables} builds its map once,
 * on first use.
 */
export class ChannelData {
  private variableMap: Map<string, string> | undefined;

  constructor(
    /** Every header of the `connect` reply (`Channel-*`, `Caller-*`, `variable_*`, ...). */
    readonly headers: Headers,
  ) {}

  /** The channel's `Unique-ID`. */
  get uuid(): string {
    return this.headers.get('Unique-ID') ?? this.headers.get('Caller-Unique-ID') ?? '';
  }

  /** The caller's number (`Caller-Caller-ID-Number`). */
  get callerIdNumber(): string | undefined {
    return this.headers.get('Caller-Caller-ID-Number');
  }

  /** The caller's name (`Caller-Caller-ID-Name`). */
  get callerIdName(): string | undefined {
    return this.headers.get('Caller-Caller-ID-Name');
  }

  /** The number dialled (`Caller-Destination-Number`). */
  get destinationNumber(): string | undefined {
    return this.headers.get('Caller-Destination-Number');
  }

  /** The dialplan context (`Caller-Context`). */
  get context(): string | undefined {
    return this.headers.get('Caller-Context');
  }

  /** `variable_domain_uuid` (FusionPBX and other multi-tenant dialplans set it). */
  get domainUuid(): string | undefined {
    return this.getVariable('domain_uuid');
  }

  /** `variable_domain_name`. */
  get domainName(): string | undefined {
    return this.getVariable('domain_name');
  }

  /** `Call-Direction`: `inbound` or `outbound` (from FreeSWITCH's point of view). */
  get direction(): string | undefined {
    return this.headers.get('Call-Direction') ?? this.headers.get('Channel-Direction');
  }

  /** `Channel-Name`, e.g. `sofia/internal/1000@example.org`. */
  get channelName(): string | undefined {
    return this.headers.get('Channel-Name');
  }

  /** `Answer-State`: `ringing`, `early`, `answered`, ... */
  get answerState(): string | undefined {
    return this.headers.get('Answer-State');
  }

  /** The codec FreeSWITCH reads from the caller with. */
  get readCodec(): ChannelCodec | undefined {
    return codec(this.headers, 'Read');
  }

  /** The codec FreeSWITCH writes to the caller with. */
  get writeCodec(): ChannelCodec | undefined {
    return codec(this.headers, 'Write');
  }

  /** `Socket-Mode`: `async` or `static` (the `async` word of the `socket` application). */
  get socketMode(): 'async' | 'static' {
    return this.headers.get('Socket-Mode') === 'async' ? 'async' : 'static';
  }

  /**
   * `Control: full` (the `full` word of the `socket` application): without it FreeSWITCH refuses
   * `api`, `bgapi`, `event`, `linger` and `log` on this socket.
   */
  get fullControl(): boolean {
    return this.headers.get('Control') === 'full';
  }

  /**
   * The FreeSWITCH the call is on (`Core-UUID`, `FreeSWITCH-Hostname`, `-Switchname`, `-IPv4`):
   * with many nodes, `EslPool.nodeForChannel(call.channel)` finds its node.
   */
  get freeswitch(): ChannelSwitchIdentity {
    const h = this.headers;
    return {
      coreUuid: h.get('Core-UUID'),
      hostname: h.get('FreeSWITCH-Hostname'),
      switchname: h.get('FreeSWITCH-Switchname'),
      ipv4: h.get('FreeSWITCH-IPv4'),
    };
  }

  /** A channel variable as it was when the call reached the socket (`variable_<name>`). */
  getVariable(name: string): string | undefined {
    return this.headers.get(`variable_${name}`);
  }

  /** Every channel variable, without the `variable_` prefix. */
  get variables(): ReadonlyMap<string, string> {
    if (this.variableMap === undefined) {
      const map = new Map<string, string>();
      for (const [k, v] of this.headers.entries()) if (k.startsWith('variable_') && !map.has(k.slice(9))) map.set(k.slice(9), v);
      this.variableMap = map;
    }
    return this.variableMap;
  }

  /** A plain object for logs and JSON (variables included). */
  toJSON(): Record<string, unknown> {
    return {
      uuid: this.uuid,
      callerIdNumber: this.callerIdNumber,
      callerIdName: this.callerIdName,
      destinationNumber: this.destinationNumber,
      context: this.context,
      domainUuid: this.domainUuid,
      domainName: this.domainName,
      direction: this.direction,
      channelName: this.channelName,
      readCodec: this.readCodec,
      socketMode: this.socketMode,
      fullControl: this.fullControl,
      freeswitch: this.freeswitch,
      variables: Object.fromEntries(this.variables),
    };
  }
}

function codec(headers: Headers, which: 'Read' | 'Write'): ChannelCodec | undefined {
  const name = headers.get(`Channel-${which}-Codec-Name`);
  if (name === undefined) return undefined;
  return { name, rate: Number(headers.get(`Channel-${which}-Codec-Rate`) ?? 8000) };
}
