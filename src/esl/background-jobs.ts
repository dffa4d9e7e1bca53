import { EslConnectionError, EslJobResultUnknownError, EslTimeoutError } from '../errors.js';
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
  /** The command, for the error messages. */
  command: string;
  /** The connection the `bgapi` was written on, once written. */
  owner: object | undefined;
  resolve: (event: EslEvent) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout | undefined;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/**
 * Jobs waiting for their `BACKGROUND_JOB`, by Job-UUID, each bound to the connection its `bgapi`
 * was written on. When that connection is lost the job is rejected at once with
 * {@link EslJobResultUnknownError} ({@link BackgroundJobs.lose}): a FreeSWITCH that restarted
 * will never report it, and one that did not cannot be told apart in time, so waiting out the
 * job's timeout (300 s by default) would only hide the loss.
 */
export class BackgroundJobs {
  private readonly waiting = new Map<string, JobWaiter>();

  /** Jobs still waiting. */
  get size(): number {
    return this.waiting.size;
  }

  /** Registers a job before its command is written, so its event can never be missed. */
  wait(jobUuid: string, timeout: number, signal?: AbortSignal, command = ''): Promise<EslEvent> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<EslEvent>((resolve, reject) => {
      const waiter: JobWaiter = { command, owner: undefined, resolve, reject, timer: undefined, signal, onAbort: undefined };
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

  /** Records that the job's `bgapi` is being written on `owner` (a connection). */
  bind(jobUuid: string, owner: object): void {
    const waiter = this.waiting.get(jobUuid);
    if (waiter) waiter.owner = owner;
  }

  /** Whether the job's `bgapi` was written (on any connection). */
  isBound(jobUuid: string): boolean {
    return this.waiting.get(jobUuid)?.owner !== undefined;
  }

  /** Rejects one job. */
  fail(jobUuid: string, error: Error): void {
    this.take(jobUuid)?.reject(error);
  }

  /**
   * The connection `owner` was lost: rejects every job written on it with
   * {@link EslJobResultUnknownError}. Returns how many.
   */
  lose(owner: object, cause: Error | undefined): number {
    let n = 0;
    for (const [id, waiter] of [...this.waiting]) {
      if (waiter.owner !== owner) continue;
      n++;
      this.fail(id, unknownResult(id, waiter.command, 'the connection to FreeSWITCH was lost', cause));
    }
    return n;
  }

  /**
   * Rejects every job (the client closed or gave up reconnecting): those already written with
   * {@link EslJobResultUnknownError}, the others with {@link EslConnectionError}.
   */
  failAll(message: string): void {
    for (const [id, waiter] of [...this.waiting]) {
      this.fail(id, waiter.owner === undefined ? new EslConnectionError(message) : unknownResult(id, waiter.command, message, undefined));
    }
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

/** The error of a job whose connection went away after its `bgapi` was written. */
export function unknownResult(jobUuid: string, command: string, why: string, cause: unknown): EslJobResultUnknownError {
  const what = command === '' ? `background job ${jobUuid}` : `background job ${jobUuid} (${command.split(' ', 1)[0]})`;
  return new EslJobResultUnknownError(
    `${why} before ${what} reported its result: it may or may not have run, and it is not sent again`,
    jobUuid,
    command,
    { cause },
  );
}
