/**
 * Issue 13, item 16: background jobs whose connection is lost are rejected at once with
 * EslJobResultUnknownError instead of waiting out their timeout (300 s by default), and
 * `originate()` learns its call's fate after reconnecting.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { EslConnectionError, EslJobResultUnknownError } from '../../src/errors.js';
import { AsyncESLClient, type AsyncESLClientOptions } from '../../src/esl/client.js';
import { commandReplyFrame } from '../../src/esl/event-serializer.js';
import { FreeSwitchSimulator } from '../../src/testing/index.js';

const CALL = '5b1e9d2c-7a40-4c8e-9f11-2d3c4b5a6978';
let sim: FreeSwitchSimulator;
let client: AsyncESLClient | undefined;

afterEach(async () => {
  await client?.close();
  client = undefined;
  await sim.stop();
});

/** A switch that accepts every `bgapi` (its `+OK Job-UUID` reply) and never finishes the job. */
async function stuckJobs(options: AsyncESLClientOptions = {}): Promise<AsyncESLClient> {
  sim = new FreeSwitchSimulator();
  const { port } = await sim.start();
  sim.onCommand((command) => {
    if (!command.line.startsWith('bgapi ')) return undefined;
    const id = command.headers['Job-UUID']!;
    return { respond: commandReplyFrame(`+OK Job-UUID: ${id}`, [['Job-UUID', id]]) };
  });
  client = new AsyncESLClient({ host: '127.0.0.1', port, reconnectDelay: 10, maxReconnectDelay: 20, backgroundJobTimeout: 120_000, ...options });
  client.on('error', () => {}); // giving up reconnecting is expected in some of these tests
  await client.connect();
  return client;
}

describe('background jobs and connection loss', () => {
  it('rejects an accepted job when its connection drops, not 300 s later', async () => {
    const c = await stuckJobs();
    const job = c.bgapi('status');
    await job.accepted;
    sim.dropConnections();
    const error = await job.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(EslJobResultUnknownError);
    expect(error).toBeInstanceOf(EslConnectionError); // older `instanceof` checks still hold
    expect(error).toMatchObject({ code: 'ESL_JOB_RESULT_UNKNOWN', jobUuid: job.jobUuid, command: 'status' });
    expect((error as Error).message).toMatch(/may or may not have run/);
  });

  it('rejects a job whose bgapi was written but not yet answered as unknown too; its acceptance fails as a connection error', async () => {
    const c = await stuckJobs();
    sim.onCommand((command) => (command.line.startsWith('bgapi ') ? 'drop' : undefined));
    const job = c.bgapi('status');
    await expect(job.accepted).rejects.toBeInstanceOf(EslConnectionError);
    await expect(job.result).rejects.toBeInstanceOf(EslJobResultUnknownError);
  });

  it('rejects every job of a restarted switch, and a job sent while disconnected is a plain not-connected error (it never ran)', async () => {
    const c = await stuckJobs({ maxReconnectAttempts: 0 });
    const jobs = [c.bgapi('status'), c.bgapi('version')];
    await Promise.all(jobs.map((j) => j.accepted));
    await sim.stop();
    for (const job of jobs) await expect(job.result).rejects.toBeInstanceOf(EslJobResultUnknownError);
    const late = c.bgapi('status');
    await expect(late.result).rejects.toMatchObject({ code: 'ESL_NOT_CONNECTED' });
  });
});

describe('originate() after its job was lost', () => {
  function placed(c: AsyncESLClient): Promise<string> {
    return c.originate({ dialString: 'user/1000', app: 'park', uuid: CALL });
  }

  it('resolves with the uuid when the call exists once the client is connected again', async () => {
    const c = await stuckJobs();
    sim.placeCall({ uuid: CALL, destination: '9000' }); // the leg FreeSWITCH created for the originate
    const result = placed(c);
    await sim.waitForCommand((x) => x.line.startsWith('bgapi originate'));
    sim.dropConnections();
    await expect(result).resolves.toBe(CALL);
    expect(sim.commands.filter((x) => x.line.startsWith('bgapi originate'))).toHaveLength(1);
    expect(sim.commands.map((x) => x.line)).toContain(`api uuid_exists ${CALL}`);
  });

  it('rejects with EslJobResultUnknownError when, after a restart, the call does not exist', async () => {
    const c = await stuckJobs();
    const result = placed(c);
    await sim.waitForCommand((x) => x.line.startsWith('bgapi originate'));
    await sim.stop();
    await sim.start();
    const error = await result.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(EslJobResultUnknownError);
    expect((error as Error).message).toMatch(new RegExp(`call ${CALL} does not exist`));
    expect(sim.commands.filter((x) => x.line.startsWith('bgapi originate'))).toHaveLength(1);
  });

  it('rejects when the client is not connected again within originateRecoveryTimeout, or will not reconnect', async () => {
    let c = await stuckJobs({ originateRecoveryTimeout: 100 });
    let result = placed(c);
    await sim.waitForCommand((x) => x.line.startsWith('bgapi originate'));
    await sim.stop();
    await expect(result).rejects.toThrow(/not connected again within 100 ms/);
    await c.close();

    c = await stuckJobs({ maxReconnectAttempts: 0 });
    result = placed(c);
    await sim.waitForCommand((x) => x.line.startsWith('bgapi originate'));
    sim.dropConnections();
    await expect(result).rejects.toBeInstanceOf(EslJobResultUnknownError);
  });
});
