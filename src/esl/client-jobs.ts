/**
 * Background jobs of {@link AsyncESLClient}: `bgapi` with our own Job-UUID, each job bound to
 * the connection it was written on, and `originate` on top of it with its recovery when that
 * connection is lost before the result arrives.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { EslCommandError, EslConnectionError, EslJobResultUnknownError, ErrorCodes } from '../errors.js';
import type { Logger } from '../logger.js';
import { BackgroundJob, type BackgroundJobResult, BackgroundJobs, unknownResult } from './background-jobs.js';
import type { BgapiOptions, ResolvedClientOptions } from './client-options.js';
import { assertCommandSize, bgapiCommand } from './commands.js';
import type { CommandOptions, EslConnection } from './connection.js';
import type { EslEvent } from './event.js';
import type { InboundSupervisor } from './inbound-supervisor.js';
import { type OriginateOptions, buildOriginate, parseOriginateResult } from './originate.js';
import type { EslReply } from './reply.js';

/** What the jobs need of the client around them. */
export interface ClientJobsContext {
  opts: Pick<ResolvedClientOptions, 'maxCommandBytes' | 'backgroundJobTimeout' | 'originateRecoveryTimeout'>;
  /** The connection the jobs are written on. */
  supervisor: Pick<InboundSupervisor, 'connection' | 'write' | 'whenReady'>;
  /** Makes sure `BACKGROUND_JOB` events reach the client before a `bgapi` is written. */
  ensureJobEvents(): Promise<void>;
  /** `uuid_exists`, for the recovery of an originate. */
  exists(uuid: string, options?: CommandOptions): Promise<boolean>;
  logger: Logger;
}

/** The `bgapi` jobs of one client, and its `originate`. */
export class ClientJobs {
  private readonly jobs = new BackgroundJobs();

  constructor(private readonly context: ClientJobsContext) {}

  /** See {@link AsyncESLClient.bgapi}. */
  bgapi(command: string, options: BgapiOptions = {}): BackgroundJob {
    const { opts, ensureJobEvents } = this.context;
    const jobUuid = options.jobUuid ?? randomUUID();
    let line: string;
    try {
      line = bgapiCommand(command, jobUuid);
      assertCommandSize(line, opts.maxCommandBytes);
    } catch (error) {
      const failed = Promise.reject(error as Error);
      return new BackgroundJob(jobUuid, failed, failed as never);
    }
    const resultEvent = this.jobs.wait(jobUuid, options.timeout ?? opts.backgroundJobTimeout, options.signal, command.trim());
    resultEvent.catch(() => {});
    const accepted = ensureJobEvents()
      .then(() => this.writeJob(jobUuid, line, options.signal))
      .then((reply) => {
        if (!reply.ok) throw new EslCommandError(`bgapi refused: ${reply.text}`, `bgapi ${command}`, reply.text);
        return reply;
      });
    accepted.catch((error: Error) => {
      // Written, then the connection closed before the reply: the job may be running.
      const lost = error instanceof EslConnectionError && error.code === ErrorCodes.ESL_CONNECTION && this.jobs.isBound(jobUuid);
      this.jobs.fail(jobUuid, lost ? unknownResult(jobUuid, command.trim(), 'the connection to FreeSWITCH was lost', error) : error);
    });
    // The job's own waiter carries every failure (refusal, timeout, abort, loss) once.
    const result = resultEvent.then((event) =>
      accepted.then((): BackgroundJobResult => {
        const body = event.body;
        return { jobUuid, body, ok: !(body.startsWith('-ERR') || body.startsWith('-USAGE')), event };
      }),
    );
    return new BackgroundJob(jobUuid, accepted, result);
  }

  /** See {@link AsyncESLClient.originate}. */
  async originate(options: OriginateOptions): Promise<string> {
    const { command, uuid } = buildOriginate(options);
    let result: BackgroundJobResult;
    try {
      result = await this.bgapi(command, { timeout: options.jobTimeout, signal: options.signal });
    } catch (error) {
      if (error instanceof EslJobResultUnknownError) return this.recoverOriginate(uuid, error, options.signal);
      throw error;
    }
    return parseOriginateResult(command, result.body) || uuid;
  }

  /** Settles the job a `BACKGROUND_JOB` event belongs to. */
  settle(event: EslEvent): void {
    this.jobs.settle(event);
  }

  /** The connection `conn` was lost: its jobs' results are unknown now. */
  lose(conn: EslConnection, error: Error | undefined): void {
    const lost = this.jobs.lose(conn, error);
    if (lost > 0) this.context.logger.warn({ jobs: lost }, 'esl: connection lost with background jobs running; their results are unknown');
  }

  /** The client stopped: every job fails (see {@link BackgroundJobs.failAll}). */
  failAll(message: string): void {
    this.jobs.failAll(message);
  }

  /** Writes a `bgapi`, binding its job to the connection it goes out on. */
  private writeJob(jobUuid: string, line: string, signal: AbortSignal | undefined): Promise<EslReply> {
    const { supervisor } = this.context;
    const conn = supervisor.connection;
    if (conn?.isOpen) this.jobs.bind(jobUuid, conn);
    return supervisor.write(line, { signal });
  }

  /** After an originate's job was lost: is the call there once we are connected again? */
  private async recoverOriginate(uuid: string, lost: EslJobResultUnknownError, signal: AbortSignal | undefined): Promise<string> {
    const window = this.context.opts.originateRecoveryTimeout;
    const fail = (why: string, cause: unknown = lost): EslJobResultUnknownError =>
      new EslJobResultUnknownError(`${lost.message}; ${why}`, lost.jobUuid, lost.command, { cause });
    const ready = window > 0 && (await this.context.supervisor.whenReady(window, signal));
    if (signal?.aborted) throw signal.reason;
    if (!ready) throw fail(`not connected again within ${window} ms (originateRecoveryTimeout), so whether call ${uuid} exists is unknown`);
    let exists: boolean;
    try {
      exists = await this.context.exists(uuid, { signal });
    } catch (error) {
      throw fail(`uuid_exists ${uuid} failed after reconnecting`, error);
    }
    if (!exists) throw fail(`after reconnecting, call ${uuid} does not exist: the originate failed, or the call already ended`);
    this.context.logger.info({ uuid, jobUuid: lost.jobUuid }, 'esl: originate job lost with the connection; the call exists');
    return uuid;
  }
}
