/**
 * `freeswitch-voice-ai doctor` places a test call through the dialplan with `voice_ai_doctor`
 * set: the secretary answers it by naming itself in `voice_ai_doctor_reply` and hanging up — so
 * the doctor knows FreeSWITCH's `socket` reached this very service, without an AI call.
 */
import type { OutboundCall } from 'freeswitch-voice-ai';

/** The variable the doctor sets on its test calls. */
export const DOCTOR_VARIABLE = 'voice_ai_doctor';

/** Whether a call is the doctor's. */
export function isDoctorProbe(call: OutboundCall): boolean {
  return call.channel.getVariable(DOCTOR_VARIABLE) !== undefined;
}

/** Answers a probe: the reply variable, then a hangup. */
export async function answerDoctorProbe(call: OutboundCall, name = 'freeswitch-voice-ai secretary'): Promise<void> {
  await call.setVariable('voice_ai_doctor_reply', name).catch(() => {});
  await call.hangup('NORMAL_CLEARING').catch(() => {});
}
