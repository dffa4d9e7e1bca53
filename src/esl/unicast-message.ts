/**
 * FreeSWITCH's `unicast` message: where a parked call's audio goes as bare UDP datagrams, and
 * where the audio played back to the caller comes from.
 *
 * @module
 */
import { EslInvalidArgumentError } from '../errors.js';
import { type ChannelMessage, assertToken } from './commands.js';

/** Where {@link OutboundCall.unicast} sends and receives the call's audio (UDP, IPv4). */
export interface UnicastOptions {
  /** Address FreeSWITCH binds its UDP socket to (`local-ip`). */
  localIp: string;
  /** Port FreeSWITCH binds (`local-port`). */
  localPort: number;
  /** Where FreeSWITCH sends the caller's audio: our address (`remote-ip`). */
  remoteIp: string;
  /** Our port (`remote-port`). */
  remotePort: number;
  /**
   * `flags: native`: the channel's codec (e.g. 160-byte µ-law frames on PCMU) instead of 320-byte
   * L16 little-endian at 8 kHz. Comfort noise still arrives as 320 bytes of `0xFF`.
   */
  native?: boolean;
}

/** The `sendmsg` of a `unicast`; throws `EslInvalidArgumentError` for an address or port FreeSWITCH would misread. */
export function unicastMessage(options: UnicastOptions): ChannelMessage {
  const headers = {
    'local-ip': assertToken(options.localIp, 'localIp'),
    'local-port': port(options.localPort, 'localPort'),
    'remote-ip': assertToken(options.remoteIp, 'remoteIp'),
    'remote-port': port(options.remotePort, 'remotePort'),
    transport: 'udp',
    ...(options.native && { flags: 'native' }),
  };
  return { command: 'unicast', headers };
}

function port(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1 || value > 65535) throw new EslInvalidArgumentError(`${name} must be a port number (1-65535)`, name);
  return value;
}
