import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, ProviderError } from '../../src/errors.js';
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
  it('without an API key: a ConfigError naming OPENAI_API_KEY when the provider is constructed', () => {
    const saved = process.env.OPENAI_API_KEY;
    delete process.env.OPENAI_API_KEY;
    try {
      const e = (() => {
        try {
          new OpenAIRealtimeProvider({ url: 'ws://127.0.0.1:9/never' });
        } catch (error) {
          return error;
        }
      })();
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).variable).toBe('OPENAI_API_KEY');
      expect((e as ConfigError).message).toMatch(/OPENAI_API_KEY/);
      process.env.OPENAI_API_KEY = '';
      expect(() => new OpenAIRealtimeProvider()).toThrow(ConfigError);
      expect(() => new OpenAIRealtimeProvider({ apiKey: 'sk-given' })).not.toThrow();
    } finally {
      if (saved === undefined) delete process.env.OPENAI_API_KEY;
      else process.env.OPENAI_API_KEY = saved;
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

  it('close() during the handshake ends it: connect rejects, the vendor sees the close, nothing is left connected', async () => {
    const url = await mock({ confirm: () => [] });
    const s = servers[0]!;
    const p = new OpenAIRealtimeProvider({ apiKey: 'x', url });
    const pending = failure(p);
    await s.waitFor('session.update');
    const gone = new Promise((resolve) => s.socket!.once('close', resolve));
    await p.close();
    expect(await pending).toBeInstanceOf(ProviderError);
    await gone;
    // Not `already_connected`: the next connect gets as far as the signal.
    expect(await failure(p, AbortSignal.abort(new Error('next call')))).toMatchObject({ message: 'next call' });
  });

  it('a second connect on a connected provider', async () => {
    const p = new OpenAIRealtimeProvider({ apiKey: 'x', url: await mock() });
    await p.connect(connectOptions);
    expect(((await failure(p)) as ProviderError).providerCode).toBe('already_connected');
    await p.close();
  });
});

describe('OpenAIRealtimeProvider: endpoints and transport', () => {
  it('Azure OpenAI (GA): the deployment in /openai/v1/realtime?model=, the api-key header, no bearer token', async () => {
    const s = new OpenAIMockServer();
    servers.push(s);
    const p = new OpenAIRealtimeProvider({ apiKey: 'az-key', azure: { endpoint: `${await s.origin('http')}/`, deployment: 'my-realtime' } });
    await p.connect(connectOptions);
    expect(s.path).toBe('/openai/v1/realtime?model=my-realtime');
    expect(s.headers['api-key']).toBe('az-key');
    expect(s.headers.authorization).toBeUndefined();
    expect(s.headers['openai-beta']).toBeUndefined();
    expect((await s.waitFor('session.update')).session).toMatchObject({ type: 'realtime' });
    await p.close();
  });

  it('Azure OpenAI (beta dialect of the preview API versions): /openai/realtime?api-version=&deployment=, OpenAI-Beta', async () => {
    const s = new OpenAIMockServer();
    servers.push(s);
    const saved = [process.env.AZURE_OPENAI_API_KEY, process.env.AZURE_OPENAI_ENDPOINT];
    process.env.AZURE_OPENAI_API_KEY = 'az-env';
    process.env.AZURE_OPENAI_ENDPOINT = `${await s.origin('http')}/openai`;
    try {
      const p = new OpenAIRealtimeProvider({ api: 'beta', azure: { deployment: 'gpt-4o-rt', apiVersion: '2024-10-01-preview' } });
      await p.connect(connectOptions);
      expect(s.path).toBe('/openai/realtime?api-version=2024-10-01-preview&deployment=gpt-4o-rt');
      expect(s.headers['api-key']).toBe('az-env');
      expect(s.headers['openai-beta']).toBe('realtime=v1');
      expect((await s.waitFor('session.update')).session).toMatchObject({ input_audio_format: 'g711_ulaw' });
      await p.close();
    } finally {
      for (const [k, v] of [['AZURE_OPENAI_API_KEY', saved[0]], ['AZURE_OPENAI_ENDPOINT', saved[1]]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  it('Azure without a key or an endpoint: a ConfigError naming the variable, at construction', () => {
    const saved = [process.env.AZURE_OPENAI_API_KEY, process.env.AZURE_OPENAI_ENDPOINT];
    delete process.env.AZURE_OPENAI_API_KEY;
    delete process.env.AZURE_OPENAI_ENDPOINT;
    try {
      const variable = (f: () => unknown): string | undefined => {
        try {
          f();
        } catch (e) {
          return e instanceof ConfigError ? e.variable : 'not a ConfigError';
        }
        return undefined;
      };
      expect(variable(() => new OpenAIRealtimeProvider({ apiKey: undefined, azure: { deployment: 'd' } }))).toBe('AZURE_OPENAI_API_KEY');
      expect(variable(() => new OpenAIRealtimeProvider({ apiKey: 'k', azure: { deployment: 'd' } }))).toBe('AZURE_OPENAI_ENDPOINT');
      expect(variable(() => new OpenAIRealtimeProvider({ apiKey: 'k', azure: { endpoint: 'not a url', deployment: 'd' } }))).toBe('AZURE_OPENAI_ENDPOINT');
      expect(variable(() => new OpenAIRealtimeProvider({ apiKey: 'k', azure: { endpoint: 'https://x.openai.azure.com', deployment: '' } }))).toBe('azure.deployment');
      // The beta dialect is off on OpenAI's own endpoint; it stays for Azure and explicit URLs.
      expect(variable(() => new OpenAIRealtimeProvider({ apiKey: 'k', api: 'beta' }))).toBe('api');
      expect(variable(() => new OpenAIRealtimeProvider({ apiKey: 'k', api: 'beta', url: 'ws://127.0.0.1:9/' }))).toBeUndefined();
    } finally {
      if (saved[0] !== undefined) process.env.AZURE_OPENAI_API_KEY = saved[0];
      if (saved[1] !== undefined) process.env.AZURE_OPENAI_ENDPOINT = saved[1];
    }
  });

  it('offers no permessage-deflate unless asked; user ws options and headers apply; the auth header is the provider’s', async () => {
    const s = new OpenAIMockServer({ perMessageDeflate: true });
    servers.push(s);
    const plain = new OpenAIRealtimeProvider({ apiKey: 'sk-1', url: await s.ready(), webSocket: { headers: { 'X-Trace': 't1', Authorization: 'Bearer not-this' } } });
    await plain.connect(connectOptions);
    expect(s.headers['sec-websocket-extensions']).toBeUndefined();
    expect(s.headers['x-trace']).toBe('t1');
    expect(s.headers.authorization).toBe('Bearer sk-1');
    await plain.close();
    const deflate = new OpenAIRealtimeProvider({ apiKey: 'sk-1', url: await s.ready(), webSocket: { perMessageDeflate: true } });
    await deflate.connect(connectOptions);
    expect(s.headers['sec-websocket-extensions']).toMatch(/permessage-deflate/);
    await deflate.close();
  });
});
