/**
 * An announced (warm) transfer, the part that rings and asks: the person's phone is originated
 * into this server's `socket` (`&socket(<server> async full)`, marked `voice_ai_consult`), the
 * leg that comes back is briefed ({@link briefPerson}), and the outcome says what happened —
 * accepted (ready to bridge), declined with the person's reason, no answer within the ring
 * time, busy, unreachable, or failed. The caller is on hold meanwhile (the transfer tool's job).
 */
import { randomUUID } from 'node:crypto';
import { OriginateError, type OutboundCall } from 'freeswitch-voice-ai';
import type { CallContext } from './call-context.js';
import { briefPerson } from './consult.js';
import { CONSULT_VARIABLE } from './consults.js';
import type { TransferDestination } from './destinations.js';
import type { Briefing } from './instructions.js';
import type { SecretaryRuntime } from './runtime.js';

/** How an announced transfer ended. */
export type WarmOutcome =
  | { kind: 'accepted'; consult: OutboundCall; release(): Promise<void> }
  | { kind: 'declined' | 'no-answer' | 'busy' | 'unreachable' | 'failed'; reason: string }
  | { kind: 'caller-gone' };

/** Hangup causes of a failed originate, as outcomes. */
function fromCause(cause: string, person: string, ringSeconds: number): WarmOutcome {
  switch (cause) {
    case 'NO_ANSWER':
    case 'NO_USER_RESPONSE':
    case 'ALLOTTED_TIMEOUT':
    case 'RECOVERY_ON_TIMER_EXPIRE':
      return { kind: 'no-answer', reason: `${person} did not answer within ${ringSeconds} seconds` };
    case 'USER_BUSY':
      return { kind: 'busy', reason: `${person} is on another call` };
    case 'CALL_REJECTED':
      return { kind: 'declined', reason: `${person} declined the call` };
    case 'USER_NOT_REGISTERED':
    case 'SUBSCRIBER_ABSENT':
    case 'DESTINATION_OUT_OF_ORDER':
    case 'UNALLOCATED_NUMBER':
      return { kind: 'unreachable', reason: `${person}'s phone is not connected` };
    default:
      return { kind: 'failed', reason: `the call to ${person} failed (${cause})` };
  }
}

/** Rings `destination`, briefs whoever answers, and resolves with the outcome. */
export async function announcedTransfer(ctx: CallContext, rt: SecretaryRuntime, destination: TransferDestination, brief: Briefing, signal: AbortSignal): Promise<WarmOutcome> {
  const { secretary, call } = ctx;
  if (signal.aborted) return { kind: 'caller-gone' };
  let esl;
  try {
    esl = await rt.esl(secretary);
  } catch (error) {
    return { kind: 'failed', reason: `FreeSWITCH's event socket cannot be reached (${(error as Error).message})` };
  }
  const uuid = randomUUID();
  const expected = rt.consults.expect(uuid);
  const ring = destination.ringTimeoutSeconds;
  // The caller hangs up while the phone rings: stop ringing it.
  const onAbort = (): void => {
    expected.cancel('the caller hung up');
    void esl.uuidKill(uuid, 'ORIGINATOR_CANCEL').catch(() => {});
  };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    try {
      await esl.originate({
        dialString: `user/${destination.number}@${secretary.domainName ?? ''}`,
        app: 'socket',
        appArg: `${rt.socketAddress(call)} async full`,
        uuid,
        timeoutSeconds: ring,
        callerIdName: `${brief.callerName ?? brief.callerNumber ?? 'Caller'} via ${secretary.name}`,
        callerIdNumber: call.channel.callerIdNumber ?? secretary.extension ?? '0',
        variables: {
          [CONSULT_VARIABLE]: uuid,
          voice_ai_caller_uuid: call.uuid,
          domain_uuid: secretary.domainUuid,
          ...(secretary.domainName && { domain_name: secretary.domainName }),
          secretary_uuid: secretary.uuid,
          ignore_early_media: 'true',
          hangup_after_bridge: 'true',
        },
        jobTimeout: (ring + 15) * 1000,
      });
    } catch (error) {
      expected.cancel('the originate failed');
      if (signal.aborted) return { kind: 'caller-gone' };
      if (error instanceof OriginateError) return fromCause(error.hangupCause ?? 'UNKNOWN', destination.name, ring);
      return { kind: 'failed', reason: `the call to ${destination.name} could not be placed (${(error as Error).message})` };
    }
    expected.arm(10_000);
    let consult: OutboundCall;
    try {
      consult = await expected.arrival;
    } catch (error) {
      if (signal.aborted) return { kind: 'caller-gone' };
      void esl.uuidKill(uuid, 'NORMAL_CLEARING').catch(() => {});
      rt.logger.error({ uuid, err: (error as Error).message, socket: rt.socketAddress(call) }, 'secretary: the consult leg never reached this server (check the socket address FreeSWITCH uses)');
      return { kind: 'failed', reason: `the call to ${destination.name} could not be connected` };
    }
    const decision = await briefPerson(consult, secretary, brief, rt, signal);
    if (signal.aborted) return { kind: 'caller-gone' };
    if (decision.accepted) return { kind: 'accepted', consult, release: decision.release };
    return { kind: 'declined', reason: decision.reason };
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
