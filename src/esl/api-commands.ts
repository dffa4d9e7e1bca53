/**
 * Typed helpers over `api`: each builds its command with the injection guard, runs it, and
 * turns FreeSWITCH's text answer into a value or an {@link EslCommandError}. They take any
 * {@link ApiRunner}, so the inbound client and an outbound call share them.
 *
 * @module
 */
import { EslCommandError } from '../errors.js';
import { assertSingleLine, assertToken } from './commands.js';
import type { CommandOptions } from './connection.js';
import type { EslReply } from './reply.js';

/** Anything that runs `api` commands. */
export interface ApiRunner {
  /** Runs `api <command>` and resolves with FreeSWITCH's reply (an `AsyncESLClient`, an `OutboundCall`). */
  api(command: string, options?: CommandOptions): Promise<EslReply>;
}

/** Which leg(s) `uuid_broadcast` plays to. */
export type BroadcastLeg = 'aleg' | 'bleg' | 'both';

async function expectOk(runner: ApiRunner, command: string, options?: CommandOptions): Promise<string> {
  const reply = await runner.api(command, options);
  if (!reply.ok) throw new EslCommandError(`${command.split(' ')[0]} failed: ${reply.text}`, command, reply.text);
  return reply.text;
}

/** Quotes an argument that contains spaces for FreeSWITCH's argument splitter. */
function spaced(value: string, name: string): string {
  assertSingleLine(value, name);
  if (!/\s/.test(value)) return value;
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** `uuid_broadcast <uuid> <path> <leg>`: plays a file/tone/say to a channel. */
export async function uuidBroadcast(r: ApiRunner, uuid: string, path: string, leg: BroadcastLeg = 'aleg', o?: CommandOptions): Promise<string> {
  return expectOk(r, `uuid_broadcast ${assertToken(uuid, 'uuid')} ${spaced(path, 'path')} ${assertToken(leg, 'leg')}`, o);
}

/** `uuid_break <uuid> [all]`: stops what the channel is playing (`all`: and everything queued). */
export async function uuidBreak(r: ApiRunner, uuid: string, all = false, o?: CommandOptions): Promise<void> {
  await expectOk(r, `uuid_break ${assertToken(uuid, 'uuid')}${all ? ' all' : ''}`, o);
}

/** `uuid_bridge <a> <b>`: bridges two existing channels. */
export async function uuidBridge(r: ApiRunner, a: string, b: string, o?: CommandOptions): Promise<void> {
  await expectOk(r, `uuid_bridge ${assertToken(a, 'uuid')} ${assertToken(b, 'otherUuid')}`, o);
}

/** `uuid_kill <uuid> [cause]`: hangs a channel up. */
export async function uuidKill(r: ApiRunner, uuid: string, cause?: string, o?: CommandOptions): Promise<void> {
  await expectOk(r, `uuid_kill ${assertToken(uuid, 'uuid')}${cause ? ` ${assertToken(cause, 'cause')}` : ''}`, o);
}

/** `uuid_transfer <uuid> <dest> [dialplan] [context]`. */
export async function uuidTransfer(
  r: ApiRunner,
  uuid: string,
  destination: string,
  dialplan?: string,
  context?: string,
  o?: CommandOptions,
): Promise<void> {
  let cmd = `uuid_transfer ${assertToken(uuid, 'uuid')} ${assertToken(destination, 'destination')}`;
  if (dialplan !== undefined || context !== undefined) cmd += ` ${assertToken(dialplan ?? 'XML', 'dialplan')}`;
  if (context !== undefined) cmd += ` ${assertToken(context, 'context')}`;
  await expectOk(r, cmd, o);
}

/**
 * `uuid_getvar <uuid> <name>`: the variable's value, or `undefined` when it is unset
 * (FreeSWITCH answers `_undef_`). A missing channel is an {@link EslCommandError}.
 */
export async function uuidGetvar(r: ApiRunner, uuid: string, name: string, o?: CommandOptions): Promise<string | undefined> {
  const text = await expectOk(r, `uuid_getvar ${assertToken(uuid, 'uuid')} ${assertToken(name, 'variable name')}`, o);
  return text === '_undef_' ? undefined : text;
}

/** `uuid_setvar <uuid> <name> [value]`: sets (or, with no value, unsets) a channel variable. */
export async function uuidSetvar(r: ApiRunner, uuid: string, name: string, value?: string, o?: CommandOptions): Promise<void> {
  const v = value === undefined ? '' : ` ${assertSingleLine(value, 'value')}`;
  await expectOk(r, `uuid_setvar ${assertToken(uuid, 'uuid')} ${assertToken(name, 'variable name')}${v}`, o);
}

/** `uuid_exists <uuid>`. */
export async function uuidExists(r: ApiRunner, uuid: string, o?: CommandOptions): Promise<boolean> {
  const reply = await r.api(`uuid_exists ${assertToken(uuid, 'uuid')}`, o);
  return reply.text.trim() === 'true';
}

/** One row of `show channels as json` (every column FreeSWITCH reports, as strings). */
export interface ChannelRow {
  /** Channel uuid. */
  uuid: string;
  /** `inbound` or `outbound`. */
  direction: string;
  /** When it was created, as FreeSWITCH prints it (`2026-01-02 10:00:00`). */
  created: string;
  /** Its creation time, seconds since the epoch (as text). */
  created_epoch: string;
  /** Channel name, e.g. `sofia/internal/1000@example.com`. */
  name: string;
  /** Channel state, e.g. `CS_EXECUTE`. */
  state: string;
  /** Caller id name. */
  cid_name: string;
  /** Caller id number. */
  cid_num: string;
  /** Destination number. */
  dest: string;
  /** The application running, e.g. `park`. */
  application: string;
  /** That application's argument. */
  application_data: string;
  /** Dialplan context. */
  context: string;
  /** Call state, e.g. `ACTIVE`, `RINGING`, `HELD`. */
  callstate: string;
  [column: string]: string;
}

/** `show channels as json`, parsed. */
export async function showChannels(r: ApiRunner, o?: CommandOptions): Promise<ChannelRow[]> {
  const text = await expectOk(r, 'show channels as json', o);
  let parsed: { row_count?: number; rows?: ChannelRow[] };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    throw new EslCommandError('show channels returned text that is not JSON', 'show channels as json', text.slice(0, 200));
  }
  return parsed.rows ?? [];
}

