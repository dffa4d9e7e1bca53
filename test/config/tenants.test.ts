import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EslClientPool } from '../../src/config/client-pool.js';
import {
  type EslEndpoint,
  InMemoryTenantSource,
  JsonFileTenantSource,
  type TenantConfig,
  endpointKey,
  resolveEndpoint,
  validateTenant,
} from '../../src/config/tenants.js';
import { ConfigError } from '../../src/errors.js';
import type { Logger } from '../../src/logger.js';
import { FreeSwitchSimulator } from '../../src/testing/index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A path in a fresh temporary directory (removed after the test). */
function tempFile(name = 'tenants.json'): string {
  const dir = mkdtempSync(join(tmpdir(), 'voice-ai-tenants-'));
  dirs.push(dir);
  return join(dir, name);
}

/** Writes `content` and sets the file's mtime to `seconds` after a fixed epoch: no sleeping. */
function writeAt(file: string, content: unknown, seconds: number): void {
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  const t = new Date(Date.UTC(2030, 0, 1) + seconds * 1000);
  utimesSync(file, t, t);
}

function recordingLogger(): { logger: Logger; errors: unknown[][] } {
  const errors: unknown[][] = [];
  return { errors, logger: { debug() {}, info() {}, warn() {}, error: (...a: unknown[]) => void errors.push(a) } };
}

async function rejection(promise: Promise<unknown>): Promise<ConfigError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

function thrown(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('did not throw');
}

const DEFAULTS: EslEndpoint = { host: '127.0.0.1', port: 8021, password: 'ClueCon' };

describe('InMemoryTenantSource', () => {
  it('serves tenants from a list, and undefined for unknown ones', async () => {
    const source = new InMemoryTenantSource([{ domainUuid: 'd1', domainName: 'a.example', greeting: 'hi' }, { domainUuid: 'd2' }]);
    expect(await source.get('d1')).toEqual({ domainUuid: 'd1', domainName: 'a.example', greeting: 'hi' });
    expect(await source.get('nope')).toBeUndefined();
    expect(source.size).toBe(2);
  });

  it('accepts a record keyed by domainUuid', async () => {
    const source = new InMemoryTenantSource({ d1: { domainName: 'a.example' }, d2: { domainUuid: 'd2', esl: { port: 8031 } } });
    expect(await source.get('d1')).toEqual({ domainUuid: 'd1', domainName: 'a.example' });
    expect((await source.get('d2'))?.esl).toEqual({ port: 8031 });
  });

  it('adds, replaces and deletes tenants', async () => {
    const source = new InMemoryTenantSource();
    source.set({ domainUuid: 'd1', domainName: 'one' });
    source.set({ domainUuid: 'd1', domainName: 'uno' });
    expect((await source.get('d1'))?.domainName).toBe('uno');
    expect(source.delete('d1')).toBe(true);
    expect(source.delete('d1')).toBe(false);
    expect(await source.get('d1')).toBeUndefined();
  });

  it('keeps frozen copies, unaffected by later changes to the objects passed in', async () => {
    const input: TenantConfig = { domainUuid: 'd1', esl: { host: 'fs1' } };
    const source = new InMemoryTenantSource([input]);
    input.esl!.host = 'elsewhere';
    const stored = await source.get('d1');
    expect(stored?.esl?.host).toBe('fs1');
    expect(Object.isFrozen(stored)).toBe(true);
    expect(Object.isFrozen(stored?.esl)).toBe(true);
  });

  it('rejects invalid entries, duplicates and mismatched record keys', () => {
    expect(() => new InMemoryTenantSource([{ domainUuid: 'd1', esl: { port: 0 } }])).toThrow(ConfigError);
    const dup = thrown(() => new InMemoryTenantSource([{ domainUuid: 'd1' }, { domainUuid: 'd1' }]));
    expect(dup.variable).toBe('tenants[1].domainUuid');
    expect(dup.message).toMatch(/twice/);
    const mismatch = thrown(() => new InMemoryTenantSource({ d1: { domainUuid: 'd2' } }));
    expect(mismatch.variable).toBe('tenants["d1"].domainUuid');
    expect(() => new InMemoryTenantSource().set({ domainUuid: '' })).toThrow(ConfigError);
  });

  it('rejects with the reason of an aborted signal', async () => {
    const source = new InMemoryTenantSource([{ domainUuid: 'd1' }]);
    const controller = new AbortController();
    const reason = new Error('call hung up');
    controller.abort(reason);
    await expect(source.get('d1', controller.signal)).rejects.toBe(reason);
  });
});

