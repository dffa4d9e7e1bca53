/**
 * Every Event Socket command the library writes is built here, behind one injection guard,
 * {@link assertSingleLine}: an argument containing a byte at which FreeSWITCH ends a line would
 * end the command early and start another one, so it is rejected with
 * {@link EslInvalidArgumentError} before a byte is written. Multi-line payloads travel in a
 * `Content-Length` body instead, which may hold any byte.
 *
 * The rules come from `mod_event_socket.c`: `read_packet` reads a command's header block byte by
 * byte until two LFs (CRs between them ignored) or `max_len` bytes, then splits it into lines
 * with `strchr(cur, '\r') || strchr(cur, '\n')` (and `strip_cr`), on a C string that ends at
 * the first NUL. So LF and CR end a header line, and NUL ends the whole header block: every
 * header after it, `Content-Length` included, is never seen, and the body is then read as the
 * next command.
 *
 * @module
 */
import { EslCommandTooLargeError, EslInvalidArgumentError } from '../errors.js';

/** The bytes FreeSWITCH ends a header line at (`read_packet`, `strip_cr`): NUL, LF, CR. */
const LINE_END = /[\0\n\r]/;
const WHITESPACE = /\s/;
/** The end of a header block as `read_packet` finds it: two LFs, any CRs between them. */
const BLANK_LINE = /\n\r*\n/;

/**
 * Bytes of a command's header block (the command line, its headers and the blank line) that
 * FreeSWITCH reads as one command: `max_len` in `read_packet`. At that many bytes it stops
 * reading, runs what it has, and reads the rest of the line as another command.
 */
export const FREESWITCH_MAX_COMMAND_BYTES = 10_485_760;

/**
 * Largest body FreeSWITCH accepts (`MAX_CONTENT_LENGTH` in `mod_event_socket.c`): a larger
 * `Content-Length` makes `read_packet` fail and FreeSWITCH closes the connection.
 */
export const FREESWITCH_MAX_BODY_BYTES = 16 * 1024 * 1024;

/**
 * Default of the `maxCommandBytes` option of the client and the outbound server: the largest
 * header block (command line and headers) the library writes. Far above any real command (an
 * originate with a hundred variables is a few KB) and well under FreeSWITCH's own cut.
 */
export const DEFAULT_MAX_COMMAND_BYTES = 1024 * 1024;

/**
 * Arguments longer than this travel in a body. `read_packet` would read a longer header (its
 * buffer grows in 2 KiB blocks), but libesl's `esl_execute` cuts `execute-app-arg` at 4 KiB and a
 * body is the form FreeSWITCH documents for long arguments; we switch well before either.
 */
export const MAX_INLINE_ARGUMENT_BYTES = 1024;

/**
 * Header names the framing owns: `read_packet` reads that many bytes after the header block as
 * the command's body, so a user header of that name would swallow the next command.
 */
const FRAMING_HEADERS = new Set(['content-length']);

const BYTE_NAMES: Record<string, string> = { '\0': 'NUL', '\n': 'LF', '\r': 'CR' };

/** Whether `value` contains a byte FreeSWITCH ends a command line at (NUL, LF or CR). */
export function hasLineEnd(value: string): boolean {
  return LINE_END.test(value);
}

/**
 * The injection guard: rejects a value containing NUL, LF or CR, the bytes at which FreeSWITCH
 * ends a line of a command (see the module comment). Every builder runs every argument that
 * reaches a command line or a header value through it. Returns the value for chaining.
 */
export function assertSingleLine(value: string, argument: string): string {
  if (typeof value !== 'string') throw new EslInvalidArgumentError(`${argument} must be a string`, argument);
  const found = LINE_END.exec(value);
  if (found) {
    throw new EslInvalidArgumentError(
      `${argument} contains ${BYTE_NAMES[found[0]]}, where FreeSWITCH ends a command line: it would inject a second command`,
      argument,
    );
  }
  return value;
}

/**
 * The same guard as {@link assertSingleLine} (NUL, LF and CR).
 *
 * @deprecated Use {@link assertSingleLine}; this name predates the NUL rule.
 */
