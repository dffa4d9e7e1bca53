/**
 * Matches applications we asked a channel to run with the `CHANNEL_EXECUTE_COMPLETE` that ends
 * each one: we send `Event-UUID`, FreeSWITCH echoes it as `Application-UUID`.
 *
 * @module
 */
import { EslTimeoutError } from '../errors.js';
import type { EslEvent } from './event.js';

interface Pending {
  resolve: (event: EslEvent) => void;
  reject: (error: unknown) => void;
  timer: NodeJS.Timeout | undefined;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  app: string | undefined;
}

/** Options of one tracked execution. */
export interface TrackOptions {
  /** Ms to wait for completion (0 or absent: as long as the call lasts). */
  timeout?: number;
  signal?: AbortSignal;
  /** Names the application in a timeout message. */
  app?: string;
}

/** Pending executions of one call, by `Application-UUID`. */
export class ExecutionTracker {
  private readonly pending = new Map<string, Pending>();

  /** Executions not yet completed. */
  get size(): number {
    return this.pending.size;
  }

  /**
   * Resolves with the `CHANNEL_EXECUTE_COMPLETE` whose `Application-UUID` is `uuid`. Register
   * before the `sendmsg` is written, so a fast completion cannot be missed.
   */
  track(uuid: string, options: TrackOptions = {}): Promise<EslEvent> {
    const { signal, timeout } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<EslEvent>((resolve, reject) => {
      const slot: Pending = { resolve, reject, timer: undefined, signal, onAbort: undefined, app: options.app };
      if (timeout !== undefined && timeout > 0 && Number.isFinite(timeout)) {
        slot.timer = setTimeout(
          () => this.settle(uuid, undefined, new EslTimeoutError(`${options.app ?? 'application'} did not complete within ${timeout} ms`, timeout)),
          timeout,
        );
      }
      if (signal) {
        slot.onAbort = () => this.settle(uuid, undefined, signal.reason);
        signal.addEventListener('abort', slot.onAbort, { once: true });
      }
      this.pending.set(uuid, slot);
    });
  }

  /** Names of the applications still running (or queued), in the order they were sent. */
  running(): string[] {
    return [...this.pending.values()].map((p) => p.app ?? '');
  }

  /** Feeds an event; returns true when it completed a tracked execution. */
  onEvent(event: EslEvent): boolean {
    if (this.pending.size === 0 || event.name !== 'CHANNEL_EXECUTE_COMPLETE') return false;
    const uuid = event.get('Application-UUID');
    return uuid !== undefined && this.settle(uuid, event, undefined);
  }

  /** Rejects one execution (its `sendmsg` was refused). */
  fail(uuid: string, error: unknown): void {
    this.settle(uuid, undefined, error);
  }

  /** Rejects every pending execution (hangup, socket closed). */
  failAll(error: unknown): void {
    for (const uuid of [...this.pending.keys()]) this.settle(uuid, undefined, error);
  }

  private settle(uuid: string, event: EslEvent | undefined, error: unknown): boolean {
    const slot = this.pending.get(uuid);
    if (slot === undefined) return false;
    this.pending.delete(uuid);
    if (slot.timer) clearTimeout(slot.timer);
    if (slot.onAbort) slot.signal!.removeEventListener('abort', slot.onAbort);
    if (event) slot.resolve(event);
    else slot.reject(error);
    return true;
  }
}
