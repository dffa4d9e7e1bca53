/**
 * Multi-tenant configuration, FusionPBX style: each tenant is a domain (`domain_uuid`), and
 * either all domains share one FreeSWITCH or some live on their own. A
 * {@link TenantConfigSource} looks tenants up (back it with your database); {@link resolveEndpoint}
 * lays a tenant's Event Socket overrides over the defaults from `loadConfig()`, and
 * {@link endpointKey} names the resulting FreeSWITCH so one client can serve every tenant on it.
 *
 * @module
 */
import { createHmac, randomBytes } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { isIP } from 'node:net';
import { ConfigError } from '../errors.js';
import { hasLineEnd } from '../esl/commands.js';
import { hidePassword } from './redact.js';
import { type Logger, defaultLogger } from '../logger.js';

/** Where a FreeSWITCH's Event Socket listens, and its password. */
export interface EslEndpoint {
  /** Host name or IP address. */
  host: string;
  /** TCP port, 1..65535. */
  port: number;
  /** `event_socket.conf.xml` password. Never logged, never in an error message. */
  password: string;
}

/**
 * One tenant (a FusionPBX domain): its identity, optionally its own FreeSWITCH, and any other
 * per-tenant settings your application keeps (prompts, voice, business hours, ...), which are
 * passed through untouched.
 */
export interface TenantConfig {
  /** The tenant's id: FusionPBX's `domain_uuid` (the `domain_uuid` channel variable). */
  domainUuid: string;
  /** The domain name, e.g. `a.example.com`. */
  domainName?: string;
  /** Overrides of the default endpoint, for a tenant on its own FreeSWITCH. */
  esl?: Partial<EslEndpoint>;
  /** Anything else your application keeps per tenant. */
  [key: string]: unknown;
}

/** Where tenants come from: implement it over your database, or use the sources shipped here. */
export interface TenantConfigSource {
  /**
   * The tenant, or `undefined` when there is none with that id. Rejects with the signal's
   * reason when `signal` aborts.
   */
  get(domainUuid: string, signal?: AbortSignal): Promise<TenantConfig | undefined>;
}

const ESL_KEYS = new Set(['host', 'port', 'password']);

/**
 * Validates one tenant entry and returns it typed. `where` names the entry in error messages
 * (e.g. `tenants[2]`); each {@link ConfigError}'s `variable` is the path of the bad field, e.g.
 * `tenants[2].esl.port`. Passwords never appear in an error.
 *
 * Unknown keys under `esl` are rejected: a typo there would silently send the tenant's calls to
 * the default FreeSWITCH.
 *
 * @throws {@link ConfigError} naming the entry and the field.
 */
export function validateTenant(entry: unknown, where: string): TenantConfig {
  if (!isPlainObject(entry)) {
    throw new ConfigError(`${where}: expected an object with a domainUuid, got ${describeType(entry)}`, where);
  }
  const id = entry.domainUuid;
  if (typeof id !== 'string' || id.trim() === '') {
    throw new ConfigError(`${where}.domainUuid: expected a non-empty string, got ${describeType(id)}`, `${where}.domainUuid`, safeValue(id));
  }
  if (id !== id.trim()) {
    throw new ConfigError(
      `${where}.domainUuid=${JSON.stringify(id)}: must not start or end with whitespace (lookups would never match)`,
      `${where}.domainUuid`,
      id,
    );
  }
  const label = `${where} (domainUuid ${JSON.stringify(id)})`;
  if (entry.domainName !== undefined && typeof entry.domainName !== 'string') {
    throw new ConfigError(`${label}.domainName: expected a string, got ${describeType(entry.domainName)}`, `${where}.domainName`, safeValue(entry.domainName));
  }
  if (entry.esl !== undefined) {
    const esl = entry.esl;
    if (!isPlainObject(esl)) {
      throw new ConfigError(`${label}.esl: expected an object { host?, port?, password? }, got ${describeType(esl)}`, `${where}.esl`);
    }
    for (const key of Object.keys(esl)) {
      if (!ESL_KEYS.has(key)) {
        throw new ConfigError(`${label}.esl.${key}: unknown field; expected only host, port, password`, `${where}.esl.${key}`);
      }
    }
    checkEndpointFields(esl, `${label}.esl`, `${where}.esl`);
  }
  return entry as TenantConfig;
}