export const assertNoNewline: (value: string, argument: string) => string = assertSingleLine;

/**
 * Rejects an empty value, whitespace or a line end: for positional arguments such as a uuid, a
 * variable name or an event name, where a space would shift every argument after it.
 */
export function assertToken(value: string, argument: string): string {
  assertSingleLine(value, argument);
  if (value.length === 0) throw new EslInvalidArgumentError(`${argument} must not be empty`, argument);
  if (WHITESPACE.test(value)) throw new EslInvalidArgumentError(`${argument} must not contain whitespace`, argument);
  return value;
}

/**
 * Rejects a header name FreeSWITCH would read differently from what was meant: not a token, a
 * `:` (`read_packet` splits name and value at the first one, so `Content-Length:9` would be a
 * `Content-Length` header), or a name the framing owns (`Content-Length`, in any case).
 */
export function assertHeaderName(name: string): string {
  assertToken(name, 'header name');
  if (name.includes(':')) throw new EslInvalidArgumentError(`header name ${JSON.stringify(name)} contains ':'`, 'header name');
  if (FRAMING_HEADERS.has(name.toLowerCase())) {
    throw new EslInvalidArgumentError(
      `header ${name} is written by the library from the body; set by hand, FreeSWITCH would read the next command as this one's body`,
      name,
    );
  }
  return name;
}

/**
 * Bytes of a serialised command's header block, the blank line included: what FreeSWITCH reads
 * line by line and cuts at {@link FREESWITCH_MAX_COMMAND_BYTES}.
 */
export function commandHeaderBytes(command: string): number {
  const blank = BLANK_LINE.exec(command);
  return Buffer.byteLength(blank === null ? command : command.slice(0, blank.index + blank[0].length), 'utf8');
}

/**
 * Rejects a serialised command whose header block is over `limit` bytes (never more than
 * {@link FREESWITCH_MAX_COMMAND_BYTES}) with {@link EslCommandTooLargeError}. Free for the usual
 * short command: the byte count is taken only when the text could be that long.
 */
export function assertCommandSize(command: string, limit: number = DEFAULT_MAX_COMMAND_BYTES): void {
  const max = Math.min(limit, FREESWITCH_MAX_COMMAND_BYTES);
  if (command.length * 3 <= max) return; // UTF-8 takes at most 3 bytes per UTF-16 unit
  const bytes = commandHeaderBytes(command);
  if (bytes <= max) return;
  const which = max === FREESWITCH_MAX_COMMAND_BYTES ? "FreeSWITCH's own cut (read_packet's max_len)" : 'maxCommandBytes';
  throw new EslCommandTooLargeError(
    `the command line and headers take ${bytes} bytes, over the limit of ${max} (${which}); send long data in a body`,
    'command',
    bytes,
    max,
  );
}

/**
 * Checks a command written by hand ({@link AsyncESLClient.send}) is exactly one command as
 * `read_packet` reads it: a header block ended by a blank line, no NUL in it, CR only before
 * LF, at most one `Content-Length`, and then exactly that many body bytes (none without one).
 * Anything else would run a second command or swallow the next one, and every later reply
 * would go to the wrong caller.
 */
