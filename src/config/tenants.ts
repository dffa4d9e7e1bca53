import { readFile, stat } from 'node:fs/promises';
import { ConfigError } from '../errors.js';
import type { EslEndpoint } from './client-pool.js';

/** One tenant (a FusionPBX domain): its identity, optionally its own FreeSWITCH, anything else. */
export interface TenantConfig {
  domainUuid: string;
  domainName?: string;
  /** Overrides of the default endpoint, for a tenant on its own FreeSWITCH. */
  esl?: Partial<EslEndpoint>;
  /** Anything your application keeps per tenant (secretary settings, prompts, ...). */
  [key: string]: unknown;
}

/** Where tenants come from: implement it over your database. */
export interface TenantConfigSource {
  /** The tenant, or `undefined` when unknown. */
  get(domainUuid: string, signal?: AbortSignal): Promise<TenantConfig | undefined>;
}

/** Validates one tenant entry; `where` names it in errors. */
export function validateTenant(entry: unknown, where: string): TenantConfig {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
    throw new ConfigError(`${where} must be an object`, where);
  }
  const t = entry as Record<string, unknown>;
  if (typeof t.domainUuid !== 'string' || t.domainUuid.trim() === '') {
    throw new ConfigError(`${where}.domainUuid must be a non-empty string`, `${where}.domainUuid`);
  }
  if (t.domainName !== undefined && typeof t.domainName !== 'string') {
    throw new ConfigError(`${where}.domainName must be a string`, `${where}.domainName`);
  }
  if (t.esl !== undefined) {
    const e = t.esl as Record<string, unknown>;
    if (e === null || typeof e !== 'object') throw new ConfigError(`${where}.esl must be an object`, `${where}.esl`);
    if (e.host !== undefined && (typeof e.host !== 'string' || /\s/.test(e.host) || e.host === '')) {
      throw new ConfigError(`${where}.esl.host must be a host name`, `${where}.esl.host`, String(e.host));
    }
    if (e.port !== undefined && !(Number.isInteger(e.port) && (e.port as number) > 0 && (e.port as number) < 65536)) {
      throw new ConfigError(`${where}.esl.port must be a TCP port`, `${where}.esl.port`, String(e.port));
    }
    if (e.password !== undefined && (typeof e.password !== 'string' || e.password === '')) {
      throw new ConfigError(`${where}.esl.password must be a non-empty string`, `${where}.esl.password`);
    }
  }
  return t as TenantConfig;
}

/** Tenants held in memory. */
export class InMemoryTenantSource implements TenantConfigSource {
  private readonly tenants = new Map<string, TenantConfig>();

  constructor(tenants: readonly TenantConfig[] | Readonly<Record<string, Omit<TenantConfig, 'domainUuid'>>> = []) {
    const list = Array.isArray(tenants)
      ? (tenants as readonly TenantConfig[])
      : Object.entries(tenants).map(([domainUuid, t]) => ({ ...t, domainUuid }));
    list.forEach((t, i) => this.set(validateTenant(t, `tenants[${i}]`)));
  }

  async get(domainUuid: string): Promise<TenantConfig | undefined> {
    return this.tenants.get(domainUuid);
  }

  /** Adds or replaces a tenant. */
  set(tenant: TenantConfig): void {
    this.tenants.set(tenant.domainUuid, validateTenant(tenant, tenant.domainUuid));
  }

  /** Removes a tenant. */
  delete(domainUuid: string): boolean {
    return this.tenants.delete(domainUuid);
  }
}

/**
 * Tenants from a JSON file (an array, or `{ "tenants": [...] }`), validated entry by entry and
 * read again when the file's modification time changes.
 */
export class JsonFileTenantSource implements TenantConfigSource {
  private cache: { mtimeMs: number; source: InMemoryTenantSource } | undefined;

  constructor(readonly path: string) {}

  async get(domainUuid: string): Promise<TenantConfig | undefined> {
    return (await this.load()).get(domainUuid);
  }

  private async load(): Promise<InMemoryTenantSource> {
    const { mtimeMs } = await stat(this.path);
    if (this.cache?.mtimeMs === mtimeMs) return this.cache.source;
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(this.path, 'utf8'));
    } catch (error) {
      throw new ConfigError(`${this.path} is not valid JSON: ${(error as Error).message}`, this.path);
    }
    const list = Array.isArray(parsed) ? parsed : (parsed as { tenants?: unknown } | null)?.tenants;
    if (!Array.isArray(list)) throw new ConfigError(`${this.path} must hold an array of tenants or { "tenants": [...] }`, this.path);
    const source = new InMemoryTenantSource(list.map((t, i) => validateTenant(t, `${this.path}: tenants[${i}]`)));
    this.cache = { mtimeMs, source };
    return source;
  }
}