/** Checks the fields of a (partial) endpoint that are present. */
function checkEndpointFields(e: Record<string, unknown>, label: string, path: string): void {
  if (e.host !== undefined) {
    const host = e.host;
    if (typeof host !== 'string' || host === '' || /\s/.test(host) || (host.includes(':') && isIP(host) !== 6)) {
      throw new ConfigError(
        `${label}.host=${JSON.stringify(host)}: expected a host name or IP address (no whitespace, no port)`,
        `${path}.host`,
        safeValue(host),
      );
    }
  }
  if (e.port !== undefined) {
    const port = e.port;
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
      throw new ConfigError(`${label}.port=${JSON.stringify(port)}: expected a TCP port, an integer from 1 to 65535`, `${path}.port`, safeValue(port));
    }
  }
  if (e.password !== undefined) {
    const password = e.password;
    if (typeof password !== 'string' || password.trim() === '' || hasLineEnd(password)) {
      throw new ConfigError(`${label}.password: expected a non-empty string on one line (value not shown)`, `${path}.password`);
    }
  }
}

/**
 * The endpoint of a tenant's FreeSWITCH: the tenant's `esl` overrides on top of `defaults`
 * (usually `loadConfig().esl`). Only `host`, `port` and `password` are copied, so the result
 * can be passed to {@link endpointKey}.
 *
 * @throws {@link ConfigError} when the result is not a usable endpoint (e.g. a custom source
 * returned an invalid port).
 */
export function resolveEndpoint(tenant: TenantConfig, defaults: EslEndpoint): EslEndpoint {
  const o = tenant.esl ?? {};
  const endpoint: EslEndpoint = {
    host: o.host ?? defaults.host,
    port: o.port ?? defaults.port,
    password: o.password ?? defaults.password,
  };
  checkEndpointFields({ ...endpoint }, `tenant ${JSON.stringify(tenant.domainUuid)}: esl`, 'esl');
  return hidePassword(endpoint, 'EslEndpoint');
}

let keySecret: Buffer | undefined;

/**
 * A key naming an endpoint without revealing its password: `host:port#<hash>` (IPv6 hosts
 * in brackets, host names lower-cased). Two tenants on the same FreeSWITCH with the same
 * password get the same key, so a pool can share one client per key.
 *
 * The hash is an HMAC with a random per-process secret: stable for the life of the process,
 * different across processes, and useless for guessing the password from a logged key.
 */
export function endpointKey(endpoint: EslEndpoint): string {
  keySecret ??= randomBytes(32);
  const digest = createHmac('sha256', keySecret).update(endpoint.password).digest('hex').slice(0, 16);
  const host = isIP(endpoint.host) === 6 ? `[${endpoint.host}]` : endpoint.host.toLowerCase();
  return `${host}:${endpoint.port}#${digest}`;
}

/** Input of {@link InMemoryTenantSource}: a list, or a record keyed by `domainUuid`. */
export type TenantList = readonly TenantConfig[] | Readonly<Record<string, Partial<TenantConfig>>>;

/**
 * Tenants held in memory: for tests, fixed deployments, or a cache you fill from your
 * database. Entries are validated and stored as shallow frozen copies (the `esl` object
 * included), so later changes to the objects you passed in do not leak in.
 */
export class InMemoryTenantSource implements TenantConfigSource {
  private readonly tenants = new Map<string, TenantConfig>();

