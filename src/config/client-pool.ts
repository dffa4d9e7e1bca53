/**
 * The process-wide {@link EslPool} behind {@link getEslClient} and {@link getEslForDomain}: one
 * connected client per FreeSWITCH, shared by every tenant that lives there.
 *
 * @module
 */
import type { AsyncESLClient } from '../esl/client.js';
import { EslPool, type EslPoolOptions } from '../esl/esl-pool.js';

/** @deprecated The per-endpoint pool became {@link EslPool}; this name stays for existing code. */
export const EslClientPool = EslPool;
/** @deprecated Use {@link EslPool}. */
export type EslClientPool = EslPool;
/** @deprecated Use {@link EslPoolOptions}. */
export type EslClientPoolOptions = EslPoolOptions;

let shared: EslPool | undefined;

/**
 * Sets up the process-wide pool behind {@link getEslClient} and {@link getEslForDomain}
 * (replacing, and closing, any previous one). Without a call, the first use builds one from
 * `loadConfig()`.
 */
export function configureEslPool(options: EslPoolOptions): EslPool {
  void shared?.close();
  shared = new EslPool(options);
  return shared;
}

/** The process-wide pool ({@link configureEslPool}'s, or one from `loadConfig()` built on first use). */
export function getEslPool(): EslPool {
  shared ??= new EslPool();
  return shared;
}

/** The shared client for `ESL_HOST:ESL_PORT`, created and connected on first use. */
export function getEslClient(signal?: AbortSignal): Promise<AsyncESLClient> {
  return getEslPool().getDefault(signal);
}

/** The shared client of the FreeSWITCH a tenant lives on (one per distinct endpoint). */
export function getEslForDomain(domainUuid: string, signal?: AbortSignal): Promise<AsyncESLClient> {
  return getEslPool().forDomain(domainUuid, signal);
}