describe('validateTenant', () => {
  it('returns a valid entry, extra fields included', () => {
    const entry = { domainUuid: 'd1', domainName: 'a.example', esl: { host: '::1', port: 8021, password: 'x' }, voice: 'alloy' };
    expect(validateTenant(entry, 'tenants[0]')).toBe(entry);
  });

  it.each([
    [null, 'tenants[0]'],
    ['d1', 'tenants[0]'],
    [[{ domainUuid: 'd1' }], 'tenants[0]'],
    [{}, 'tenants[0].domainUuid'],
    [{ domainUuid: 42 }, 'tenants[0].domainUuid'],
    [{ domainUuid: '  ' }, 'tenants[0].domainUuid'],
    [{ domainUuid: 'd1 ' }, 'tenants[0].domainUuid'],
    [{ domainUuid: 'd1', domainName: 5 }, 'tenants[0].domainName'],
    [{ domainUuid: 'd1', esl: 'fs1:8021' }, 'tenants[0].esl'],
    [{ domainUuid: 'd1', esl: [] }, 'tenants[0].esl'],
    [{ domainUuid: 'd1', esl: { hots: 'fs1' } }, 'tenants[0].esl.hots'],
    [{ domainUuid: 'd1', esl: { host: '' } }, 'tenants[0].esl.host'],
    [{ domainUuid: 'd1', esl: { host: 'fs 1' } }, 'tenants[0].esl.host'],
    [{ domainUuid: 'd1', esl: { host: 'fs1:8021' } }, 'tenants[0].esl.host'],
    [{ domainUuid: 'd1', esl: { port: '8021' } }, 'tenants[0].esl.port'],
    [{ domainUuid: 'd1', esl: { port: 0 } }, 'tenants[0].esl.port'],
    [{ domainUuid: 'd1', esl: { port: 65536 } }, 'tenants[0].esl.port'],
    [{ domainUuid: 'd1', esl: { port: 80.5 } }, 'tenants[0].esl.port'],
    [{ domainUuid: 'd1', esl: { password: '' } }, 'tenants[0].esl.password'],
    [{ domainUuid: 'd1', esl: { password: 1234 } }, 'tenants[0].esl.password'],
  ])('rejects %j naming %s', (entry, variable) => {
    const error = thrown(() => validateTenant(entry, 'tenants[0]'));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.variable).toBe(variable);
    expect(error.message).toContain('tenants[0]');
  });

  it('names the entry by index and domainUuid, and echoes a bad scalar as `value`', () => {
    const error = thrown(() => validateTenant({ domainUuid: 'd7', esl: { port: 99999 } }, 'tenants[3]'));
    expect(error.message).toContain('tenants[3] (domainUuid "d7").esl.port=99999');
    expect(error.value).toBe('99999');
  });

  it('never shows a password', () => {
    const error = thrown(() => validateTenant({ domainUuid: 'd1', esl: { password: 'hunter2\r\nevent plain ALL' } }, 't'));
    expect(error.variable).toBe('t.esl.password');
    expect(error.value).toBeUndefined();
    expect(error.message).not.toMatch(/hunter2|event plain/);
  });
});

describe('resolveEndpoint', () => {
  it('uses the defaults for a tenant without overrides, copying only host, port and password', () => {
    const defaults = { ...DEFAULTS, connectTimeout: 5000 };
    expect(resolveEndpoint({ domainUuid: 'd1' }, defaults)).toEqual(DEFAULTS);
  });

  it('lays the tenant overrides on top of the defaults', () => {
    expect(resolveEndpoint({ domainUuid: 'd1', esl: { host: 'fs2.internal' } }, DEFAULTS)).toEqual({ ...DEFAULTS, host: 'fs2.internal' });
    expect(resolveEndpoint({ domainUuid: 'd1', esl: { host: 'fs2', port: 9021, password: 'p2' } }, DEFAULTS)).toEqual({
      host: 'fs2',
      port: 9021,
      password: 'p2',
    });
  });

  it('rejects an unusable endpoint from a source that did not validate', () => {
    const error = thrown(() => resolveEndpoint({ domainUuid: 'd1', esl: { port: -1 } }, DEFAULTS));
    expect(error.variable).toBe('esl.port');
    expect(error.message).toContain('"d1"');
  });
});

