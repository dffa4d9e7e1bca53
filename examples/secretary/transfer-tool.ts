/**
 * `transfer_call(to)`: "Maria in sales", "billing", "the operator" → the directory entry, then
 * the checks a receptionist makes — is it within their hours, is their phone connected — and
 * the transfer: blind (`uuid_transfer`) for queues, ring groups and destinations set to blind,
 * announced for people (hold music, their phone rung, the caller introduced, `uuid_bridge` if
 * they accept). Anything that stops it comes back to the model with the reason and an offer to
 * take a message.
 */
import { defineTool, schema, type Tool } from 'freeswitch-voice-ai';
import { type CallContext, speechDone } from './call-context.js';
import type { TransferDestination } from './destinations.js';
import { findDestination } from './directory.js';
import { startHold } from './hold.js';
import { describeHours, hoursState } from './hours.js';
import { checkReachable } from './reachability.js';
import type { SecretaryRuntime } from './runtime.js';
import { announcedTransfer } from './warm-transfer.js';

/** The arguments of `transfer_call`. */
export interface TransferArgs {
  to: string;
  reason?: string;
  caller_name?: string;
}

/** What the model is offered when a transfer cannot happen. */
function offerFor(d: TransferDestination): string {
  return d.fallbackAction === 'voicemail' ? 'leave a voicemail or a message' : 'take a message';
}

/** The tool, for one call. */
export function transferTool(ctx: CallContext, rt: SecretaryRuntime): Tool<TransferArgs> {
  return defineTool({
    name: 'transfer_call',
    description:
      'Put the caller through to a person or department of the directory (by name, alias, department or extension). It checks their hours and whether their phone is connected, and may call them first to announce the caller while the caller waits on hold. Say one short sentence before calling it.',
    parameters: schema.object({
      to: schema.string({ description: 'The person or department, as the caller said it ("Maria in sales", "billing", "operator").' }),
      reason: schema.optional(schema.string({ description: 'Why the caller is calling, in a few words (told to the person when announcing).' })),
      caller_name: schema.optional(schema.string({ description: "The caller's name, if they said it." })),
    }),
    async handler({ to, reason, caller_name }, { signal, afterSpeech }) {
      ctx.record.noteRequest(to);
      const match = findDestination(ctx.directory, to);
      if (match.kind === 'none') {
        return { ok: false, reason: 'not_found', detail: `nobody called "${to}" in the directory`, directory: ctx.directory.slice(0, 12).map((d) => d.name), offer: 'take a message' };
      }
      if (match.kind === 'ambiguous') {
        return { ok: false, reason: 'ambiguous', detail: 'ask the caller which one', candidates: match.candidates.map((d) => ({ name: d.name, department: d.department, role: d.role })) };
      }
      const d = match.destination;
      const hours = d.hours ?? ctx.secretary.hours;
      const state = hours && hoursState(hours, ctx.now());
      if (hours && state && !state.open) {
        return { ok: false, reason: 'outside_hours', detail: `${d.name}: ${describeHours(state, hours.timezone)}`, offer: offerFor(d) };
      }
      const reach = await checkReachable(async (command) => (await ctx.call.api(command)).text, d, ctx.secretary.domainName, ctx.logger);
      if (!reach.reachable) return { ok: false, reason: 'unreachable', detail: reach.detail, offer: offerFor(d) };
      const context = d.context ?? ctx.call.channel.context ?? ctx.secretary.domainName ?? 'default';
      if (d.mode === 'blind' || d.type !== 'extension') {
        // The caller hears the assistant's last words (an answer to this result included), then leaves.
        afterSpeech(async () => {
          await ctx.call.transfer(d.number, 'XML', context);
          ctx.record.noteTransfer({ number: d.number, name: d.name, department: d.department, mode: 'blind' });
        }, { endSession: 'transferred' });
        return { transferring: d.number, to: d.name, note: 'The call is transferred when you finish speaking.' };
      }

      await speechDone(ctx.session);
      if (signal.aborted) return { ok: false, reason: 'cancelled' };

      ctx.setHold(true);
      const stopHold = startHold(ctx.call, ctx.secretary.transfer.musicOnHold, ctx.logger);
      const brief = { person: d.name, callerName: caller_name ?? ctx.call.channel.callerIdName, callerNumber: ctx.call.channel.callerIdNumber, reason };
      const outcome = await announcedTransfer(ctx, rt, d, brief, signal);
      await stopHold();
      if (outcome.kind === 'caller-gone') return { ok: false, reason: 'caller_hung_up' };
      if (outcome.kind !== 'accepted') {
        ctx.setHold(false);
        return { ok: false, reason: outcome.kind, detail: outcome.reason, say_first: ctx.secretary.messages.holdReturn, offer: offerFor(d) };
      }
      try {
        // When Maria hangs up, the caller is hung up too (instead of going on to the dialplan's fallback).
        await ctx.call.setVariable('hangup_after_bridge', 'true');
        const esl = await rt.esl(ctx.secretary);
        await esl.uuidBridge(ctx.call.uuid, outcome.consult.uuid);
      } catch (error) {
        ctx.setHold(false);
        await outcome.consult.hangup('NORMAL_TEMPORARY_FAILURE').catch(() => {});
        return { ok: false, reason: 'failed', detail: `connecting to ${d.name} failed (${(error as Error).message})`, offer: offerFor(d) };
      }
      await outcome.release();
      // Bridged: when either side hangs up, so does the other (the channels were bridged by uuid, not by the dialplan).
      ctx.call.once('hangup', () => void outcome.consult.hangup('NORMAL_CLEARING').catch(() => {}));
      outcome.consult.once('hangup', () => void ctx.call.hangup('NORMAL_CLEARING').catch(() => {}));
      ctx.setHold(false);
      ctx.record.noteTransfer({ number: d.number, name: d.name, department: d.department, mode: 'announced' });
      // The caller is with Maria now: this session is over, without a hangup.
      void ctx.session?.end('transferred');
      return { transferred: d.number, to: d.name, announced: true };
    },
  });
}
