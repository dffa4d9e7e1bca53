/**
 * What an {@link OutboundCluster}'s primary and its workers tell each other over the `cluster`
 * IPC channel, and the environment a worker is started with.
 *
 * @module
 */
import type { AddressInfo } from 'node:net';
import { ConfigError } from '../errors.js';
import type { OutboundShutdownOptions, OutboundShutdownReport } from '../esl/outbound-shutdown.js';

/** A worker's slot (0-based): its port slice is the same after a restart. */
export const WORKER_INDEX_ENV = 'VOICE_AI_WORKER_INDEX';
/** The number of workers of the cluster. */
export const WORKER_COUNT_ENV = 'VOICE_AI_WORKERS';
/** The shutdown options a worker uses on its own SIGTERM (JSON). */
export const WORKER_SHUTDOWN_ENV = 'VOICE_AI_SHUTDOWN';

/** Shutdown options that cross a process boundary (no `AbortSignal`). */
export type WireShutdownOptions = Omit<OutboundShutdownOptions, 'signal'>;

/** Worker → primary. */
export type WorkerMessage =
  | { voiceAi: 'listening'; address: AddressInfo }
  | { voiceAi: 'calls'; active: number; total: number }
  | { voiceAi: 'shutdown-report'; report: OutboundShutdownReport };

/** Primary → worker. */
export type PrimaryMessage = { voiceAi: 'shutdown'; options: WireShutdownOptions; hurry?: boolean };

/** Whether an IPC message is one of ours. */
export function isVoiceAiMessage<T extends { voiceAi: string }>(message: unknown): message is T {
  return typeof message === 'object' && message !== null && typeof (message as { voiceAi?: unknown }).voiceAi === 'string';
}

/**
 * Worker `index`'s slice of `min..max` (inclusive): the range cut into `count` consecutive
 * slices as equal as possible, the first ones one port longer when it does not divide.
 *
 * @throws {@link ConfigError} when the range has fewer ports than workers.
 */
export function portSlice(min: number, max: number, count: number, index: number): { min: number; max: number } {
  const size = max - min + 1;
  if (size < count) {
    throw new ConfigError(
      `RTP_PORT_MIN..RTP_PORT_MAX (${min}..${max}) has ${size} ports for ${count} workers: each worker needs a slice of its own; widen the range`,
      'RTP_PORT_MAX',
      String(max),
    );
  }
  const base = Math.floor(size / count);
  const extra = size % count;
  const start = min + index * base + Math.min(index, extra);
  return { min: start, max: start + base - 1 + (index < extra ? 1 : 0) };
}
