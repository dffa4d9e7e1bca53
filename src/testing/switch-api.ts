/**
 * The `api` commands the simulator implements, answering with mod_commands' exact texts (the
 * recorded ones where the recordings have them: `-ERR No such channel!`, `_undef_`,
 * `+OK Message sent`, `{"row_count": 0}` with its space).
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { SimulatedChannel } from './channel-model.js';
import { channelRow } from './channel-records.js';
import { type ApiAnswer, type ApiResult, type OriginateRule, originate, transfer } from './call-flows.js';
import type { SwitchCore } from './switch-core.js';

/** What the api commands need besides the core. */
export interface ApiContext {
  /** The switch the command acts on. */
  core: SwitchCore;
  /** Which originates fail before a channel exists. */
  originateRule?: OriginateRule;
  /** `FreeSWITCH (Version ...)` in `status` / `version`. */
  version: string;
  /** Writes a log line to the connections that asked for logs (`reloadxml` logs one). */
  log: (level: number, file: string, func: string, line: number, message: string) => void;
  /** Runs `bgapi` jobs (mod_commands' `bgapi`, used as `api bgapi ...`). */
  backgroundJob: (command: string, args: string, jobUuid: string) => void;
}

/** One `api` command: its arguments (after the first space) and the context; it may answer later. */
export type ApiCommand = (args: string, ctx: ApiContext) => ApiAnswer;

const NO_CHANNEL = '-ERR No such channel!\n';
const ok = (body = '+OK\n'): ApiResult => ({ body });
const words = (args: string): string[] => args.split(' ').filter((w) => w !== '');

function withChannel(args: string, ctx: ApiContext, min: number, usage: string, fn: (ch: SimulatedChannel, argv: string[]) => ApiResult): ApiResult {
  const argv = words(args);
  if (argv.length < min) return { body: `-USAGE: ${usage}\n` };
  const channel = ctx.core.channels.get(argv[0]!);
  return channel ? fn(channel, argv) : { body: NO_CHANNEL };
}

/** `${var}` / `$${var}` expansion against channel variables, then globals. */
export function expandVariables(text: string, core: SwitchCore, channel?: SimulatedChannel): string {
  return text.replace(/\$\$?\{([^}]*)\}/g, (whole, name: string) => {
    const global = whole.startsWith('$$');
    return (!global ? channel?.variables.get(name) : undefined) ?? core.globals.get(name) ?? '';
  });
}

function status(args: string, { core, version }: ApiContext): ApiResult {
  const up = Date.now() - core.startedAt;
  const s = Math.floor(up / 1000);
  const n = core.channels.size;
  return {
    body:
      `UP 0 years, ${Math.floor(s / 86400)} days, ${Math.floor(s / 3600) % 24} hours, ${Math.floor(s / 60) % 60} minutes, ` +
      `${s % 60} seconds, ${up % 1000} milliseconds, 0 microseconds\n` +
      `FreeSWITCH (Version ${version} 64bit) is ready\n` +
      `${core.sessionsSinceStart} session(s) since startup\n` +
      `${n} session(s) - peak ${core.peakSessions}, last 5min ${core.peakSessions} \n` +
      '0 session(s) per Sec out of max 30, peak 0, last 5min 0 \n' +
      '1000 session(s) max\nmin idle cpu 0.00/99.00\nCurrent Stack Size/Max 240K/8192K\n',
  };
}

function show(args: string, { core }: ApiContext): ApiResult {
  const argv = words(args);
  if (argv[0] !== 'channels' && argv[0] !== 'calls') return { body: '-USAGE: codec|endpoint|application|api|dialplan|file|timer|calls [count]|channels [count|like <match string>]\n' };
  const rows = [...core.channels.values()].map((c) => channelRow(c, core.factory.hostname));
  if (argv[1] === 'count') return { body: `\n${rows.length} total.\n` };
  if (argv[1] === 'as' && argv[2] === 'json') {
    return { body: rows.length === 0 ? '{"row_count": 0}\n' : JSON.stringify({ row_count: rows.length, rows }) };
  }
  if (rows.length === 0) return { body: '\n0 total.\n' };
  const lines = [Object.keys(rows[0]!).join(','), ...rows.map((r) => Object.values(r).join(','))];
  return { body: `${lines.join('\n')}\n\n${rows.length} total.\n` };
}

