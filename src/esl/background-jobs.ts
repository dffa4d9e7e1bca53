import { EslConnectionError, EslTimeoutError } from '../errors.js';
import type { EslEvent } from './event.js';
import type { EslReply } from './reply.js';

/** The outcome of a `bgapi` command: the `BACKGROUND_JOB` event's body. */
export interface BackgroundJobResult {
  /** The job's uuid (ours: we choose it, so the result can never race the reply). */
  jobUuid: string;
  /** The command's output, e.g. `+OK <uuid>\n` or `-ERR USER_BUSY\n`. */
  body: string;
  /** `false` when the output starts with `-ERR` (or `-USAGE`). */
  ok: boolean;
  /** The `BACKGROUND_JOB` event itself. */
  event: EslEvent;
}

/**
 * A running `bgapi` command. `await job` gives its {@link BackgroundJobResult}; `job.jobUuid`
 * is known at once; `job.accepted` resolves when FreeSWITCH queued it (`+OK Job-UUID`).
 */
export class BackgroundJob implements PromiseLike<BackgroundJobResult> {
  /** Resolves with FreeSWITCH's `+OK Job-UUID: ...` reply. */
  readonly accepted: Promise<EslReply>;
  /** Resolves with the job's result. */
  readonly result: Promise<BackgroundJobResult>;

  constructor(
    /** The `Job-UUID`. */
    readonly jobUuid: string,
    accepted: Promise<EslReply>,
    result: Promise<BackgroundJobResult>,
  ) {
    this.accepted = accepted;
    this.result = result;
    // A caller may watch only one of the two; the other must not become an unhandled rejection.
    accepted.catch(() => {});
    result.catch(() => {});
  }

  then<A = BackgroundJobResult, B = never>(
    onFulfilled?: ((value: BackgroundJobResult) => A | PromiseLike<A>) | null,
    onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.result.then(onFulfilled, onRejected);
  }
}

interface JobWaiter {
  resolve: (event: EslEvent) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout | undefined;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/**
 * Jobs waiting for their `BACKGROUND_JOB`, by Job-UUID. A job FreeSWITCH accepted keeps waiting
 * across a reconnect (its result reaches every listener subscribed to `BACKGROUND_JOB`, the new
 * connection included) until its own timeout.
 */
export class BackgroundJobs {
  private readonly waiting = new Map<string, JobWaiter>();

  /** Jobs still waiting. */
  get size(): number {
    return this.waiting.size;
  }

  /** Registers a job before its command is written, so its event can never be missed. */
  wait(jobUuid: string, timeout: number, signal?: AbortSignal): Promise<EslEvent> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<EslEvent>((resolve, reject) => {
      const waiter: JobWaiter = { resolve, reject, timer: undefined, signal, onAbort: undefined };
      if (timeout > 0 && Number.isFinite(timeout)) {
        waiter.timer = setTimeout(
          () => this.fail(jobUuid, new EslTimeoutError(`background job ${jobUuid} gave no result within ${timeout} ms`, timeout)),
          timeout,
        );
      }
      if (signal) {
        waiter.onAbort = () => this.fail(jobUuid, signal.reason as Error);
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.waiting.set(jobUuid, waiter);
    });
  }

  /** Settles the job a `BACKGROUND_JOB` event belongs to. Returns whether it was ours. */
  settle(event: EslEvent): boolean {
    const id = event.jobUuid;
    if (id === undefined) return false;
    const waiter = this.take(id);
    waiter?.resolve(event);
    return waiter !== undefined;
  }

  /** Rejects one job. */
  fail(jobUuid: string, error: Error): void {
    this.take(jobUuid)?.reject(error);
  }

  /** Rejects every job (the client closed or gave up reconnecting). */
  failAll(message: string): void {
    for (const id of [...this.waiting.keys()]) this.fail(id, new EslConnectionError(message));
  }

  private take(jobUuid: string): JobWaiter | undefined {
    const waiter = this.waiting.get(jobUuid);
    if (!waiter) return undefined;
    this.waiting.delete(jobUuid);
    if (waiter.timer) clearTimeout(waiter.timer);
    if (waiter.onAbort) waiter.signal!.removeEventListener('abort', waiter.onAbort);
    return waiter;
  }
}
