import { afterEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../../src/errors.js';
import { AudioFormats } from '../../src/realtime/audio-format.js';
import { OpenAIRealtimeProvider } from '../../src/realtime/providers/openai.js';
import { type OpenAIMockOptions, OpenAIMockServer } from './openai-mock-server.js';

const servers: OpenAIMockServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function mock(options: OpenAIMockOptions = {}): Promise<string> {
  const s = new OpenAIMockServer(options);
  servers.push(s);
  return s.ready();
}

const connectOptions = { instructions: '', callFormat: AudioFormats.MULAW_8K };

async function failure(provider: OpenAIRealtimeProvider, signal?: AbortSignal): Promise<unknown> {
  return provider.connect({ ...connectOptions, signal }).then(
    () => 'connected',
    (e: unknown) => e,
  );
}

describe('OpenAIRealtimeProvider.connect fails clearly', () => {
  it('without an API key: a ProviderError naming OPENAI_API_KEY, before any connection', async () => {
    const saved = process.env.OPENAI_API_KEY;
    delete process.env.OPENAI_API_KEY;
    try {
      const e = await failure(new OpenAIRealtimeProvider({ url: 'ws://127.0.0.1:9/never' }));
      expect(e).toBeInstanceOf(ProviderError);
      expect((e as ProviderError).message).toMatch(/OPENAI_API_KEY/);
      expect((e as ProviderError).providerCode).toBe('missing_api_key');
    } finally {
      if (saved !== undefined) process.env.OPENAI_API_KEY = saved;
    }
  });

  it('takes the key from OPENAI_API_KEY', async () => {
    const saved = process.env.OPENAI_API_KEY;
    process.env.OPENAI_API_KEY = 'sk-env';
    try {
      const s = new OpenAIMockServer();
      servers.push(s);
      const p = new OpenAIRealtimeProvider({ url: await s.ready() });
      await p.connect(connectOptions);
      expect(s.headers.authorization).toBe('Bearer sk-env');
      await p.close();
    } finally {
      if (saved === undefined) delete process.env.OPENAI_API_KEY;
      else process.env.OPENAI_API_KEY = saved;
    }
  });

  it('a refused handshake (HTTP 401)', async () => {
    const e = await failure(new OpenAIRealtimeProvider({ apiKey: 'bad', url: await mock({ refuseWith: 401 }) }));
    expect(e).toBeInstanceOf(ProviderError);
    expect((e as ProviderError).providerCode).toBe('401');
  });

  it('an error event before the session is confirmed', async () => {
    const url = await mock({ confirm: () => [{ type: 'error', error: { type: 'invalid_request_error', code: 'invalid_model', message: 'no such model' } }] });
    const e = await failure(new OpenAIRealtimeProvider({ apiKey: 'x', url }));
    expect((e as ProviderError).providerCode).toBe('invalid_model');
    expect((e as ProviderError).message).toMatch(/no such model/);
  });

  it('the server closing before the session is confirmed', async () => {
    const s = new OpenAIMockServer({ confirm: () => [] });
    servers.push(s);
    const url = await s.ready();
    const p = new OpenAIRealtimeProvider({ apiKey: 'x', url });
    const pending = failure(p);
    await s.waitFor('session.update');
    s.socket!.close(4000, 'bye');
    const e = await pending;
    expect((e as ProviderError).providerCode).toBe('4000');
  });

  it('a timeout when the session is never confirmed', async () => {
    const url = await mock({ confirm: () => [] });
    const e = await failure(new OpenAIRealtimeProvider({ apiKey: 'x', url, connectTimeoutMs: 50 }));
    expect((e as ProviderError).providerCode).toBe('timeout');
  });

  it('the abort signal, before and while connecting (rejects with its reason)', async () => {
    const url = await mock({ confirm: () => [] });
    const before = AbortSignal.abort(new Error('call gone'));
    expect(await failure(new OpenAIRealtimeProvider({ apiKey: 'x', url }), before)).toMatchObject({ message: 'call gone' });
    const s = servers[0]!;
    const controller = new AbortController();
    const pending = failure(new OpenAIRealtimeProvider({ apiKey: 'x', url }), controller.signal);
    await s.waitFor('session.update');
    controller.abort(new Error('hung up'));
    expect(await pending).toMatchObject({ message: 'hung up' });
  });

  it('a second connect on a connected provider', async () => {
    const p = new OpenAIRealtimeProvider({ apiKey: 'x', url: await mock() });
    await p.connect(connectOptions);
    expect(((await failure(p)) as ProviderError).providerCode).toBe('already_connected');
    await p.close();
  });
});
