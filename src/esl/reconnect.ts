import pRetry, { AbortError } from 'p-retry';
import { EslAuthError } from '../errors.js';

/** The reconnect policy. */
export interface ReconnectPolicy {
  /** Attempts before giving up; `Infinity` never gives up. */
  attempts: number;
  /** Ms before the first retry; doubles (with jitter) up to `maxDelay`. */
  delay: number;
  maxDelay: number;
  signal: AbortSignal;
  /** Called as each attempt starts (1-based). */
  onAttempt(attempt: number): void;
  /** Called when an attempt fails and another will follow. */
  onFailure(error: Error): void;
}

/**
 * Runs `establish` until it succeeds, with exponential backoff and jitter (p-retry). An
 * {@link EslAuthError} stops at once: retrying a wrong password only hammers FreeSWITCH (a
 * peer library's failure mode). Rejects with the last error when attempts run out.
 */
export async function reconnectWithBackoff(establish: () => Promise<void>, policy: ReconnectPolicy): Promise<void> {
  try {
    await pRetry(
      async (attempt) => {
        policy.onAttempt(attempt);
        try {
          await establish();
        } catch (error) {
          if (error instanceof EslAuthError) throw new AbortError(error);
          throw error;
        }
      },
      {
        retries: Number.isFinite(policy.attempts) ? Math.max(0, policy.attempts - 1) : Infinity,
        minTimeout: policy.delay,
        maxTimeout: policy.maxDelay,
        factor: 2,
        randomize: true,
        signal: policy.signal,
        onFailedAttempt: ({ error }) => policy.onFailure(error),
      },
    );
  } catch (error) {
    throw error instanceof AbortError ? error.originalError : error;
  }
}
