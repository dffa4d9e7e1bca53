import { inspect } from 'node:util';
import { ConfigError } from '../errors.js';
import { AsyncESLClient, type AsyncESLClientOptions } from '../esl/client.js';
import type { Logger } from '../logger.js';
import { loadConfig } from './env.js';
import { withoutPassword } from './redact.js';
import { type EslEndpoint, type TenantConfigSource, endpointKey, resolveEndpoint } from './tenants.js';

/** Options of {@link EslClientPool}. */
export interface EslClientPoolOptions {
  /** The default endpoint and client settings (from `loadConfig().esl`). */
  defaults: Omit<AsyncESLClientOptions, 'logger'> & EslEndpoint;
  /** Tenants, some perhaps on their own FreeSWITCH; without a source every tenant uses the defaults. */
  tenants?: TenantConfigSource;
  logger?: Logger;
}

/**
 * One connected {@link AsyncESLClient} per distinct FreeSWITCH endpoint, created on first use
 * and shared by every tenant that lives there. Connecting happens once per endpoint even when
 * many calls ask at the same time. A client that is not connected when asked for is connected
 * again: a reconnect in progress is waited for, and one that gave up (its error already
 * reported) starts over, keeping its event handlers and subscriptions.
 */
export class EslClientPool {
  private readonly clients = new Map<string, AsyncESLClient>();
  /** A true private field: passwords in it never show, even with `customInspect: false`. */
  readonly #options: EslClientPoolOptions;

  constructor(options: EslClientPoolOptions) {
    this.#options = options;
  }

  /** Number of endpoints with a client. */
  get size(): number {
    return this.clients.size;
  }

  /** The client for the default endpoint. */
  getDefault(signal?: AbortSignal): Promise<AsyncESLClient> {
    return this.forEndpoint(this.#options.defaults, signal);
  }

  /**
   * The client for a tenant's FreeSWITCH: the tenant's overrides on top of the defaults.
   * Rejects with {@link ConfigError} for a tenant the source does not know.
   */
  async forDomain(domainUuid: string, signal?: AbortSignal): Promise<AsyncESLClient> {
    if (!this.#options.tenants) return this.getDefault(signal);
    const tenant = await this.#options.tenants.get(domainUuid, signal);
    if (tenant === undefined) {
      throw new ConfigError(`unknown tenant: no configuration for domain ${domainUuid}`, 'domainUuid', domainUuid);
    }
    return this.forEndpoint({ ...this.#options.defaults, ...resolveEndpoint(tenant, this.#options.defaults) }, signal);
  }

  /** What `JSON.stringify(pool)` gives: the default endpoint and the number of clients, never a password. */
  toJSON(): { defaults: EslClientPoolOptions['defaults']; endpoints: number } {
    return { defaults: withoutPassword(this.#options.defaults), endpoints: this.clients.size };
  }

  /** What `util.inspect(pool)` shows: the same as {@link EslClientPool.toJSON}. */
  [inspect.custom](_depth: number, options: object): string {
    return `EslClientPool ${inspect(this.toJSON(), options)}`;
  }

  /** Closes every client. */
  async close(): Promise<void> {
    const all = [...this.clients.values()];
    this.clients.clear();
    await Promise.all(all.map((c) => c.close()));
  }

  private forEndpoint(options: AsyncESLClientOptions & EslEndpoint, signal?: AbortSignal): Promise<AsyncESLClient> {
    const key = endpointKey(options);
    let client = this.clients.get(key);
    if (!client) {
      client = new AsyncESLClient({ ...options, logger: this.#options.logger });
      this.clients.set(key, client);
    }
    if (client.isConnected) return Promise.resolve(client);
    // First use, a failed connect, a reconnect in progress (joined) or one that gave up: connect() covers each.
    const c = client;
    return c.connect({ signal }).then(() => c);
  }
}

let shared: EslClientPool | undefined;

/**
 * Sets up the process-wide pool behind {@link getEslClient} and {@link getEslForDomain}
 * (replacing, and closing, any previous one). Without a call, the first use builds one from
 * `loadConfig()`.
 */
export function configureEslPool(options: EslClientPoolOptions): EslClientPool {
  void shared?.close();
  shared = new EslClientPool(options);
  return shared;
}

function pool(): EslClientPool {
  if (!shared) {
    const { esl } = loadConfig();
    shared = new EslClientPool({ defaults: esl });
  }
  return shared;
}

/** The shared client for `ESL_HOST:ESL_PORT`, created and connected on first use. */
export function getEslClient(signal?: AbortSignal): Promise<AsyncESLClient> {
  return pool().getDefault(signal);
}

/** The shared client of the FreeSWITCH a tenant lives on (one per distinct endpoint). */
export function getEslForDomain(domainUuid: string, signal?: AbortSignal): Promise<AsyncESLClient> {
  return pool().forDomain(domainUuid, signal);
}
