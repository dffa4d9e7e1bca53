import { type OutboundCall, type RealtimeProvider, RealtimeSession } from 'freeswitch-voice-ai';

export async function answer(call: OutboundCall, provider: RealtimeProvider): Promise<RealtimeSession> {
  const session = new RealtimeSession({
    call,
    provider,
    instructions: 'You are the receptionist of ACME.',
    greeting: 'Greet the caller.',
    watchdog: { noAnswerMs: 6000 },             // silent bot: ask again once, then the fallback
    fallback: { transfer: 'operator' },
  });
  session.on('metrics', (m) =>
    console.log(`answer ${m.turn} (${m.trigger}): ${m.endOfSpeechToFirstAudioMs ?? '-'} ms to first audio, ${m.usage?.totalTokens ?? '?'} tokens`),
  );
  session.on('dtmf', async (digit) => {
    if (digit === '0') session.say('Connecting you to an operator.', { interruptible: false });
    if (digit === '9') await session.updateInstructions('Speak Spanish from now on.').catch(() => session.generateReply('Switch to Spanish.'));
  });
  await session.start();
  session.mute();                                 // e.g. while FreeSWITCH plays a legal notice
  await call.playback('ivr/ivr-recording_notice.wav');
  session.unmute();
  return session;
}
