/**
 * One caller's call, from the `socket` connection to the saved record: which tenant and
 * secretary (`domain_uuid`, `secretary_uuid` or the dialled extension), business hours, the
 * directory, the session with its tools, the silence and turn limits, a fallback that keeps the
 * caller when the AI fails, and the record when it ends. An unknown tenant or secretary gets a
 * prompt and a transfer, never a silent hangup.
 */
import { type CallTransportOptions, type Fallback, hangupCallTool, type Logger, type OutboundCall, RealtimeSession } from 'freeswitch-voice-ai';
import { businessInfoTool } from './business-info.js';
import type { CallContext } from './call-context.js';
import { withOperator } from './directory.js';
import type { TransferDestination } from './destinations.js';
import { hoursState } from './hours.js';
import { greetingRequest, secretaryInstructions } from './instructions.js';
import { takeMessageTool } from './messages.js';
import type { Secretary } from './profile.js';
import { CallRecorder } from './records.js';
import type { SecretaryRuntime } from './runtime.js';
import { SilenceWatch } from './silence.js';
import type { SecretaryQuery } from './store.js';
import { transferTool } from './transfer-tool.js';

/** What a call for an unknown tenant or secretary gets. */
export interface UnknownCallPolicy {
  /** Played first (a file or `say:`/`tone_stream://`); empty: nothing. Default `ivr/ivr-call_cannot_be_completed_as_dialed.wav`. */
  prompt?: string;
  /** Then transferred here (an extension in the call's context); without one the call is hung up after the prompt. */
  transfer?: string;
  context?: string;
}

const DEFAULT_PROMPT = 'ivr/ivr-call_cannot_be_completed_as_dialed.wav';

/** Which secretary a call is for, from its channel variables. */
export function queryOf(call: OutboundCall): SecretaryQuery {
  const c = call.channel;
  const blankless = (v: string | undefined): string | undefined => (v === undefined || v.trim() === '' ? undefined : v.trim());
  return {
    domainUuid: blankless(c.domainUuid ?? c.getVariable('domain_uuid')),
    domainName: blankless(c.getVariable('domain_name')),
    secretaryUuid: blankless(c.getVariable('secretary_uuid')),
    extension: blankless(c.destinationNumber),
  };
}

