/**
 * Every Event Socket command the library writes is built here, with one injection guard:
 * an argument containing CR or LF would end the command early and start another one, so it is
 * rejected with {@link EslInvalidArgumentError} before a byte is written. Multi-line payloads
 * travel in a `Content-Length` body instead.
 *
 * @module
 */
import { EslInvalidArgumentError } from '../errors.js';

const CRLF = /[\r\n]/;
const WHITESPACE = /\s/;

/**
 * FreeSWITCH reads a command's header block into a 2 KiB buffer (`read_packet`); longer app
 * arguments must travel in a body. We switch to a body well before that limit.
 */
export const MAX_INLINE_ARGUMENT_BYTES = 1024;

/** Rejects CR/LF. Returns the value for chaining. */
export function assertNoNewline(value: string, argument: string): string {
  if (typeof value !== 'string') throw new EslInvalidArgumentError(`${argument} must be a string`, argument);
  if (CRLF.test(value)) {
    throw new EslInvalidArgumentError(`${argument} contains CR or LF, which would inject a second command`, argument);
  }
  return value;
}

/**
 * Rejects an empty value, whitespace or CR/LF: for positional arguments such as a uuid, a
 * variable name or an event name, where a space would shift every argument after it.
 */
export function assertToken(value: string, argument: string): string {
  assertNoNewline(value, argument);
  if (value.length === 0) throw new EslInvalidArgumentError(`${argument} must not be empty`, argument);
  if (WHITESPACE.test(value)) throw new EslInvalidArgumentError(`${argument} must not contain whitespace`, argument);
  return value;
}

/** Header fields of a command or message, in order. */
export type CommandHeaders = Readonly<Record<string, string | number | boolean | undefined>>;

/**
 * Serialises a command: its line, optional `Name: value` headers, and an optional body sent
 * with `Content-Length` (byte length, UTF-8). Header names and values, and the line itself, are
 * checked for CR/LF; the body may contain anything.
 */
export function buildCommand(line: string, headers?: CommandHeaders, body?: string): string {
  assertNoNewline(line, 'command');
  let out = line;
  out += '\n';
  if (headers) {
    for (const name in headers) {
      const v = headers[name];
      if (v === undefined) continue;
      assertToken(name, 'header name');
      out += `${name}: ${assertNoNewline(String(v), name)}\n`;
    }
  }
  if (body !== undefined && body.length > 0) {
    out += `Content-Length: ${Buffer.byteLength(body, 'utf8')}\n\n${body}`;
    return out;
  }
  return `${out}\n`;
}

/** `auth <password>`. */
export function authCommand(password: string): string {
  return buildCommand(`auth ${assertNoNewline(password, 'password')}`);
}

/** `userauth <user>@<domain>:<password>`. */
export function userauthCommand(user: string, password: string): string {
  return buildCommand(`userauth ${assertToken(user, 'user')}:${assertNoNewline(password, 'password')}`);
}

/** `api <command>`. */
export function apiCommand(command: string): string {
  return buildCommand(`api ${assertNoNewline(command, 'api command').trim()}`);
}

/** `bgapi <command>` with our own `Job-UUID`, so the result can never race the reply. */
export function bgapiCommand(command: string, jobUuid: string): string {
  return buildCommand(`bgapi ${assertNoNewline(command, 'bgapi command').trim()}`, {
    'Job-UUID': assertToken(jobUuid, 'jobUuid'),
  });
}

/** Event formats FreeSWITCH can send. */
export type EventSubscriptionFormat = 'plain' | 'json' | 'xml';

/** `event <format> <names...>`; `CUSTOM` subclasses follow `CUSTOM` as further names. */
export function eventCommand(format: EventSubscriptionFormat, names: readonly string[]): string {
  if (names.length === 0) throw new EslInvalidArgumentError('subscribe needs at least one event name', 'events');
  for (const n of names) assertToken(n, 'event name');
  return buildCommand(`event ${format} ${names.join(' ')}`);
}