export function assertSingleCommand(command: string): string {
  if (typeof command !== 'string') throw new EslInvalidArgumentError('command must be a string', 'command');
  const blank = BLANK_LINE.exec(command);
  if (blank === null || blank.index === 0) {
    throw new EslInvalidArgumentError('a command must be a non-empty line followed by a blank line (\\n\\n)', 'command');
  }
  const head = command.slice(0, blank.index);
  const bodyStart = blank.index + blank[0].length;
  if (head.includes('\0')) throw new EslInvalidArgumentError('command contains NUL before its blank line: FreeSWITCH would stop reading there', 'command');
  if (/\r(?!\n)/.test(`${head}\n`)) {
    throw new EslInvalidArgumentError('command contains a CR that does not end a line: FreeSWITCH would split the line there', 'command');
  }
  let length: number | undefined;
  for (const line of head.split('\n').slice(1)) {
    const colon = line.indexOf(':');
    if (colon === -1 || line.slice(0, colon).toLowerCase() !== 'content-length') continue;
    if (length !== undefined) throw new EslInvalidArgumentError('command has two Content-Length headers', 'command');
    const text = line.slice(colon + 1).replace(/^ +/, '').replace(/\r$/, '');
    if (!/^\d{1,9}$/.test(text)) throw new EslInvalidArgumentError(`invalid Content-Length ${JSON.stringify(text.slice(0, 20))}`, 'command');
    length = Number(text);
  }
  const body = Buffer.byteLength(command, 'utf8') - Buffer.byteLength(command.slice(0, bodyStart), 'utf8');
  if (body !== (length ?? 0)) {
    throw new EslInvalidArgumentError(
      length === undefined
        ? 'command has bytes after its blank line and no Content-Length: FreeSWITCH would run them as another command'
        : `Content-Length says ${length} bytes but the body has ${body}`,
      'command',
    );
  }
  if (body > FREESWITCH_MAX_BODY_BYTES) {
    throw new EslCommandTooLargeError(`the body of ${body} bytes is over FreeSWITCH's MAX_CONTENT_LENGTH (${FREESWITCH_MAX_BODY_BYTES})`, 'body', body, FREESWITCH_MAX_BODY_BYTES);
  }
  return command;
}

/** Header fields of a command or message, in order. */
export type CommandHeaders = Readonly<Record<string, string | number | boolean | undefined>>;

/**
 * Serialises a command: its line, optional `Name: value` headers, and an optional body sent
 * with `Content-Length` (byte length, UTF-8). The line and every header value go through
 * {@link assertSingleLine}, every header name through {@link assertHeaderName}; the body may
 * contain anything, up to {@link FREESWITCH_MAX_BODY_BYTES}.
 */
export function buildCommand(line: string, headers?: CommandHeaders, body?: string): string {
  assertSingleLine(line, 'command');
  let out = line;
  out += '\n';
  if (headers) {
    for (const name in headers) {
      const v = headers[name];
      if (v === undefined) continue;
      assertHeaderName(name);
      out += `${name}: ${assertSingleLine(String(v), name)}\n`;
    }
  }
  if (body !== undefined && body.length > 0) {
    const length = Buffer.byteLength(body, 'utf8');
    if (length > FREESWITCH_MAX_BODY_BYTES) {
      throw new EslCommandTooLargeError(
        `the body of ${length} bytes is over FreeSWITCH's MAX_CONTENT_LENGTH (${FREESWITCH_MAX_BODY_BYTES}): FreeSWITCH would close the connection`,
        'body',
        length,
        FREESWITCH_MAX_BODY_BYTES,
      );
    }
    out += `Content-Length: ${length}\n\n${body}`;
    return out;
  }
  return `${out}\n`;
}

/** `auth <password>`. */
export function authCommand(password: string): string {
  return buildCommand(`auth ${assertSingleLine(password, 'password')}`);
}

/**
 * `userauth <user>@<domain>:<password>`. FreeSWITCH (`parse_command`) takes the password from
 * the first `:` on, so a `:` in the user would hand it part of the user as the password.
 */
export function userauthCommand(user: string, password: string): string {
  assertToken(user, 'user');
  if (user.includes(':')) throw new EslInvalidArgumentError("user must not contain ':' (FreeSWITCH splits user and password there)", 'user');
  return buildCommand(`userauth ${user}:${assertSingleLine(password, 'password')}`);
}

/**
 * Quotes an API argument for FreeSWITCH's `switch_separate_string`, which splits on spaces
 * outside `'...'` and then unescapes backslash sequences and drops paired single quotes in
 * every argument: an argument with whitespace, a single quote or a backslash is wrapped in
 * single quotes with its single quotes and backslashes escaped, so it arrives as written.
 * Others (JSON without spaces included: `"` is not special) go as they are, byte for byte what
 * the recordings show.
 */
