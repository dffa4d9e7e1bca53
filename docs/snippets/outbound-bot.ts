import { createOutboundServer } from 'freeswitch-voice-ai';

// FreeSWITCH connects from the address in its dialplan's `socket` action (127.0.0.1 below).
const server = createOutboundServer({ allow: ['127.0.0.1'] }, async (call) => {
  const { callerIdNumber, domainUuid } = call.channel;      // the channel data from `connect`
  console.log('call from', callerIdNumber, 'tenant', domainUuid);
  await call.answer();
  await call.playback('ivr/ivr-welcome.wav');               // resolves when the file has played
  call.on('dtmf', ({ digit }) => console.log('pressed', digit));
  await call.playback('ivr/ivr-thank_you.wav');
  await call.hangup('NORMAL_CLEARING');
});                                                        // a throwing handler hangs its call up
server.on('error', (err) => console.error(err));           // CallHandlerError carries the call uuid
await server.listen();                                     // host/port/limit from ESL_SERVER_*
