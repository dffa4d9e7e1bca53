/**
 * `parse_command` of mod_event_socket.c, ported for the simulator: the same command matching
 * (prefixes, case-insensitive), the same order of checks, the same reply texts, including
 * FreeSWITCH's own quirks (`-ERR not loging`, `-ERR aready enabled.`, an empty reply becoming
 * `-ERR command not found`).
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { apiResponseFrame, commandReplyFrame, serializePlainEvent } from '../esl/event-serializer.js';
import type { ApiAnswer, ApiResult } from './call-flows.js';
import type { SimulatedChannel } from './channel-model.js';
import { CALLING_SITES, canonicalEventName, type HeaderPairs } from './event-templates.js';
import { headerOf, type ReceivedCommand, type SimulatedListener } from './listener.js';
import { unicastParams } from './unicast-media.js';
import { filter, MYEVENTS, nixevent, subscribe } from './subscription-commands.js';
import type { SwitchCore } from './switch-core.js';

/** What command handling needs from the simulator. */
export interface CommandHost {
  /** The switch the commands act on. */
  readonly core: SwitchCore;
  /** `auth <password>` / `userauth user@domain:password`. */
  checkLogin(user: string | undefined, password: string): boolean;
  /** Runs an api command; `undefined` when there is no such command. */
  runApi(command: string, args: string): ApiAnswer | undefined;
  /** A connection that waited for a slow `api` may read its next commands. */
  resume(l: SimulatedListener): void;
  /** Runs a `bgapi` job and fires its `BACKGROUND_JOB` (`args` undefined: none, not even empty). */
  backgroundJob(command: string, args: string | undefined, jobUuid: string): void;
  /** Writes the reply and FreeSWITCH's disconnect notice, then closes. */
  goodbye(l: SimulatedListener, replyText: string): void;
  /** Fires an event built by `sendevent` (already stamped). */
  fanOut(event: { name: string; subclass?: string; headers: HeaderPairs; body?: string }): void;
}

/** FreeSWITCH's log level names, by number (0 `CONSOLE` .. 7 `DEBUG`). */
export const LOG_LEVELS: readonly string[] = ['CONSOLE', 'ALERT', 'CRIT', 'ERR', 'WARNING', 'NOTICE', 'INFO', 'DEBUG'];

/** `switch_log_str2level`: a number, or a level name; -1 when invalid. */
export function logLevelOf(text: string): number {
  if (/^-?\d+$/.test(text)) return Math.min(Math.max(Number(text), 0), 63);
  return LOG_LEVELS.indexOf(text.toUpperCase());
}

/** Reply texts are cut at 511 bytes (FreeSWITCH's 512-byte reply buffer). */
function cut(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  return bytes.length <= 511 ? text : bytes.subarray(0, 511).toString('utf8');
}

function reply(l: SimulatedListener, text: string): void {
  if (l.muted) return;
  l.write(commandReplyFrame(cut(text === '' ? '-ERR command not found' : text)));
}

/**
 * The reply to `connect` on a connection that controls a channel: one header block, the channel
 * data (`Event-Name: CHANNEL_DATA`, the caller profile as `Channel-*`, the channel's own headers
 * and variables), then `Content-Type: command/reply`, `Reply-Text: +OK` with a newline,
 * `Socket-Mode` and `Control` at the end.
 */
export function channelDataReply(core: SwitchCore, channel: SimulatedChannel | undefined, mode: { async: boolean; full: boolean }): string {
  const headers: HeaderPairs = core.factory.prep('CHANNEL_DATA');
  if (channel) headers.push(...channel.profileHeaders('Channel'), ...channel.eventHeaders());
  headers.push(
    ['Content-Type', 'command/reply'],
    ['Reply-Text', '+OK\n'],
    ['Socket-Mode', mode.async ? 'async' : 'static'],
    ['Control', mode.full ? 'full' : 'single-channel'],
  );
  return serializePlainEvent(headers);
}

