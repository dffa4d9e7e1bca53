import { createOutboundServer, loadConfig } from 'freeswitch-voice-ai';

// The dialplan's `socket 127.0.0.1:8022 async full` connects here, once per call.
const server = createOutboundServer(loadConfig().server, async (call) => {  // ESL_SERVER_HOST, ESL_SERVER_PORT
  const { callerIdNumber, destinationNumber } = call.channel;              // the channel data of `connect`
  console.log(`call from ${callerIdNumber} to ${destinationNumber}`);
  await call.answer();
  // Listen before the prompt starts: a digit pressed while it plays counts.
  const pressed = call.waitForEvent({ names: ['DTMF'], timeout: 10_000 }).then((e) => e.dtmfDigit, () => undefined);
  await call.playback('ivr/ivr-welcome.wav');                               // resolves when the file has played
  const digit = await pressed;
  console.log('caller pressed', digit ?? 'nothing');
  if (digit) await call.playback(`digits/${digit}.wav`);
  console.log('hung up:', await call.hangup('NORMAL_CLEARING'));           // resolves with FreeSWITCH's cause
});
const { address, port } = await server.listen();
console.log(`waiting for calls on ${address}:${port}`);