/** The built-in api commands. Extend or override with the simulator's `api` option. */
export const API_COMMANDS: Readonly<Record<string, ApiCommand>> = {
  status,
  show,
  originate: (args, ctx) => originate(ctx.core, args, ctx.originateRule),
  version: (_, { version }) => ok(`FreeSWITCH Version ${version} (64bit)\n`),
  hostname: (_, { core }) => ok(core.factory.hostname),
  echo: (args) => ok(args),
  reloadxml: (_, ctx) => {
    ctx.core.fire('RELOADXML');
    ctx.log(6, 'switch_time.c', 'switch_load_timezones', 1437, 'Timezone reloaded 597 definitions');
    return ok('+OK [Success]\n');
  },
  eval: (args, { core }) => {
    const m = /^uuid:(\S+) (.*)$/s.exec(args);
    return ok(expandVariables(m ? m[2]! : args, core, m ? core.channels.get(m[1]!) : undefined));
  },
  global_getvar: (args, { core }) => ok(args ? (core.globals.get(args) ?? '') : [...core.globals].map(([k, v]) => `${k}=${v}`).join('\n')),
  global_setvar: (args, { core }) => {
    const eq = args.indexOf('=');
    if (eq <= 0) return ok('-USAGE: <var>=<value> [=<value2>]\n');
    core.globals.set(args.slice(0, eq).trim(), args.slice(eq + 1).trim());
    return ok('+OK');
  },
  uuid_exists: (args, { core }) => ok(core.channels.has(args.trim()) ? 'true' : 'false'),
  uuid_getvar: (args, ctx) => withChannel(args, ctx, 2, '<uuid> <var>', (ch, [, name]) => ok(ch.variables.get(name!) ?? '_undef_')),
  uuid_setvar: (args, ctx) =>
    withChannel(args, ctx, 2, '<uuid> <var> [value]', (ch, argv) => {
      ch.setVariable(argv[1]!, argv.slice(2).join(' ') || undefined);
      return ok();
    }),
  uuid_setvar_multi: (args, ctx) =>
    withChannel(args, ctx, 2, '<uuid> <var>=<value>;<var>=<value>...', (ch, argv) => {
      for (const pair of argv.slice(1).join(' ').split(';')) {
        const eq = pair.indexOf('=');
        if (eq > 0) ch.setVariable(pair.slice(0, eq), pair.slice(eq + 1));
        else if (pair) ch.setVariable(pair, undefined);
      }
      return ok();
    }),
  uuid_kill: (args, ctx) =>
    withChannel(args, ctx, 1, '<uuid> [cause]', (ch, argv) => ({ body: '+OK\n', after: () => ctx.core.hangup(ch, argv[1] ?? 'NORMAL_CLEARING') })),
  uuid_answer: (args, ctx) =>
    withChannel(args, ctx, 1, '<uuid>', (ch) => {
      ctx.core.answer(ch);
      return ok();
    }),
  uuid_break: (args, ctx) =>
    withChannel(args, ctx, 1, '<uuid> [all]', (ch, argv) => {
      ctx.core.breakApp(ch, argv.slice(1).includes('all'));
      return ok();
    }),
  uuid_broadcast: (args, ctx) =>
    withChannel(args, ctx, 2, '<uuid> <path> [aleg|bleg|holdb|both]', (ch, argv) => {
      const path = argv[1]!;
      const sep = path.indexOf('::');
      const [app, data] = sep > 0 ? [path.slice(0, sep), path.slice(sep + 2)] : ['playback', path];
      const legs = argv[2] === 'bleg' || argv[2] === 'both' ? [ch.partner, ...(argv[2] === 'both' ? [ch.uuid] : [])] : [ch.uuid];
      return {
        body: '+OK Message sent\n',
        after: () => {
          for (const uuid of legs) {
            const leg = uuid === undefined ? undefined : ctx.core.channels.get(uuid);
            if (leg) ctx.core.executeMessage(leg, app, data.replace(/^'(.*)'$/, '$1'));
          }
        },
      };
    }),
  uuid_transfer: (args, ctx) =>
    withChannel(args, ctx, 2, '<uuid> [-bleg|-both] <dest-exten [<dialplan>] [<context>]', (ch, argv) => {
      const rest = argv.slice(1).filter((a) => a !== '-bleg' && a !== '-both');
      const target = argv.includes('-bleg') && ch.partner ? ctx.core.channels.get(ch.partner) : ch;
      return { body: '+OK\n', after: () => target && transfer(ctx.core, target, rest[0] ?? '', rest[1], rest[2]) };
    }),
  uuid_bridge: (args, { core }) => {
    const argv = words(args);
    if (argv.length < 2) return ok('-USAGE: <uuid> <other_uuid>\n');
    const a = core.channels.get(argv[0]!);
    const b = core.channels.get(argv[1]!);
    if (!a || !b || a === b) return ok('-ERR Invalid uuid\n');
    return { body: `+OK ${b.uuid}\n`, after: () => bridge(core, a, b) };
  },
  uuid_recv_dtmf: (args, ctx) =>
    withChannel(args, ctx, 2, '<uuid> <dtmf_data>', (ch, argv) => ({ body: '+OK\n', after: () => sendDtmf(ctx.core, ch, argv[1]!) })),
  uuid_send_dtmf: (args, ctx) =>
    withChannel(args, ctx, 2, '<uuid> <dtmf_data>', (ch, argv) => {
      const far = ch.partner === undefined ? undefined : ctx.core.channels.get(ch.partner);
      return { body: '+OK\n', after: () => far && sendDtmf(ctx.core, far, argv[1]!) };
    }),
  hupall: (args, { core }) => {
    const cause = words(args)[0] ?? 'MANAGER_REQUEST';
    for (const ch of [...core.channels.values()]) core.hangup(ch, cause);
    return ok(`+OK hangup all channels with cause ${cause}\n`);
  },
  bgapi: (args, ctx) => {
    const uuid = randomUUID();
    const space = args.indexOf(' ');
    return {
      body: `+OK Job-UUID: ${uuid}\n`,
      after: () => ctx.backgroundJob(space === -1 ? args : args.slice(0, space), space === -1 ? '' : args.slice(space + 1), uuid),
    };
  },
};

/** Bridges two channels: both leave what they run, `CHANNEL_BRIDGE` fires on the first. */
export function bridge(core: SwitchCore, a: SimulatedChannel, b: SimulatedChannel): void {
  if (a.isDown || b.isDown) return;
  core.unpark(a);
  core.unpark(b);
  const now = Date.now() * 1000;
  for (const [x, y] of [[a, b], [b, a]] as const) {
    x.partner = y.uuid;
    x.bridgedMicros = now;
    x.setVariable('bridge_uuid', y.uuid);
    x.setVariable('signal_bond', y.uuid);
  }
  core.channelEvent('CHANNEL_BRIDGE', a, { top: [['Bridge-A-Unique-ID', a.uuid], ['Bridge-B-Unique-ID', b.uuid]] });
}

/**
 * The caller presses `digits`: one `DTMF` event per digit, each heard by the application in
 * progress (a digit in `playback_terminators` stops a playback). See {@link SwitchCore.receiveDtmf}.
 */
export function sendDtmf(core: SwitchCore, channel: SimulatedChannel, digits: string, durationSamples = 2000): void {
  for (const digit of digits.replace(/@\d+$/, '')) {
    if (channel.isDown) return;
    core.receiveDtmf(channel, digit, durationSamples);
  }
}
