/**
 * What an {@link OutboundCall}'s control commands put on the wire, checked before a byte is
 * written: the `unicast` and `hangup` messages, the arguments of `send_dtmf` and `transfer`,
 * and the errors a call's command fails with.
 *
 * @module
 */
import { CallEndedError, EslCommandError, EslInvalidArgumentError } from '../errors.js';
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

const DTMF_DIGITS = /^[0-9A-Da-d*#wW]+$/;

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

/** The `sendmsg` of a `hangup` with its cause. */
export function hangupMessage(cause: string): ChannelMessage {
  return { command: 'hangup', headers: { 'hangup-cause': assertToken(cause, 'cause') } };
}

/** The argument of `send_dtmf`: the digits, and `@<ms>` when a tone duration is given. */
export function sendDtmfArgument(digits: string, durationMs: number | undefined): string {
  if (!DTMF_DIGITS.test(digits)) throw new EslInvalidArgumentError('digits must be 0-9, A-D, *, #, w or W', 'digits');
  return durationMs === undefined ? digits : `${digits}@${Math.round(durationMs)}`;
}

/** The argument of the `transfer` application: `<destination> [<dialplan> [<context>]]`. */
export function transferArgument(destination: string, dialplan: string | undefined, context: string | undefined): string {
  const args = [assertToken(destination, 'destination'), ...(dialplan || context ? [dialplan ?? 'XML'] : []), ...(context ? [context] : [])];
  for (const a of args) assertToken(a, 'transfer argument');
  return args.join(' ');
}

/** What a command of a call that hung up, or whose socket closed, fails with. */
export function callEndedError(uuid: string, cause: string | undefined): CallEndedError {
  return new CallEndedError(cause ? `call ${uuid} hung up (${cause})` : `the socket of call ${uuid} is closed`, cause);
}

/** What a command that needs a `full` socket fails with on another. */
export function needsFullError(what: string): EslCommandError {
  return new EslCommandError(
    `${what} needs a socket in "full" mode: use <action application="socket" data="host:port async full"/>`,
    what,
    '-ERR command not found',
  );
}

function port(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1 || value > 65535) throw new EslInvalidArgumentError(`${name} must be a port number (1-65535)`, name);
  return value;
}