/** Handles one command on an inbound connection, exactly in parse_command's order. */
export function handleCommand(host: CommandHost, l: SimulatedListener, command: ReceivedCommand): void {
  const cmd = command.line;
  const lower = cmd.toLowerCase();
  const has = (prefix: string): boolean => lower.startsWith(prefix);
  if (has('exit') || has('...')) return host.goodbye(l, '+OK bye');
  if (!l.authed) return login(host, l, cmd);
  if (l.outbound && !l.firstCommandRead) {
    // listener_run reads the first packet of an outbound socket and runs it, but sends no reply
    // (only `connect` writes its own): a command sent before `connect` takes effect unanswered.
    l.firstCommandRead = true;
    l.muted = !has('connect');
    try {
      return handleCommand(host, l, command);
    } finally {
      l.muted = false;
    }
  }
  if (has('filter ')) return reply(l, filter(l, cmd.slice(7)));
  if (l.sessionUuid !== undefined && has('resume')) return reply(l, '+OK');
  if (l.sessionUuid !== undefined || has('myevents ')) {
    const channel = l.sessionUuid === undefined ? undefined : host.core.channels.get(l.sessionUuid);
    if (has('connect')) {
      const first = !l.connected;
      l.connected = true;
      l.write(channelDataReply(host.core, channel, l.outbound ?? { async: true, full: false }));
      // socket_function was waiting for LFLAG_CONNECTED: it parks now (its CHANNEL_PARK follows the reply).
      if (first) l.onConnect?.();
      return;
    }
    if (has('getvar')) {
      const space = cmd.indexOf(' ');
      return reply(l, space === -1 ? '' : (channel?.variables.get(cmd.slice(space + 1)) ?? ''));
    }
    if (has('myevents')) return reply(l, myevents(host, l, cmd));
  }
  if (has('divert_events')) {
    if (l.sessionUuid === undefined) return reply(l, '-ERR not controlling a session.');
    const value = cmd.slice(13).trim();
    if (value === '') return reply(l, '-ERR missing value.');
    return reply(l, value.toLowerCase() === 'on' ? '+OK events diverted' : '+OK events not diverted');
  }
  if (has('sendmsg')) return reply(l, sendmsg(host, l, command));
  // An outbound socket without `full` stops here: every other command is `-ERR command not found`.
  if (l.outbound && !l.outbound.full) return reply(l, '');
  if (has('sendevent')) return reply(l, sendevent(host, command));
  if (has('api ')) return api(host, l, cmd.slice(4));
  if (has('bgapi ')) return bgapi(host, l, cmd.slice(6), command);
  if (has('log')) {
    let level = cmd.slice(3);
    if (level !== '') level = level.slice(1);
    const n = level === '' ? 7 : logLevelOf(level);
    if (n < 0) return reply(l, '-ERR invalid log level');
    l.logLevel = n;
    return reply(l, `+OK log level ${level} [${n}]`);
  }
  if (has('linger')) {
    if (l.sessionUuid === undefined) return reply(l, '-ERR not controlling a session');
    l.lingerSeconds = cmd[6] === ' ' && cmd.length > 7 ? Number.parseInt(cmd.slice(7), 10) || 0 : -1;
    return reply(l, l.lingerSeconds === -1 ? '+OK will linger' : `+OK will linger ${l.lingerSeconds} seconds`);
  }
  if (has('nolinger')) {
    if (l.sessionUuid === undefined) return reply(l, '-ERR not controlling a session');
    l.lingerSeconds = undefined;
    return reply(l, '+OK will not linger');
  }
  if (has('nolog')) {
    if (l.logLevel === undefined) return reply(l, '-ERR not loging');
    l.logLevel = undefined;
    return reply(l, '+OK no longer logging');
  }
  if (has('event')) return reply(l, subscribe(l, cmd));
  if (has('nixevent')) return reply(l, nixevent(l, cmd));
  if (has('noevents')) {
    if (!l.eventsEnabled) return reply(l, '-ERR not listening for events');
    l.clearEvents();
    return reply(l, '+OK no longer listening for events');
  }
  reply(l, '');
}

function login(host: CommandHost, l: SimulatedListener, cmd: string): void {
  const lower = cmd.toLowerCase();
  let ok: boolean | undefined;
  if (lower.startsWith('auth ')) ok = host.checkLogin(undefined, cmd.slice(5));
  if (lower.startsWith('userauth ')) {
    const rest = cmd.slice(9);
    const colon = rest.indexOf(':', Math.max(rest.indexOf('@'), 0));
    ok = colon > 0 && rest.includes('@') && host.checkLogin(rest.slice(0, colon), rest.slice(colon + 1));
  }
  if (ok === undefined) return reply(l, '');
  if (!ok) return host.goodbye(l, '-ERR invalid');
  l.authed = true;
  if (lower.startsWith('userauth ')) {
    return l.write(commandReplyFrame('+OK accepted', [['Allowed-Events', 'all'], ['Allowed-API', 'all'], ['Allowed-LOG', 'true']]));
  }
  reply(l, '+OK accepted');
}

function myevents(host: CommandHost, l: SimulatedListener, cmd: string): string {
  if (l.myEvents) return '-ERR aready enabled.';
  let scanned = cmd;
  if (l.sessionUuid === undefined) {
    const rest = cmd.slice(9);
    const space = rest.indexOf(' ');
    const uuid = space === -1 ? rest : rest.slice(0, space);
    // FreeSWITCH cuts the line at the uuid before looking for a format: `myevents <uuid> json`
    // keeps the current format (a FreeSWITCH quirk the simulator reproduces).
    scanned = cmd.slice(0, 9 + uuid.length);
    if (host.core.channels.has(uuid)) l.sessionUuid = uuid;
    else if (space !== -1) return '-ERR invalid uuid';
  }
  for (const name of MYEVENTS) l.events.add(name);
  l.myEvents = true;
  l.eventsEnabled = true;
  if (/xml/i.test(scanned)) l.format = 'xml';
  if (/json/i.test(scanned)) l.format = 'json';
  return '+OK Events Enabled';
}

