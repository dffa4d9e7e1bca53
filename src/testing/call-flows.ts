/**
 * How calls come to be and move: `originate` as the recordings show it (a
 * `loopback/<exten>[/<context>]` call creates an `-a` and a `-b` leg, the `-b` leg runs the
 * dialplan, answering both, the command answers `+OK <uuid>`, and only then the `-a` leg runs
 * its target; any other endpoint is one outbound leg that answers at once; `error/<CAUSE>`
 * fails with that cause), an inbound call arriving, and a transfer into the dialplan.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { SimulatedChannel } from './channel-model.js';
import { parseOriginateLine } from './dial-string.js';
import type { DialplanStep, SwitchCore } from './switch-core.js';

/** The answer of an `api` command, and what happens after it is written. */
export interface ApiResult {
  /** The `api/response` body (FreeSWITCH's exact text). */
  body: string;
  /**
   * Work FreeSWITCH does on other threads once the command returned (the `-a` leg's target after
   * `originate`, the hangup after `uuid_kill`): run on the next turn of the event loop after the
   * reply went out, or right after a `bgapi` job's `BACKGROUND_JOB`.
   */
  after?: () => void;
}

/**
 * An api command's answer: at once, or once the switch is done (an `originate` whose phone
 * rings). While it is pending, the connection that sent it waits, as FreeSWITCH's listener
 * thread does inside `api`.
 */
export type ApiAnswer = ApiResult | Promise<ApiResult>;

/**
 * How the far end of an originated leg behaves: it rings, then answers (`answerAfterMs`) or
 * fails with a cause (`USER_BUSY`, `CALL_REJECTED`; `NO_ANSWER` is what ringing past
 * `originate_timeout` gives). `farEndAudio` is what the answering person says (8 kHz PCM),
 * heard in that leg's `unicast`.
 */
export type RingPlan =
  | { answerAfterMs: number; farEndAudio?: Int16Array }
  | { failAfterMs: number; cause: string }
  | { ringForever: true };

/**
 * Decides how an originate goes: `{ cause }` fails it before any channel exists, `{ ring }`
 * creates the leg and follows the plan; `undefined` lets it proceed (the leg answers at once).
 */
export type OriginateRule = (
  endpoint: string,
  variables: Readonly<Record<string, string>>,
) => { cause: string } | { ring: RingPlan } | undefined;

/** The default rule: `error/<CAUSE>` fails with that cause, as FreeSWITCH's `error` endpoint does. */
export const defaultOriginateRule: OriginateRule = (endpoint) =>
  endpoint.startsWith('error/') ? { cause: endpoint.slice(6).toUpperCase() || 'UNKNOWN' } : undefined;

/** `ORIGINATE_SYNTAX` of mod_commands. */
export const ORIGINATE_USAGE =
  '<call url> <exten>|&<application_name>(<app_args>) [<dialplan>] [<context>] [<cid_name>] [<cid_num>] [<timeout_sec>]';