describe('endpointKey', () => {
  it('is host:port plus a hash, never the password', () => {
    const key = endpointKey({ host: 'fs', port: 8021, password: 'hunter2' });
    expect(key).toMatch(/^fs:8021#[0-9a-f]{16}$/);
    expect(key).not.toContain('hunter2');
  });

  it('is equal for equal endpoints and differs when any part differs', () => {
    const base = { host: 'fs', port: 8021, password: 'hunter2' };
    const key = endpointKey(base);
    expect(endpointKey({ ...base })).toBe(key);
    expect(endpointKey({ ...base, host: 'FS' })).toBe(key);
    expect(endpointKey({ ...base, password: 'hunter3' })).not.toBe(key);
    expect(endpointKey({ ...base, port: 8022 })).not.toBe(key);
    expect(endpointKey({ ...base, host: 'fs2' })).not.toBe(key);
  });

  it('brackets IPv6 hosts', () => {
    expect(endpointKey({ host: '::1', port: 8021, password: 'x' })).toMatch(/^\[::1\]:8021#/);
  });

  it('gives tenants on the same FreeSWITCH the same key', () => {
    const key = (t: TenantConfig): string => endpointKey(resolveEndpoint(t, DEFAULTS));
    expect(key({ domainUuid: 'a' })).toBe(key({ domainUuid: 'b', esl: { host: '127.0.0.1' } }));
    expect(key({ domainUuid: 'a' })).not.toBe(key({ domainUuid: 'c', esl: { password: 'other' } }));
  });
});

describe('JsonFileTenantSource', () => {
  it('reads an array of tenants', async () => {
    const file = tempFile();
    writeAt(file, [{ domainUuid: 'd1', domainName: 'one', esl: { host: 'fs1' } }], 0);
    const source = new JsonFileTenantSource(file);
    expect(await source.get('d1')).toEqual({ domainUuid: 'd1', domainName: 'one', esl: { host: 'fs1' } });
    expect(await source.get('missing')).toBeUndefined();
  });

  it('reads { "tenants": [...] }', async () => {
    const file = tempFile();
    writeAt(file, { tenants: [{ domainUuid: 'd1' }, { domainUuid: 'd2' }] }, 0);
    const source = new JsonFileTenantSource(file);
    expect((await source.load()).map((t) => t.domainUuid)).toEqual(['d1', 'd2']);
  });

  it('re-reads the file when its mtime changes, and only then', async () => {
    const file = tempFile();
    writeAt(file, [{ domainUuid: 'd1', domainName: 'one' }], 0);
    const source = new JsonFileTenantSource(file);
    expect((await source.get('d1'))?.domainName).toBe('one');

    writeAt(file, [{ domainUuid: 'd1', domainName: 'uno' }], 0); // same size, same mtime: not re-read
    expect((await source.get('d1'))?.domainName).toBe('one');

    const t = new Date(Date.UTC(2030, 0, 1) + 60_000);
    utimesSync(file, t, t);
    expect((await source.get('d1'))?.domainName).toBe('uno');
  });

  it('names the file, the entry and the field of an invalid entry', async () => {
    const file = tempFile();
    writeAt(file, { tenants: [{ domainUuid: 'd1' }, { domainUuid: 'd2', esl: { port: 99999 } }] }, 0);
    const error = await rejection(new JsonFileTenantSource(file).get('d1'));
    expect(error.variable).toBe('tenants[1].esl.port');
    expect(error.message).toContain(file);
    expect(error.message).toContain('tenants[1] (domainUuid "d2").esl.port=99999');
  });

  it.each([
    ['a duplicate domainUuid', [{ domainUuid: 'd1' }, { domainUuid: 'd1' }], /twice/],
    ['the wrong shape', { tenant: [] }, /expected an array of tenants/],
    ['a bare string', '"d1"', /expected an array of tenants/],
  ])('rejects %s', async (_case, content, message) => {
    const file = tempFile();
    writeAt(file, content, 0);
    const error = await rejection(new JsonFileTenantSource(file).get('d1'));
    expect(error.message).toMatch(message);
  });

  it('reports where the JSON is broken without quoting the file (which may hold passwords)', async () => {
    const file = tempFile();
    writeAt(file, '[{"domainUuid": "d1",\n  "esl": {"password": "hunter2",}}]', 0);
    const error = await rejection(new JsonFileTenantSource(file).get('d1'));
    expect(error.message).toContain('not valid JSON at line 2 column 33');
    expect(error.message).not.toContain('hunter2');

    writeAt(file, '[{"domainUuid": "d1", "esl": {"password": hunter2}}]', 10);
    const bare = await rejection(new JsonFileTenantSource(file).get('d1'));
    expect(bare.message).toContain('not valid JSON');
    expect(bare.message).not.toContain('hunter2');
  });

  it('rejects when the file is missing, and reads it once it appears', async () => {
    const file = tempFile();
    const source = new JsonFileTenantSource(file);
    const error = await rejection(source.get('d1'));
    expect(error.message).toContain('ENOENT');
    expect(error.variable).toBe(file);
    writeAt(file, [{ domainUuid: 'd1' }], 0);
    expect(await source.get('d1')).toEqual({ domainUuid: 'd1' });
  });

  it('keeps serving the last valid version when a change is invalid, logging the error once', async () => {
    const file = tempFile();
    const { logger, errors } = recordingLogger();
    const source = new JsonFileTenantSource(file, { logger });
    writeAt(file, [{ domainUuid: 'd1', domainName: 'one' }], 0);
    expect((await source.get('d1'))?.domainName).toBe('one');

    writeAt(file, [{ domainUuid: 'd1', domainName: 'uno', esl: { port: 'x' } }], 10);
    expect((await source.get('d1'))?.domainName).toBe('one');
    expect((await source.get('d1'))?.domainName).toBe('one');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.[0]).toMatchObject({ variable: 'tenants[0].esl.port', path: file });
    expect((await rejection(source.load())).variable).toBe('tenants[0].esl.port');

    writeAt(file, [{ domainUuid: 'd1', domainName: 'uno' }], 20);
    expect((await source.get('d1'))?.domainName).toBe('uno');
    expect(errors).toHaveLength(1);
  });

  it('answers concurrent lookups from one version of the file', async () => {
    const file = tempFile();
    writeAt(file, [{ domainUuid: 'd1' }, { domainUuid: 'd2' }], 0);
    const source = new JsonFileTenantSource(file);
    const [a, b, c] = await Promise.all([source.get('d1'), source.get('d2'), source.get('d3')]);
    expect([a?.domainUuid, b?.domainUuid, c]).toEqual(['d1', 'd2', undefined]);
  });
});

describe('EslClientPool', () => {
  it('gives one connected client per distinct FreeSWITCH, shared by its tenants', async () => {
    const a = new FreeSwitchSimulator();
    const b = new FreeSwitchSimulator({ password: 'other' });
    const pa = (await a.start()).port;
    const pb = (await b.start()).port;
    const pool = new EslClientPool({
      defaults: { host: '127.0.0.1', port: pa, password: 'ClueCon' },
      tenants: new InMemoryTenantSource([
        { domainUuid: 't1' },
        { domainUuid: 't2' },
        { domainUuid: 't3', esl: { port: pb, password: 'other' } },
      ]),
    });
    try {
      const [c1, c2, c3] = await Promise.all([pool.forDomain('t1'), pool.forDomain('t2'), pool.forDomain('t3')]);
      expect(c1).toBe(c2);
      expect(c3).not.toBe(c1);
      expect(pool.size).toBe(2);
      expect([a.connections, b.connections]).toEqual([1, 1]);
      await expect(pool.forDomain('unknown')).rejects.toBeInstanceOf(ConfigError);
    } finally {
      await pool.close();
      await a.stop();
      await b.stop();
    }
  });
});
