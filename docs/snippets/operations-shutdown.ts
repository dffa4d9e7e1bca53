import { createOutboundServer, shutdownOnSignals } from 'freeswitch-voice-ai';

const server = createOutboundServer({}, async (call) => {
  await call.answer();
  await call.playback('ivr/ivr-welcome.wav');
  await call.hangup();
});
server.on('draining', ({ deadlineMs }) => console.log(`shutting down: calls have ${deadlineMs} ms`));
await server.listen();

// SIGTERM: no new calls; calls go on for up to 60 s, then are transferred to "operator" in their
// own context. A second SIGTERM hands them over at once. None is hung up.
shutdownOnSignals([server], { options: { deadlineMs: 60_000, transferTo: 'operator' } });