function api(host: CommandHost, l: SimulatedListener, text: string): void {
  const space = text.indexOf(' ');
  const name = space === -1 ? text : text.slice(0, space);
  const answer = host.runApi(name, space === -1 ? '' : text.slice(space + 1));
  const reply = (result: ApiResult | undefined): void => {
    const body = result === undefined ? `-ERR ${name} Command not found!\n` : result.body === '' ? '-ERR no reply\n' : result.body;
    l.write(apiResponseFrame(body));
    if (result?.after) afterReply(result.after);
  };
  if (!(answer instanceof Promise)) return l.blocking(() => reply(answer));
  // A slow command (an originate that rings): the connection reads nothing else and its events
  // wait until the reply is out, as in FreeSWITCH's listener thread.
  l.hold();
  l.busy = true;
  void answer
    .catch((error: unknown) => ({ body: `-ERR ${(error as Error).message}\n` }))
    .then((result) => {
      if (l.closed) return;
      reply(result);
      l.busy = false;
      l.release();
      host.resume(l);
    });
}

/**
 * Runs `fn` the way FreeSWITCH's other threads follow a reply: after the client has had a turn
 * to read the reply (two event-loop turns), so the reply and what follows never share a read.
 */
export function afterReply(fn: () => void): void {
  setImmediate(() => setImmediate(fn));
}

function bgapi(host: CommandHost, l: SimulatedListener, text: string, command: ReceivedCommand): void {
  const given = headerOf(command.headerList, 'job-uuid');
  const jobUuid = given === undefined ? randomUUID() : given.slice(0, 36);
  l.write(commandReplyFrame(`+OK Job-UUID: ${jobUuid}`, [['Job-UUID', jobUuid]]));
  const space = text.indexOf(' ');
  const name = space === -1 ? text : text.slice(0, space);
  afterReply(() => host.backgroundJob(name, space === -1 ? undefined : text.slice(space + 1), jobUuid));
}

function sendevent(host: CommandHost, command: ReceivedCommand): string {
  const uuid = randomUUID();
  const headers: HeaderPairs = [['Command', command.line], ...command.headerList, ['Event-UUID', uuid]];
  const given = command.line.slice(9).replace(/^[ \t]+/, '');
  const name = (given && canonicalEventName(given)) || 'CLONE';
  let subclass: string | undefined;
  if (name === 'CUSTOM') {
    subclass = headerOf(headers, 'Event-Subclass');
    if (subclass !== undefined) {
      const kept = headers.filter(([k]) => k.toLowerCase() !== 'event-subclass');
      headers.splice(0, headers.length, ['Event-Subclass', subclass], ...kept);
    }
  }
  const target = headerOf(headers, 'unique-id');
  const channel = target === undefined ? undefined : host.core.channels.get(target);
  if (channel) {
    // FreeSWITCH queues an event naming a live channel to that channel instead of firing it.
    afterReply(() => applyMessage(host.core, channel, headers, command.body));
  } else {
    headers.push(...host.core.factory.prep(name, CALLING_SITES.SENDEVENT));
    host.fanOut({ name, ...(subclass !== undefined && { subclass }), headers, ...(command.body !== undefined && { body: command.body }) });
  }
  return `+OK ${uuid}`;
}

function sendmsg(host: CommandHost, l: SimulatedListener, command: ReceivedCommand): string {
  let uuid = command.line.slice(7).trim() || headerOf(command.headerList, 'session-id') || '';
  if (uuid === '' && l.sessionUuid !== undefined) uuid = l.sessionUuid;
  const channel = host.core.channels.get(uuid);
  if (!channel) return `-ERR invalid session id [${uuid}]`;
  afterReply(() => applyMessage(host.core, channel, command.headerList, command.body));
  return '+OK';
}

/** `switch_ivr_parse_event`: what a `sendmsg` (or an event queued to a channel) does. */
export function applyMessage(core: SwitchCore, channel: SimulatedChannel, headers: readonly (readonly [string, string])[], body?: string): void {
  const get = (name: string): string | undefined => headerOf(headers, name);
  const callCommand = get('call-command')?.toLowerCase();
  if (callCommand === 'hangup') return core.hangup(channel, get('hangup-cause') || 'NORMAL_CLEARING');
  if (callCommand === 'unicast') return core.unicastHandler?.(channel, unicastParams(get));
  if (callCommand !== 'execute') return;
  const app = get('execute-app-name') ?? '';
  let arg = get('execute-app-arg');
  if (arg === undefined && get('content-type')?.toLowerCase() === 'text/plain') arg = body;
  const loops = Math.max(1, Number.parseInt(get('loops') ?? '1', 10) || 1);
  const eventLock = /^(true|yes|on|1)$/i.test(get('event-lock') ?? '');
  core.executeMessage(channel, app, arg ?? '', { uuid: get('event-uuid'), eventLock, loops });
}