  /**
   * @param tenants A list, or a record keyed by `domainUuid` (an entry's own `domainUuid`, if
   * any, must equal its key).
   * @throws {@link ConfigError} for an invalid entry or a `domainUuid` listed twice.
   */
  constructor(tenants: TenantList = []) {
    for (const [t, where] of entries(tenants)) {
      const tenant = validateTenant(t, where);
      if (this.tenants.has(tenant.domainUuid)) {
        throw new ConfigError(
          `${where}.domainUuid=${JSON.stringify(tenant.domainUuid)}: listed twice; each tenant must appear once`,
          `${where}.domainUuid`,
          tenant.domainUuid,
        );
      }
      this.tenants.set(tenant.domainUuid, snapshot(tenant));
    }
  }

  /** Number of tenants. */
  get size(): number {
    return this.tenants.size;
  }

  /** The tenant, or `undefined`. */
  async get(domainUuid: string, signal?: AbortSignal): Promise<TenantConfig | undefined> {
    signal?.throwIfAborted();
    return this.tenants.get(domainUuid);
  }

  /** Every tenant, in insertion order. */
  list(): TenantConfig[] {
    return [...this.tenants.values()];
  }

  /**
   * Adds or replaces a tenant.
   *
   * @throws {@link ConfigError} when it is invalid.
   */
  set(tenant: TenantConfig): void {
    const valid = validateTenant(tenant, `tenant ${JSON.stringify(tenant?.domainUuid)}`);
    this.tenants.set(valid.domainUuid, snapshot(valid));
  }

  /** Removes a tenant; `true` when there was one. */
  delete(domainUuid: string): boolean {
    return this.tenants.delete(domainUuid);
  }
}

/** Options of {@link JsonFileTenantSource}. */
export interface JsonFileTenantSourceOptions {
  /** Hears about a changed file that is invalid (the previous version stays in use). Default: {@link defaultLogger} (stderr). */
  logger?: Logger;
}

interface FileVersion {
  /** mtime (ns), size and inode: any change means the file must be read again. */
  stamp: string;
  source?: InMemoryTenantSource;
  error?: ConfigError;
}

/**
 * Tenants from a JSON file: an array of tenants, or `{ "tenants": [...] }`. Every entry is
 * validated ({@link validateTenant}); the file is read again whenever its modification time
 * (or size, or inode) changes, checked on each lookup.
 *
 * If the file is invalid the first time it is read, lookups reject with the
 * {@link ConfigError}. If a later version is invalid (a typo, a half-written save), lookups keep
 * answering from the last valid version and the error is logged once; call {@link load} to get
 * the error instead (e.g. at startup or in a CI check).
 */
export class JsonFileTenantSource implements TenantConfigSource {
  private current: FileVersion | undefined;
  private lastGood: InMemoryTenantSource | undefined;
  private pending: Promise<FileVersion> | undefined;
  private readonly logger: Logger;

  /**
   * @param path The JSON file. Nothing is read until the first lookup or {@link load}.
   */
  constructor(
    readonly path: string,
    options: JsonFileTenantSourceOptions = {},
  ) {
    this.logger = options.logger ?? defaultLogger;
  }

  /**
   * The tenant, or `undefined`. Rejects with a {@link ConfigError} when the file cannot be read
   * or is invalid and no earlier version of it was valid.
   */
  async get(domainUuid: string, signal?: AbortSignal): Promise<TenantConfig | undefined> {
    signal?.throwIfAborted();
    const version = await this.refresh();
    signal?.throwIfAborted();
    const source = version.source ?? this.lastGood;
    if (!source) throw version.error!;
    return source.get(domainUuid);
  }

  /**
   * Reads the file if it changed and returns every tenant of its current version.
   *
   * @throws {@link ConfigError} when the current version cannot be read or is invalid, even if
   * an earlier version was valid.
   */
  async load(): Promise<TenantConfig[]> {
    const version = await this.refresh();
    if (!version.source) throw version.error!;
    return version.source.list();
  }

