import { createOutboundServer, type OutboundServer, type OutboundServerOptions } from 'freeswitch-voice-ai';

/** A menu: 1 goes to sales (extension 1001); any other digit, or none within `digitTimeoutMs`, hears goodbye. */
export function createMenuBot(server: OutboundServerOptions = {}, { digitTimeoutMs = 5000 } = {}): OutboundServer {
  return createOutboundServer(server, async (call) => {
    await call.answer();
    const pressed = call.waitForEvent({ names: ['DTMF'], timeout: digitTimeoutMs }).then((e) => e.dtmfDigit, () => undefined);
    await call.playback('ivr/ivr-welcome.wav');
    if ((await pressed) === '1') return call.transfer('1001', 'XML', call.channel.context);
    await call.playback('ivr/ivr-thank_you.wav');
    await call.hangup('NORMAL_CLEARING');
  });
}