export function quoteApiArgument(text: string): string {
  if (!/[\s'\\]/.test(text)) return text;
  return `'${text.replace(/[\\']/g, (c) => `\\${c}`)}'`;
}

/** `api <command>`. */
export function apiCommand(command: string): string {
  return buildCommand(`api ${assertSingleLine(command, 'api command').trim()}`);
}

/** `bgapi <command>` with our own `Job-UUID`, so the result can never race the reply. */
export function bgapiCommand(command: string, jobUuid: string): string {
  return buildCommand(`bgapi ${assertSingleLine(command, 'bgapi command').trim()}`, {
    'Job-UUID': assertToken(jobUuid, 'jobUuid'),
  });
}

/** Event formats FreeSWITCH can send. */
export type EventSubscriptionFormat = 'plain' | 'json' | 'xml';

/** `event <format> <names...>`; `CUSTOM` subclasses follow `CUSTOM` as further names. */
export function eventCommand(format: EventSubscriptionFormat, names: readonly string[]): string {
  if (format !== 'plain' && format !== 'json' && format !== 'xml') {
    throw new EslInvalidArgumentError(`event format must be plain, json or xml, not ${JSON.stringify(String(format).slice(0, 20))}`, 'format');
  }
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
  return buildCommand(`filter ${assertToken(header, 'filter header')} ${assertSingleLine(value, 'filter value')}`);
}

/** `filter delete <header> [value]`. */
export function filterDeleteCommand(header: string, value?: string): string {
  assertToken(header, 'filter header');
  return buildCommand(
    value === undefined ? `filter delete ${header}` : `filter delete ${header} ${assertSingleLine(value, 'filter value')}`,
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

/**
 * `sendmsg [uuid]` with `call-command` and headers; the uuid is omitted on an outbound socket.
 * `call-command` comes from `msg.command` only (a header of that name, in any case, is
 * refused); a body gets `content-type: text/plain` unless a `content-type` is given, which is
 * what `switch_ivr_parse_event` needs to take the body as the application's argument.
 */
export function sendmsgCommand(uuid: string | undefined, msg: ChannelMessage): string {
  const line = uuid === undefined ? 'sendmsg' : `sendmsg ${assertToken(uuid, 'uuid')}`;
  const headers: Record<string, string | number | boolean | undefined> = { 'call-command': assertToken(msg.command, 'call-command') };
  let contentType = false;
  for (const name in msg.headers) {
    const lower = name.toLowerCase();
    if (lower === 'call-command') throw new EslInvalidArgumentError('the call-command header comes from the message\'s `command`', name);
    if (lower === 'content-type') contentType = true;
    headers[name] = msg.headers[name];
  }
  if (msg.body !== undefined && msg.body.length > 0 && !contentType) headers['content-type'] = 'text/plain';
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
 * The `sendmsg` for `execute <app> <arg>`. The argument must be one line; one longer than
 * {@link MAX_INLINE_ARGUMENT_BYTES} is sent as a body.
 */
export function executeMessage(app: string, arg: string | undefined, options: ExecuteOptions = {}): ChannelMessage {
  assertToken(app, 'app');
  const headers: Record<string, string | number | boolean | undefined> = { 'execute-app-name': app };
  let body: string | undefined;
  if (arg !== undefined && arg.length > 0) {
    assertSingleLine(arg, 'app argument');
    if (Buffer.byteLength(arg, 'utf8') > MAX_INLINE_ARGUMENT_BYTES) body = arg;
    else headers['execute-app-arg'] = arg;
  }
  if (options.loops !== undefined) headers.loops = options.loops;
  if (options.eventLock) headers['event-lock'] = 'true';
  if (options.async) headers.async = 'true';
  if (options.eventUuid !== undefined) headers['Event-UUID'] = assertToken(options.eventUuid, 'eventUuid');
  return { command: 'execute', headers, body };
}

/**
 * `sendevent <name>` with headers and an optional body. `Content-Type` stays yours (mod_sofia
 * reads it on `NOTIFY` and `SEND_MESSAGE` events); `Content-Length` is the framing's and is
 * refused.
 */
export function sendeventCommand(name: string, headers: CommandHeaders = {}, body?: string): string {
  return buildCommand(`sendevent ${assertToken(name, 'event name')}`, headers, body);
}
