import { randomUUID } from 'node:crypto';
import { EslInvalidArgumentError, OriginateError } from '../errors.js';
import { assertSingleLine, assertToken, quoteApiArgument } from './commands.js';

/** What an originated leg does once answered. */
export type OriginateTarget =
  | {
      /** Run an application: `&app(arg)` (quoted when `arg` has blanks, quotes or backslashes, e.g. `'&socket(127.0.0.1:8022 async full)'`). */
      app: string;
      appArg?: string;
    }
  | { /** Send it to the dialplan. */ extension: string; dialplan?: string; context?: string };

/** Options of `originate`. */
export type OriginateOptions = OriginateTarget & {
  /** The dial string: `user/1000`, `sofia/gateway/gw/5551234`, `loopback/9000/default`. */
  dialString: string;
  /** Channel variables set on the new leg (`{a=1,b=2}`), escaped the way FreeSWITCH parses them. */
  variables?: Readonly<Record<string, string | number | boolean>>;
  /** The new leg's uuid (`origination_uuid`); a random one is chosen when omitted. */
  uuid?: string;
  /** Seconds to wait for an answer (`originate_timeout`). */
  timeoutSeconds?: number;
  /** Caller ID shown to the called party. */
  callerIdName?: string;
  callerIdNumber?: string;
  /** Ms to wait for the `BACKGROUND_JOB` result (default: the client's `backgroundJobTimeout`). */
  jobTimeout?: number;
  signal?: AbortSignal;
};

const NEEDS_QUOTES = /[\s]/;

/**
 * Escapes one `{var=value}` value so that it reaches the channel unchanged. FreeSWITCH reads an
 * originate line in two passes (`switch_separate_string`): first it splits on blanks, honouring
 * single quotes and consuming `\\` and `\'` escapes; then it splits the `{...}` block on commas,
 * consuming `\,`, `\\` and `\'`. Quotes do not protect commas (`v='p,q'` sets `v` to `p`: the
 * first pass already removed them). So the value is escaped for the comma pass, then for the
 * blank pass, and wrapped in single quotes when it contains whitespace. FreeSWITCH trims
 * trailing blanks of a value whatever the quoting. Braces would end the block and are rejected.
 */
export function escapeChannelVariable(value: string, name = 'value'): string {
  assertSingleLine(value, name);
  if (/[{}]/.test(value)) {
    throw new EslInvalidArgumentError(`${name} contains { or }, which would end the variable block of the dial string`, name);
  }
  const commaPass = value.replace(/[\\,']/g, (ch) => `\\${ch}`);
  const blankPass = commaPass.replace(/[\\']/g, (ch) => `\\${ch}`);
  return NEEDS_QUOTES.test(value) ? `'${blankPass}'` : blankPass;
}

/** Builds `{a=1,b='x y'}` from a record (empty string when there are none). */
export function buildChannelVariables(variables: Readonly<Record<string, string | number | boolean>>): string {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(variables)) {
    assertToken(name, 'variable name');
    if (/[=,{}'"]/.test(name)) throw new EslInvalidArgumentError(`variable name ${JSON.stringify(name)} is not valid`, 'variable name');
    parts.push(`${name}=${escapeChannelVariable(String(value), `variables.${name}`)}`);
  }
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

/** The `originate` command line (without `api`/`bgapi`) and the uuid the new leg will have. */
export function buildOriginate(options: OriginateOptions): { command: string; uuid: string } {
  const uuid = options.uuid ?? randomUUID();
  assertToken(uuid, 'uuid');
  assertToken(options.dialString, 'dialString');
  const variables: Record<string, string | number | boolean> = { origination_uuid: uuid, ...options.variables };
  if (options.timeoutSeconds !== undefined) variables.originate_timeout = Math.max(1, Math.round(options.timeoutSeconds));
  if (options.callerIdName !== undefined) variables.origination_caller_id_name = options.callerIdName;
  if (options.callerIdNumber !== undefined) variables.origination_caller_id_number = options.callerIdNumber;
  const leg = `${buildChannelVariables(variables)}${options.dialString}`;
  let target: string;
  if ('app' in options) {
    assertToken(options.app, 'app');
    const arg = options.appArg === undefined ? '' : assertSingleLine(options.appArg, 'appArg');
    if (arg.includes(')')) throw new EslInvalidArgumentError('appArg must not contain ")": FreeSWITCH ends the argument at the first one', 'appArg');
    target = quoteApiArgument(`&${options.app}(${arg})`);
  } else {
    target = assertToken(options.extension, 'extension');
    if (options.dialplan !== undefined || options.context !== undefined) target += ` ${assertToken(options.dialplan ?? 'XML', 'dialplan')}`;
    if (options.context !== undefined) target += ` ${assertToken(options.context, 'context')}`;
  }
  return { command: `originate ${leg} ${target}`, uuid };
}

/**
 * Reads an originate result (`+OK <uuid>` or `-ERR <CAUSE>`). Returns the uuid or throws
 * {@link OriginateError} with the hangup cause.
 */
export function parseOriginateResult(command: string, text: string): string {
  const t = text.trim();
  if (t.startsWith('+OK')) return t.slice(3).trim();
  const cause = t.startsWith('-ERR') ? t.slice(4).trim() || 'UNKNOWN' : 'UNKNOWN';
  throw new OriginateError(command, t, cause.split(/\s/)[0]!);
}
