/**
 * The other half of an announced transfer: the person's phone answered and the call came back
 * to this server; a second realtime session tells them who is calling and why, and they accept
 * (`accept_transfer`) or decline (`reject_transfer(reason)`). No decision in time, a hangup, or
 * a failing provider count as declined.
 */
import { defineTool, type OutboundCall, RealtimeSession, schema } from 'freeswitch-voice-ai';
import { speechDone } from './call-context.js';
import { type Briefing, briefingInstructions } from './instructions.js';
import type { Secretary } from './profile.js';
import type { SecretaryRuntime } from './runtime.js';

/** What the person decided. `release` ends the briefing without hanging up (before the bridge). */
export type ConsultDecision = { accepted: true; release(): Promise<void> } | { accepted: false; reason: string };

/** Briefs the person on `call`; resolves with their decision. `signal` aborts when the caller hangs up. */
export async function briefPerson(call: OutboundCall, secretary: Secretary, brief: Briefing, rt: SecretaryRuntime, signal: AbortSignal): Promise<ConsultDecision> {
  let settle!: (decision: ConsultDecision) => void;
  const decided = new Promise<ConsultDecision>((resolve) => {
    let done = false;
    settle = (d) => {
      if (!done) (done = true), resolve(d);
    };
  });
  let session!: RealtimeSession;
  const accept = defineTool({
    name: 'accept_transfer',
    description: 'The person agreed to take the call: connect the caller to them now.',
    parameters: schema.object({}),
    async handler() {
      await speechDone(session);
      settle({ accepted: true, release: () => session.end('transferred') });
      return { connecting: true };
    },
  });
  const reject = defineTool({
    name: 'reject_transfer',
    description: 'The person cannot or will not take the call now. Give their reason in a few words.',
    parameters: schema.object({ reason: schema.optional(schema.string({ description: 'Their reason, e.g. "in a meeting, will call back at 3".' })) }),
    handler({ reason }, { hangupAfterSpeech }) {
      settle({ accepted: false, reason: reason?.trim() || `${brief.person} cannot take the call now` });
      hangupAfterSpeech('NORMAL_CLEARING');
      return { ok: true };
    },
  });
  const provider = rt.provider(secretary, call, 'consult');
  session = new RealtimeSession({
    call,
    provider,
    instructions: briefingInstructions(secretary, brief),
    greeting: `Announce the caller to ${brief.person} now.`,
    voice: secretary.voice,
    language: secretary.language,
    tools: [accept, reject],
    idleTimeoutMs: secretary.transfer.decisionTimeoutMs,
    maxDurationMs: secretary.transfer.decisionTimeoutMs + 30_000,
    media: rt.media,
    logger: rt.logger,
    // The person is a colleague: if the AI fails, hang up and tell the caller the transfer did not work.
    fallback: async (s, error) => {
      settle({ accepted: false, reason: `the assistant could not speak to ${brief.person} (${error.message})` });
      await call.hangup('NORMAL_TEMPORARY_FAILURE').catch(() => {});
    },
  });
  session.on('ended', ({ reason }) => settle({ accepted: false, reason: reason === 'hangup' ? `${brief.person} hung up` : `${brief.person} did not answer the question` }));
  const timer = setTimeout(() => {
    settle({ accepted: false, reason: `${brief.person} did not answer the question` });
    void session.end('closed');
  }, secretary.transfer.decisionTimeoutMs);
  const onAbort = (): void => {
    settle({ accepted: false, reason: 'the caller hung up' });
    void session.end('closed');
  };
  signal.addEventListener('abort', onAbort, { once: true });
  rt.onSession?.(session, call, 'consult');
  try {
    await session.start();
  } catch (error) {
    settle({ accepted: false, reason: `the assistant could not speak to ${brief.person} (${(error as Error).message})` });
  }
  const decision = await decided;
  clearTimeout(timer);
  signal.removeEventListener('abort', onAbort);
  return decision;
}
