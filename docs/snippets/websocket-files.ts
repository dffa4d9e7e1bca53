import { type OutboundCall, startCallMediaFor } from 'freeswitch-voice-ai';

export async function media(call: OutboundCall) {
  const { transport, kind } = await startCallMediaFor(call, {
    mode: 'websocket',
    websocket: {
      module: 'mod_audio_stream',                          // amigniter's: answers are played as files
      files: { directory: '/var/lib/voice-ai/answers' },   // FreeSWITCH reads the same path; default: the module writes them
    },
  });
  transport.on('audio', (frame) => void frame);            // 20 ms of the caller, PCM16 8 kHz
  transport.write(new Uint8Array(3200));                   // 100 ms of answer
  transport.endOfAnswer();
  return kind;                                             // 'websocket'
}
