import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import { ProviderError } from '../../src/errors.js';
import { AudioFormats } from '../../src/realtime/audio-format.js';
import type { RealtimeProvider } from '../../src/realtime/provider.js';
import { DeepgramVoiceAgentProvider } from '../../src/realtime/providers/deepgram.js';
import { ElevenLabsAgentProvider } from '../../src/realtime/providers/elevenlabs.js';
import { GeminiLiveProvider } from '../../src/realtime/providers/gemini.js';
import { silentLogger } from '../../src/logger.js';

/** A vendor that accepts the WebSocket and reads the setup, but never confirms the session. */
let server: WebSocketServer | undefined;
afterEach(async () => {
  for (const c of server?.clients ?? []) c.terminate();
  await new Promise((r) => server?.close(r));
  server = undefined;
});

async function silentVendor(): Promise<{ port: number; setup: Promise<WebSocket> }> {
  server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(server, 'listening');
  const setup = new Promise<WebSocket>((resolve) => server!.on('connection', (ws) => ws.once('message', () => resolve(ws))));
  return { port: (server.address() as AddressInfo).port, setup };
}

const vendors: [string, (port: number) => RealtimeProvider][] = [
  ['Gemini', (port) => new GeminiLiveProvider({ apiKey: 'k', url: `ws://127.0.0.1:${port}/`, connectTimeoutMs: 60_000, logger: silentLogger })],
  ['Deepgram', (port) => new DeepgramVoiceAgentProvider({ apiKey: 'k', url: `ws://127.0.0.1:${port}/`, connectTimeoutMs: 60_000, logger: silentLogger })],
  ['ElevenLabs', (port) => new ElevenLabsAgentProvider({ agentId: 'agent_1', requiresAuth: false, baseUrl: `http://127.0.0.1:${port}`, connectTimeoutMs: 60_000, logger: silentLogger })],
];

describe.each(vendors)('%s: close() during the handshake', (_name, make) => {
  it('ends it: connect rejects, the vendor sees the socket close, nothing stays connected', async () => {
    const { port, setup } = await silentVendor();
    const provider = make(port);
    const pending = provider.connect({ instructions: '', callFormat: AudioFormats.MULAW_8K }).then(
      () => 'connected',
      (e: unknown) => e,
    );
    const vendorSide = await setup;
    const gone = once(vendorSide, 'close');
    await provider.close();
    const error = await pending; // at once, not at the minute-long connect timeout
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).providerCode).not.toBe('timeout');
    await gone;
    expect(server!.clients.size).toBe(0);
  });
});