/** `nixevent <names...>`. */
export function nixeventCommand(names: readonly string[]): string {
  if (names.length === 0) throw new EslInvalidArgumentError('nixevent needs at least one event name', 'events');
  for (const n of names) assertToken(n, 'event name');
  return buildCommand(`nixevent ${names.join(' ')}`);
}

/** `filter <header> <value>` (the value may contain spaces). */
export function filterCommand(header: string, value: string): string {
  return buildCommand(`filter ${assertToken(header, 'filter header')} ${assertNoNewline(value, 'filter value')}`);
}

/** `filter delete <header> [value]`. */
export function filterDeleteCommand(header: string, value?: string): string {
  assertToken(header, 'filter header');
  return buildCommand(
    value === undefined ? `filter delete ${header}` : `filter delete ${header} ${assertNoNewline(value, 'filter value')}`,
  );
}

/** Log levels accepted by `log`. */
export type LogLevel = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 'console' | 'alert' | 'crit' | 'err' | 'warning' | 'notice' | 'info' | 'debug';

/** `log <level>`. */
export function logCommand(level: LogLevel): string {
  return buildCommand(`log ${assertToken(String(level), 'log level')}`);
}

/** A message to a channel (`sendmsg`). */
export interface ChannelMessage {
  /** `call-command`: `execute`, `hangup`, `unicast`, `nomedia`, `xferext`, ... */
  command: string;
  /** Further headers (`execute-app-name`, `hangup-cause`, `event-lock`, `Event-UUID`, ...). */
  headers?: CommandHeaders;
  /** A body (e.g. a long `execute` argument, sent with `content-type: text/plain`). */
  body?: string;
}

/** `sendmsg [uuid]` with `call-command` and headers; the uuid is omitted on an outbound socket. */
export function sendmsgCommand(uuid: string | undefined, msg: ChannelMessage): string {
  const line = uuid === undefined ? 'sendmsg' : `sendmsg ${assertToken(uuid, 'uuid')}`;
  const headers: Record<string, string | number | boolean | undefined> = {
    'call-command': assertToken(msg.command, 'call-command'),
    ...msg.headers,
  };
  if (msg.body !== undefined && msg.body.length > 0) headers['content-type'] ??= 'text/plain';
  return buildCommand(line, headers, msg.body);
}

/** Options of an `execute` message. */
export interface ExecuteOptions {
  /** `event-lock: true`: run after the app already executing instead of nested inside it. */
  eventLock?: boolean;
  /** `async: true`: do not block the socket's command queue (outbound `async` sockets). */
  async?: boolean;
  /** `loops`: how many times to run the app. */
  loops?: number;
  /** `Event-UUID`: comes back as `Application-UUID` on the app's execute events. */
  eventUuid?: string;
}

/**
 * The `sendmsg` for `execute <app> <arg>`. The argument must be one line; a long argument is
 * sent as a body, which FreeSWITCH accepts where the header would be truncated.
 */
export function executeMessage(app: string, arg: string | undefined, options: ExecuteOptions = {}): ChannelMessage {
  assertToken(app, 'app');
  const headers: Record<string, string | number | boolean | undefined> = { 'execute-app-name': app };
  let body: string | undefined;
  if (arg !== undefined && arg.length > 0) {
    assertNoNewline(arg, 'app argument');
    if (Buffer.byteLength(arg, 'utf8') > MAX_INLINE_ARGUMENT_BYTES) body = arg;
    else headers['execute-app-arg'] = arg;
  }
  if (options.loops !== undefined) headers.loops = options.loops;
  if (options.eventLock) headers['event-lock'] = 'true';
  if (options.async) headers.async = 'true';
  if (options.eventUuid !== undefined) headers['Event-UUID'] = assertToken(options.eventUuid, 'eventUuid');
  return { command: 'execute', headers, body };
}

/** `sendevent <name>` with headers and an optional body. */
export function sendeventCommand(name: string, headers: CommandHeaders = {}, body?: string): string {
  return buildCommand(`sendevent ${assertToken(name, 'event name')}`, headers, body);
}