/** Runs `originate <args>` on `core`. */
export function originate(core: SwitchCore, args: string, rule: OriginateRule = defaultOriginateRule): ApiAnswer {
  if (args.trim() === '') return { body: `-USAGE ${ORIGINATE_USAGE}\n` };
  const { dial, target, rest } = parseOriginateLine(args);
  if (!dial.endpoint || !target || rest.length > 5) return { body: `-USAGE: ${ORIGINATE_USAGE}\n` };
  const decision = rule(dial.endpoint, dial.variables);
  if (decision && 'cause' in decision) return { body: `-ERR ${decision.cause}\n` };
  const parts = dial.endpoint.split('/');
  const kind = parts[0] ?? '';
  const loopback = kind === 'loopback';
  const dest = loopback ? (parts[1] ?? '') : dial.endpoint.slice(dial.endpoint.lastIndexOf('/') + 1);
  const legContext = loopback ? parts[2] || 'default' : 'default';
  // `loopback/<exten>/<context>/inline`: the -b leg runs `<exten>` as inline applications (`park`, `answer,echo`).
  const inline = loopback && parts[3] === 'inline' ? inlineSteps(dest) : undefined;
  if (loopback && !inline && core.dialplan({ destination: dest, context: legContext }) === undefined) {
    return { body: '-ERR NO_ROUTE_DESTINATION\n' };
  }
  const uuid = dial.variables.origination_uuid ?? randomUUID();
  if (core.channels.has(uuid)) return { body: '-ERR DESTINATION_OUT_OF_ORDER\n' };
  const cidNumber = dial.variables.origination_caller_id_number ?? '0000000000';
  const cidName = dial.variables.origination_caller_id_name;
  const bUuid = loopback ? randomUUID() : undefined;
  const dialVars = Object.entries(dial.variables);
  const aName = loopback ? `loopback/${dest}-a` : dial.endpoint;
  const a = core.createChannel({
    uuid,
    name: aName,
    direction: 'outbound',
    profile: {
      dialplan: 'xml', source: `mod_${kind || 'sofia'}`, context: legContext, destinationNumber: dest,
      callerIdName: cidName, callerIdNumber: cidNumber, origCallerIdName: cidName, origCallerIdNumber: cidNumber, calleeIdName: 'Outbound Call',
      calleeIdNumber: legContext, ani: cidNumber,
    },
    variables: [
      ['direction', 'outbound'], ['is_outbound', 'true'], ['session_id', String(core.sessionsSinceStart + 1)],
      ['read_codec', 'L16'], ['read_rate', '8000'], ['write_codec', 'L16'], ['write_rate', '8000'],
      ['channel_name', aName], ['uuid', uuid], ['call_uuid', uuid], ...dialVars,
      ['originate_early_media', 'true'], ['originate_endpoint', kind],
      ...(bUuid ? ([['other_loopback_leg_uuid', bUuid], ['loopback_leg', 'A']] as [string, string][]) : []),
    ],
  });
  if (bUuid) {
    const bName = `loopback/${dest}-b`;
    const b = core.createChannel({
      uuid: bUuid,
      name: bName,
      direction: 'inbound',
      profile: {
        dialplan: 'xml', context: legContext, destinationNumber: dest, callerIdName: cidName, callerIdNumber: cidNumber,
        origCallerIdName: cidName, origCallerIdNumber: cidNumber, calleeIdName: 'Outbound Call', calleeIdNumber: legContext,
        ani: cidNumber,
      },
      variables: [
        ['direction', 'inbound'], ['uuid', bUuid], ['call_uuid', bUuid], ['session_id', String(core.sessionsSinceStart + 1)],
        ['channel_name', bName], ['read_codec', 'L16'], ['read_rate', '8000'], ['write_codec', 'L16'], ['write_rate', '8000'],
        ...dialVars, ['other_loopback_leg_uuid', uuid], ['loopback_leg', 'B'],
      ],
    });
    a.partner = b.uuid;
    b.partner = a.uuid;
    core.runScript(b, inline ?? core.dialplan({ destination: dest, context: legContext, channel: b }) ?? []);
  }
  const connect = (): ApiResult => {
    if (!a.answered && !a.isDown) core.answer(a);
    if (a.isDown) return { body: `-ERR ${a.hangupCause ?? 'NORMAL_CLEARING'}\n` };
    flipCallerId(a);
    return { body: `+OK ${uuid}\n`, after: () => runTarget(core, a, target, rest[0], rest[1]) };
  };
  if (!decision) return connect();
  const timeoutMs = 1000 * (Number(dial.variables.originate_timeout) > 0 ? Number(dial.variables.originate_timeout) : 60);
  return ring(core, a, decision.ring, timeoutMs, connect);
}

/**
 * The leg rings (`Channel-Call-State: RINGING`) until the plan answers or fails it, or
 * `originate_timeout` passes (`NO_ANSWER`), or someone kills it meanwhile (its cause).
 */
function ring(core: SwitchCore, a: SimulatedChannel, plan: RingPlan, timeoutMs: number, connect: () => ApiResult): Promise<ApiResult> {
  a.callState = 'RINGING';
  const started = Date.now();
  const endsAt = 'answerAfterMs' in plan ? plan.answerAfterMs : 'failAfterMs' in plan ? plan.failAfterMs : Infinity;
  return new Promise((resolve) => {
    const fail = (cause: string): void => {
      core.hangup(a, cause);
      resolve({ body: `-ERR ${cause}\n` });
    };
    const tick = (): void => {
      if (a.isDown) return resolve({ body: `-ERR ${a.hangupCause ?? 'NORMAL_CLEARING'}\n` });
      const elapsed = Date.now() - started;
      if (elapsed >= Math.min(endsAt, timeoutMs)) {
        if (endsAt > timeoutMs) return fail('NO_ANSWER');
        if ('cause' in plan) return fail(plan.cause);
        if ('farEndAudio' in plan && plan.farEndAudio) a.farEndAudio = plan.farEndAudio;
        return resolve(connect());
      }
      // A kill while ringing ends the originate at once: look again every 20 ms.
      core.later(Math.min(20, Math.min(endsAt, timeoutMs) - elapsed), tick);
    };
    tick();
  });
}

