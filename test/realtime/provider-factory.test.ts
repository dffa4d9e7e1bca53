import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { providerFactory } from '../../src/realtime/provider-factory.js';
import { OpenAIRealtimeProvider } from '../../src/realtime/providers/openai.js';
import { ScriptedProvider } from '../../src/realtime/providers/scripted.js';

describe('providerFactory', () => {
  it('fails at once, naming the variable, when the provider cannot be configured', () => {
    const saved = process.env.OPENAI_API_KEY;
    delete process.env.OPENAI_API_KEY;
    try {
      const error = (() => {
        try {
          providerFactory(() => new OpenAIRealtimeProvider());
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).variable).toBe('OPENAI_API_KEY');
    } finally {
      if (saved !== undefined) process.env.OPENAI_API_KEY = saved;
    }
  });

  it('returns a factory that makes a new provider per call', () => {
    let made = 0;
    const create = providerFactory(() => {
      made++;
      return new ScriptedProvider({});
    });
    expect(made).toBe(1);
    const a = create();
    const b = create();
    expect(a).not.toBe(b);
    expect(made).toBe(3);
  });
});