/** Handles one caller's call until its session is running (the record is saved when it ends). */
export async function handleCaller(call: OutboundCall, rt: SecretaryRuntime, unknown: UnknownCallPolicy = {}): Promise<void> {
  const query = queryOf(call);
  let secretary: Secretary | undefined;
  try {
    secretary = await rt.store.findSecretary(query);
  } catch (error) {
    rt.logger.error({ uuid: call.uuid, err: (error as Error).message }, 'secretary: the configuration could not be read');
  }
  if (!secretary) return answerUnknown(call, unknown, query, rt.logger);

  const now = rt.now();
  const hours = secretary.hours && hoursState(secretary.hours, now);
  const closed = hours !== undefined && !hours.open;
  const operator = secretary.operatorExtension;
  const context = call.channel.context ?? secretary.domainName ?? 'default';
  if (closed && operator && (secretary.afterHoursAction === 'voicemail' || secretary.afterHoursAction === 'transfer')) {
    // FusionPBX's feature code *99<ext> leaves a voicemail for <ext>.
    await call.transfer(secretary.afterHoursAction === 'voicemail' ? `*99${operator}` : operator, 'XML', context);
    return;
  }

  let directory: TransferDestination[] = [];
  try {
    directory = await rt.store.directory(secretary);
  } catch (error) {
    rt.logger.error({ uuid: call.uuid, err: (error as Error).message }, 'secretary: the directory could not be read');
  }
  const provider = rt.provider(secretary, call, 'caller');
  const record = new CallRecorder(secretary, call, provider.name);
  const silence = new SilenceWatch(secretary.limits.silenceTimeoutMs, (final) => {
    if (final) void ctx.session?.end('idle');
    else ctx.session?.generateReply(`The caller has been silent for a while. Say: "${secretary!.messages.farewell}" and call hangup_call.`);
  });
  const ctx: CallContext = {
    secretary,
    call,
    directory: withOperator(directory, secretary),
    store: rt.store,
    record,
    now: rt.now,
    logger: rt.logger,
    session: undefined,
    setHold(on) {
      record.noteHold(on);
      if (on) silence.pause();
      else silence.resume();
    },
  };
  const tools = [
    ...(closed ? [] : [transferTool(ctx, rt)]),
    ...(closed && secretary.afterHoursAction === 'hangup' ? [] : [takeMessageTool(ctx, rt.messageHooks)]),
    businessInfoTool(secretary, rt.now),
    hangupCallTool(),
  ];
  const session = new RealtimeSession({
    call,
    provider,
    instructions: secretaryInstructions(secretary, ctx.directory, hours),
    greeting: greetingRequest(secretary, hours),
    voice: secretary.voice,
    language: secretary.language,
    tools,
    maxDurationMs: secretary.limits.maxDurationMs,
    idleTimeoutMs: 0, // the SilenceWatch above: polite, and paused on hold
    fallback: fallbackFor(secretary, context),
    media: mediaFor(secretary, rt.media),
    logger: rt.logger,
  });
  ctx.session = session;
  record.attach(session, provider);
  silence.follow(provider);
  provider.on('speechStopped', () => {
    if (record.turns === secretary!.limits.maxTurns + 1) {
      session.generateReply(`The call is long. Offer to take a message, or say "${secretary!.messages.farewell}" and call hangup_call.`);
    }
  });
  session.once('ended', ({ reason }) => {
    silence.stop();
    const finished = record.finish(reason);
    rt.store.saveCall(finished).then(
      () => rt.onCall?.(finished),
      (error: unknown) => rt.logger.error({ uuid: call.uuid, err: (error as Error).message }, 'secretary: the call record could not be saved'),
    );
  });
  rt.onSession?.(session, call, 'caller');
  await session.start(); // a failure has already run the fallback (the caller is not dropped)
  silence.touch();
}

/** When the AI fails: the operator (or their voicemail), else an apology and a hangup. */
export function fallbackFor(secretary: Secretary, context: string): Fallback {
  const operator = secretary.operatorExtension;
  if (operator && secretary.fallbackAction !== 'hangup') {
    return { transfer: secretary.fallbackAction === 'voicemail' ? `*99${operator}` : operator, context };
  }
  return { playback: DEFAULT_PROMPT, hangupCause: 'NORMAL_TEMPORARY_FAILURE' };
}

/** µ-law passthrough (`unicast` native on PCMU) or wideband (L16, resampled for the provider). */
function mediaFor(secretary: Secretary, base: CallTransportOptions | undefined): CallTransportOptions | undefined {
  return secretary.audioProfile === 'wideband' ? { ...base, native: false } : base;
}

/** A call nobody configured: a prompt, then a transfer (or a hangup) — and a log line that says why. */
async function answerUnknown(call: OutboundCall, policy: UnknownCallPolicy, query: SecretaryQuery, logger: Logger): Promise<void> {
  logger.warn({ uuid: call.uuid, ...query }, 'secretary: no enabled secretary for this call (check domain_uuid / secretary_uuid in the dialplan)');
  const prompt = policy.prompt ?? DEFAULT_PROMPT;
  try {
    if (prompt !== '') await call.playback(prompt);
    if (policy.transfer) await call.transfer(policy.transfer, 'XML', policy.context ?? call.channel.context ?? 'default');
    else await call.hangup('UNALLOCATED_NUMBER');
  } catch (error) {
    logger.debug({ uuid: call.uuid, err: (error as Error).message }, 'secretary: unknown call ended early');
  }
}