/** `answer,park` / `answer:arg,echo`: the inline dialplan's applications. */
function inlineSteps(list: string): DialplanStep[] {
  return list
    .split(',')
    .filter((x) => x !== '')
    .map((item) => {
      const colon = item.indexOf(':');
      return colon === -1 ? { app: item } : { app: item.slice(0, colon), data: item.slice(colon + 1) };
    });
}

/** After answer FreeSWITCH swaps the originating leg's caller and callee ids. */
function flipCallerId(a: SimulatedChannel): void {
  const p = a.profile;
  const number = p.callerIdNumber;
  [p.callerIdName, p.callerIdNumber, p.calleeIdName, p.calleeIdNumber] = [p.calleeIdName, p.calleeIdNumber, undefined, number];
  a.setVariable('endpoint_disposition', 'ANSWER');
  if (number !== undefined) a.setVariable('pre_transfer_caller_id_number', number);
  a.setVariable('channel_cid_flipped', 'yes');
  a.setVariable('call_uuid', a.uuid);
}

function runTarget(core: SwitchCore, a: SimulatedChannel, target: string, dialplan?: string, context?: string): void {
  if (a.isDown) return;
  a.callState = 'ACTIVE';
  a.hitDialplan = true;
  const app = /^&([^(]+)(?:\((.*)\))?$/.exec(target);
  if (app) return core.runScript(a, [{ app: app[1]!, data: app[2] ?? '' }]);
  transfer(core, a, target, dialplan, context);
}

/** `uuid_transfer` / an originate to an extension: leaves what runs and enters the dialplan anew. */
export function transfer(core: SwitchCore, channel: SimulatedChannel, destination: string, dialplan = 'XML', context = 'default'): boolean {
  const steps: DialplanStep[] | undefined = core.dialplan({ destination, context, channel });
  core.unpark(channel);
  channel.profile.destinationNumber = destination;
  channel.profile.context = context;
  channel.profile.dialplan = dialplan;
  channel.profile.profileIndex++;
  channel.transferMicros = Date.now() * 1000;
  channel.setVariable('transfer_source', `${Math.floor(Date.now() / 1000)}:${channel.uuid}:bl_xfer:${destination}/${context}/${dialplan}`);
  if (steps === undefined) {
    core.hangup(channel, 'NO_ROUTE_DESTINATION');
    return false;
  }
  core.runScript(channel, steps);
  return true;
}

/** What {@link FreeSwitchSimulator.placeCall} creates. */
export interface PlaceCallOptions {
  /** The number dialled (`Caller-Destination-Number`). */
  destination: string;
  /** Dialplan context; default `default`. */
  context?: string;
  /** Caller number; default `1000`. */
  callerIdNumber?: string;
  /** Caller name; default the number. */
  callerIdName?: string;
  /** The channel's uuid; random by default. */
  uuid?: string;
  /** `Channel-Name`; default `sofia/internal/<caller>@127.0.0.1`. */
  name?: string;
  /** Codec; default `PCMU`. */
  codec?: string;
  /** Sample rate; default 8000. */
  rate?: number;
  /** Channel variables set before the dialplan runs. */
  variables?: Record<string, string>;
  /** Run these steps instead of asking the dialplan. */
  steps?: DialplanStep[];
}

/** An inbound call (as from a SIP phone): `CHANNEL_CREATE`, then the dialplan runs (or NO_ROUTE_DESTINATION). */
export function placeInboundCall(core: SwitchCore, options: PlaceCallOptions): SimulatedChannel {
  const uuid = options.uuid ?? randomUUID();
  const caller = options.callerIdNumber ?? '1000';
  const name = options.name ?? `sofia/internal/${caller}@127.0.0.1`;
  const context = options.context ?? 'default';
  const channel = core.createChannel({
    uuid,
    name,
    direction: 'inbound',
    codec: options.codec ?? 'PCMU',
    rate: options.rate,
    profile: {
      username: caller, dialplan: 'XML', callerIdName: options.callerIdName ?? caller, callerIdNumber: caller,
      origCallerIdName: options.callerIdName ?? caller, origCallerIdNumber: caller, networkAddr: '127.0.0.1', ani: caller,
      destinationNumber: options.destination, source: 'mod_sofia', context,
    },
    variables: [
      ['direction', 'inbound'], ['uuid', uuid], ['session_id', String(core.sessionsSinceStart + 1)], ['channel_name', name],
      ['call_uuid', uuid], ...Object.entries(options.variables ?? {}),
    ],
  });
  const steps = options.steps ?? core.dialplan({ destination: options.destination, context, channel });
  if (steps === undefined) core.hangup(channel, 'NO_ROUTE_DESTINATION');
  else core.runScript(channel, steps);
  return channel;
}