  /** Checks the file's stamp and reads it when it changed; concurrent callers share one read. */
  private refresh(): Promise<FileVersion> {
    this.pending ??= this.readIfChanged().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async readIfChanged(): Promise<FileVersion> {
    let stamp: string | undefined;
    let version: FileVersion;
    try {
      const s = await stat(this.path, { bigint: true });
      stamp = `${s.mtimeNs}:${s.size}:${s.ino}`;
      if (this.current?.stamp === stamp) return this.current;
      version = { stamp, source: parseTenantFile(await readFile(this.path, 'utf8'), this.path) };
      this.lastGood = version.source;
    } catch (error) {
      const configError = error instanceof ConfigError ? error : this.fileError(`cannot read it (${errorCode(error)})`);
      // A missing or unreadable file gets its own stamp, so it is reported once and noticed when it returns.
      version = { stamp: stamp ?? `unreadable:${configError.message}`, error: configError };
      if (this.current?.stamp === version.stamp) return this.current;
      if (this.lastGood) {
        this.logger.error(
          { variable: configError.variable, path: this.path },
          `tenant file changed but is unusable; still using its last valid version: ${configError.message}`,
        );
      }
    }
    this.current = version;
    return version;
  }

  private fileError(what: string): ConfigError {
    return new ConfigError(`tenant file ${this.path}: ${what}`, this.path);
  }
}

/** Parses and validates a tenant file's text. */
function parseTenantFile(text: string, path: string): InMemoryTenantSource {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    // V8's message can quote the file's text, passwords included: report only where.
    throw new ConfigError(`tenant file ${path}: not valid JSON${jsonErrorPosition(text, error)}`, path);
  }
  const list = Array.isArray(parsed) ? parsed : isPlainObject(parsed) ? parsed.tenants : undefined;
  if (!Array.isArray(list)) {
    throw new ConfigError(`tenant file ${path}: expected an array of tenants or { "tenants": [...] }`, path);
  }
  try {
    return new InMemoryTenantSource(list as TenantConfig[]);
  } catch (error) {
    if (error instanceof ConfigError) {
      throw new ConfigError(`tenant file ${path}: ${error.message}`, error.variable, error.value);
    }
    throw error;
  }
}

/** ` at line L column C`, from V8's "at position N", or nothing. */
function jsonErrorPosition(text: string, error: unknown): string {
  const match = /at position (\d+)/.exec(error instanceof Error ? error.message : '');
  if (!match) return /end of JSON input/i.test(String((error as Error | undefined)?.message)) ? ' (it ends early)' : '';
  const offset = Number(match[1]);
  const before = text.slice(0, offset).split('\n');
  return ` at line ${before.length} column ${(before.at(-1)?.length ?? 0) + 1}`;
}

function* entries(tenants: TenantList): Generator<[unknown, string]> {
  if (Array.isArray(tenants)) {
    for (const [i, t] of (tenants as readonly unknown[]).entries()) yield [t, `tenants[${i}]`];
    return;
  }
  for (const [key, t] of Object.entries(tenants as Record<string, unknown>)) {
    const where = `tenants[${JSON.stringify(key)}]`;
    if (!isPlainObject(t)) {
      yield [t, where];
      continue;
    }
    if (t.domainUuid !== undefined && t.domainUuid !== key) {
      throw new ConfigError(
        `${where}.domainUuid=${JSON.stringify(t.domainUuid)}: differs from its key ${JSON.stringify(key)}`,
        `${where}.domainUuid`,
        safeValue(t.domainUuid),
      );
    }
    yield [{ ...t, domainUuid: key }, where];
  }
}

/** A frozen shallow copy (its `esl` copied and frozen too). */
function snapshot(t: TenantConfig): TenantConfig {
  const copy: TenantConfig = { ...t };
  if (t.esl) copy.esl = Object.freeze({ ...t.esl });
  return Object.freeze(copy);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function describeType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'string' ? JSON.stringify(v) : typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;
}

/** A scalar as text for `ConfigError.value`; objects are not echoed. */
function safeValue(v: unknown): string | undefined {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
}

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException | undefined)?.code ?? (error instanceof Error ? error.message : String(error));
}
