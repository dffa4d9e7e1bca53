import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EslClientPool, endpointKey } from '../../src/config/client-pool.js';
import { InMemoryTenantSource, JsonFileTenantSource } from '../../src/config/tenants.js';
import { ConfigError } from '../../src/errors.js';
import { FreeSwitchSimulator } from '../../src/testing/index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('tenant sources', () => {
  it('serves tenants from memory, and undefined for unknown ones', async () => {
    const source = new InMemoryTenantSource({ d1: { domainName: 'a.example' } });
    expect((await source.get('d1'))?.domainName).toBe('a.example');
    expect(await source.get('nope')).toBeUndefined();
    source.delete('d1');
    expect(await source.get('d1')).toBeUndefined();
  });

  it('validates JSON files entry by entry and re-reads them when they change', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tenants-'));
    dirs.push(dir);
    const file = join(dir, 'tenants.json');
    writeFileSync(file, JSON.stringify({ tenants: [{ domainUuid: 'd1', domainName: 'one' }] }));
    const source = new JsonFileTenantSource(file);
    expect((await source.get('d1'))?.domainName).toBe('one');
    writeFileSync(file, JSON.stringify([{ domainUuid: 'd1', domainName: 'uno' }]));
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    expect((await source.get('d1'))?.domainName).toBe('uno');
    writeFileSync(file, JSON.stringify([{ domainUuid: 'd2', esl: { port: 99999 } }]));
    utimesSync(file, new Date(), new Date(Date.now() + 10_000));
    await expect(source.get('d2')).rejects.toMatchObject({ variable: expect.stringContaining('esl.port') });
    writeFileSync(file, '{oops');
    utimesSync(file, new Date(), new Date(Date.now() + 15_000));
    await expect(source.get('d2')).rejects.toBeInstanceOf(ConfigError);
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

  it('keys endpoints without revealing the password', () => {
    const key = endpointKey({ host: 'fs', port: 8021, password: 'hunter2' });
    expect(key).toMatch(/^fs:8021#[0-9a-f]{12}$/);
    expect(key).not.toContain('hunter2');
    expect(endpointKey({ host: 'fs', port: 8021, password: 'x' })).not.toBe(key);
  });
});