/** What `status` reports. */
export interface SwitchStatus {
  /** Uptime in ms. */
  uptimeMs: number;
  /** FreeSWITCH's version string, e.g. `1.10.12-release ...`. */
  version: string | undefined;
  /** `is ready` appears in the text. */
  ready: boolean;
  /** Sessions since startup. */
  sessionsSinceStartup: number | undefined;
  /** Current sessions. */
  sessions: number | undefined;
  /** Maximum sessions allowed. */
  maxSessions: number | undefined;
  /** The full text. */
  raw: string;
}

const UNIT_MS: Record<string, number> = {
  years: 365 * 86_400_000,
  days: 86_400_000,
  hours: 3_600_000,
  minutes: 60_000,
  seconds: 1000,
  milliseconds: 1,
  microseconds: 0.001,
};

/** Parses the text of `api status`. */
export function parseStatus(raw: string): SwitchStatus {
  let uptimeMs = 0;
  const up = /^UP (.*)$/m.exec(raw)?.[1] ?? '';
  for (const m of up.matchAll(/(\d+) (\w+)/g)) uptimeMs += Number(m[1]) * (UNIT_MS[m[2]!] ?? 0);
  const num = (re: RegExp): number | undefined => {
    const m = re.exec(raw);
    return m ? Number(m[1]) : undefined;
  };
  return {
    uptimeMs: Math.round(uptimeMs),
    version: /\(Version ([^)]*)\)/.exec(raw)?.[1],
    ready: /is ready/.test(raw),
    sessionsSinceStartup: num(/^(\d+) session\(s\) since startup/m),
    sessions: num(/^(\d+) session\(s\) - peak/m),
    maxSessions: num(/^(\d+) session\(s\) max/m),
    raw,
  };
}

/** `api status`, parsed. */
export async function status(r: ApiRunner, o?: CommandOptions): Promise<SwitchStatus> {
  return parseStatus(await expectOk(r, 'status', o));
}
