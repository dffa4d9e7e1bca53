/**
 * A provider per call, with its configuration checked once at startup.
 *
 * @module
 */
import type { RealtimeProvider } from './provider.js';

/**
 * Returns `create` after calling it once, so that what a provider checks when it is constructed
 * (its API key, its model name) fails when your service starts — a `ConfigError` naming the
 * variable — rather than on the first caller's call. Constructing a provider opens no socket, so
 * the instance made here is simply dropped.
 *
 * ```ts
 * const openai = providerFactory(() => new OpenAIRealtimeProvider()); // throws now without OPENAI_API_KEY
 * createOutboundServer({}, async (call) => {
 *   const session = new RealtimeSession({ call, provider: openai(), instructions: '...' });
 *   await session.start();
 * });
 * ```
 */
export function providerFactory<P extends RealtimeProvider>(create: () => P): () => P {
  create();
  return create;
}
