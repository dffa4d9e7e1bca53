/**
 * Many FreeSWITCH nodes behind one object: one inbound client per node (from configuration or
 * from the tenant source), health and reconnect per node, commands routed by node name or by the
 * node that owns a call, events merged with their node, and originates rate limited per node.
 *
 * @module
 */
import { PUBLIC_DEFAULT_PASSWORD } from '../config/settings.js';
import { randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import { EventEmitter } from 'eventemitter3';
import { getDefaultConfig } from '../config/defaults.js';
import { withoutPassword } from '../config/redact.js';
import { type EslEndpoint, endpointKey, resolveEndpoint } from '../config/tenants.js';
import { ConfigError, EslNoNodeError } from '../errors.js';
import { reportError } from '../error-reporting.js';
import { type Logger, defaultLogger } from '../logger.js';
import type { BackgroundJobResult } from './background-jobs.js';
import type { ChannelData } from './channel-data.js';
import { ChannelOwners } from './channel-owners.js';
import type { AsyncESLClient, AsyncESLClientOptions, BgapiOptions } from './client.js';
import type { EventSubscriptionFormat } from './commands.js';
import type { CommandOptions } from './connection.js';
import { EslNode, type EslNodeConfig, type EslNodeHealth } from './esl-node.js';
import type { EslPoolEvents, EslPoolOptions, PoolOriginateOptions, RouteOptions } from './esl-pool-options.js';
import type { EslReply } from './reply.js';

export type { EslPoolEvents, EslPoolOptions, PoolCommandInfo, PoolOriginateOptions, RouteOptions } from './esl-pool-options.js';

/**
 * One inbound {@link AsyncESLClient} per FreeSWITCH node, kept connected (each node
 * reconnects on its own), with routing and per-node originate limits.
 *
 * ```ts
 * const pool = new EslPool({
 *   defaults: loadConfig().esl,
 *   nodes: [{ name: 'fs1', host: '10.0.0.11' }, { name: 'fs2', host: '10.0.0.12', sps: 50 }],
 * });
 * pool.on('event', (e, node) => console.log(node.name, e.name, e.uuid));
 * await pool.subscribe(['CHANNEL_ANSWER', 'CHANNEL_HANGUP_COMPLETE']);
 * const { uuid, node } = await pool.originate({ dialString: 'user/1000', app: 'park' }); // least-loaded node
 * await pool.api(`uuid_kill ${uuid}`, { uuid });                                         // routed to its node
 * ```
 */
export class EslPool extends EventEmitter<EslPoolEvents> {
  /** True private fields: the passwords in them never show, even with `customInspect: false`. */
  readonly #options: EslPoolOptions;
  readonly #defaults: Omit<AsyncESLClientOptions, 'logger'> & EslEndpoint;
  private readonly byName = new Map<string, EslNode>();
  private readonly byEndpoint = new Map<string, EslNode>();
  private readonly owners = new ChannelOwners();
  private readonly subscriptions: { names: string[]; format: EventSubscriptionFormat | undefined }[] = [];
  private readonly logger: Logger;
  private roundRobin = 0;
  private closed = false;

  constructor(options: EslPoolOptions = {}) {
    super();
    this.#options = options;
    this.logger = options.logger ?? defaultLogger;
    const base = options.defaults ?? getDefaultConfig().esl;
    this.#defaults = { ...base, host: base.host ?? '127.0.0.1', port: base.port ?? 8021, password: base.password ?? PUBLIC_DEFAULT_PASSWORD };
    for (const node of options.nodes ?? []) this.add(node, options.monitor ?? true);
    if (options.connect ?? true) for (const node of this.byName.values()) node.start();
  }

  /** What `JSON.stringify(pool)` gives: the default endpoint and the nodes, never a password. */
  toJSON(): { defaults: EslPoolOptions['defaults']; nodes: { name: string; address: string }[] } {
    return { defaults: withoutPassword(this.#defaults), nodes: this.nodes.map((n) => ({ name: n.name, address: n.address })) };
  }

  /** What `util.inspect(pool)` shows: the same as {@link EslPool.toJSON}. */
  [inspect.custom](_depth: number, options: object): string {
    return `EslPool ${inspect(this.toJSON(), options)}`;
  }

  /** Every node, in the order they were added. */
  get nodes(): readonly EslNode[] {
    return [...this.byName.values()];
  }

  /** Nodes (compatibility with the per-endpoint pool). */
  get size(): number {
    return this.byName.size;
  }

  /** Nodes logged in now. */
  get connectedNodes(): number {
    let n = 0;
    for (const node of this.byName.values()) if (node.isReady) n++;
    return n;
  }

  /** State and counters of every node. */
  health(): EslNodeHealth[] {
    return this.nodes.map((n) => n.health());
  }

  /**
   * Adds a FreeSWITCH node (start it with `node.start()`, or it starts on first use), watched
   * unless `monitor` is false (see {@link EslPoolOptions.monitor}). Throws {@link ConfigError}
   * when the name is taken.
   */
  add(config: EslNodeConfig, monitor = true): EslNode {
    if (this.byName.has(config.name)) throw new ConfigError(`FreeSWITCH node "${config.name}" is already in the pool`, 'nodes', config.name);
    const merged = { ...this.#defaults, sps: this.#options.sps, maxConcurrent: this.#options.maxConcurrent, ...config };
    const node = new EslNode(merged, this.logger, monitor);
    this.byName.set(node.name, node);
    this.byEndpoint.set(endpointKey(merged), node);
    this.wire(node);
    if (this.closed) void node.close();
    return node;
  }

  /** A node by name; throws {@link EslNoNodeError} for an unknown one. */
  node(name: string): EslNode {
    const node = this.byName.get(name);
    if (!node) throw new EslNoNodeError(`no FreeSWITCH node named "${name}" in the pool (nodes: ${[...this.byName.keys()].join(', ') || 'none'})`, name);
    return node;
  }

  /** The connected client of a node (by name), waiting for its login; rejects when the node cannot connect. */
  async client(name: string, signal?: AbortSignal): Promise<AsyncESLClient> {
    const node = this.node(name);
    await node.ready(signal);
    return node.client;
  }

  /** The client of the default endpoint (`defaults`), connected on first use. */
  async getDefault(signal?: AbortSignal): Promise<AsyncESLClient> {
    const node = this.forEndpoint(this.#defaults, 'default');
    await node.ready(signal);
    return node.client;
  }

  /**
   * The node of a tenant's FreeSWITCH: the tenant's overrides on top of the defaults, shared by
   * every tenant there. Rejects with {@link ConfigError} for a tenant the source does not know.
   */
  async nodeForDomain(domainUuid: string, signal?: AbortSignal): Promise<EslNode> {
    if (!this.#options.tenants) return this.forEndpoint(this.#defaults, 'default');
    const tenant = await this.#options.tenants.get(domainUuid, signal);
    if (tenant === undefined) throw new ConfigError(`unknown tenant: no configuration for domain ${domainUuid}`, 'domainUuid', domainUuid);
    const endpoint = resolveEndpoint(tenant, this.#defaults);
    return this.forEndpoint({ ...this.#defaults, ...endpoint }, `${endpoint.host}:${endpoint.port}`);
  }

  /** The connected client of a tenant's FreeSWITCH. */
  async forDomain(domainUuid: string, signal?: AbortSignal): Promise<AsyncESLClient> {
    const node = await this.nodeForDomain(domainUuid, signal);
    await node.ready(signal);
    return node.client;
  }

  /**
   * The node an outbound call came from, by its channel data: `Core-UUID`, then
   * `FreeSWITCH-Switchname` / `-Hostname` against what each node reported; `undefined` when no
   * node matches.
   */
  nodeForChannel(channel: ChannelData): EslNode | undefined {
    const { coreUuid, switchname, hostname } = channel.freeswitch;
    const nodes = this.nodes;
    return (
      (coreUuid && nodes.find((n) => n.identity.coreUuid === coreUuid)) ||
      (switchname && nodes.find((n) => n.identity.switchname === switchname)) ||
      (hostname && nodes.find((n) => n.identity.hostname === hostname)) ||
      undefined
    );
  }

  /** The node known to own a channel (from originates and `CHANNEL_CREATE` events), without asking. */
  nodeOf(uuid: string): EslNode | undefined {
    const name = this.owners.get(uuid);
    return name === undefined ? undefined : this.byName.get(name);
  }

  /** Records that a channel lives on a node (e.g. an outbound call, by {@link EslPool.nodeForChannel}). */
  adopt(uuid: string, node: EslNode | string): void {
    this.owners.remember(uuid, typeof node === 'string' ? node : node.name);
  }

  /**
   * The node that owns a channel: known, or found by asking every connected node
   * `uuid_exists`. Rejects with {@link EslNoNodeError} when none has it.
   */
  async ownerOf(uuid: string, signal?: AbortSignal): Promise<EslNode> {
    const known = this.nodeOf(uuid);
    if (known) return known;
    const ready = this.nodes.filter((n) => n.isReady);
    const answers = await Promise.all(ready.map((n) => n.client.uuidExists(uuid, { signal }).catch(() => false)));
    const owner = ready[answers.indexOf(true)];
    if (!owner) throw new EslNoNodeError(`no connected FreeSWITCH node has channel ${uuid}`, uuid);
    this.owners.remember(uuid, owner.name);
    return owner;
  }

  /** `api <command>` on the node given by `route` (by name or by the channel it owns; default: the default endpoint). */
  async api(command: string, route: RouteOptions = {}, options: CommandOptions = {}): Promise<EslReply> {
    const node = await this.route(route, options.signal);
    await node.ready(options.signal);
    return this.timed(node, command, () => node.client.api(command, options), (r) => r.ok);
  }

  /** `bgapi <command>` on the routed node; resolves with the job's result. */
  async bgapi(command: string, route: RouteOptions = {}, options: BgapiOptions = {}): Promise<BackgroundJobResult> {
    const node = await this.route(route, options.signal);
    await node.ready(options.signal);
    return this.timed(node, command, () => node.client.bgapi(command, options).result, (r) => r.ok);
  }

  /**
   * `event <names>` on every node, now and on nodes added later (each client restores it after
   * a reconnect). Events arrive as `event` with their node.
   */
  async subscribe(names: readonly string[], format?: EventSubscriptionFormat): Promise<void> {
    this.subscriptions.push({ names: [...names], format });
    await Promise.all(this.nodes.filter((n) => n.isReady).map((n) => n.client.subscribe(names, format)));
  }

  /**
   * Places a call on `node`, or on the connected node with the least load (the sessions it last
   * reported, plus originates started since and waiting), within that node's originate limits:
   * at most `sps` per rolling second and `maxConcurrent` in flight. What does not fit waits, or
   * with `onLimit: 'fail'` rejects with `OriginateRateLimitError` without sending anything.
   * Resolves once the leg answered, with its uuid and node; `OriginateError` as the client's.
   */
  async originate(options: PoolOriginateOptions): Promise<{ uuid: string; node: string }> {
    const { node: name, onLimit, priority, ...originate } = options;
    const node = name !== undefined ? this.node(name) : this.leastLoaded();
    const uuid = originate.uuid ?? randomUUID();
    return node.limiter.run(
      async () => {
        node.noteOriginate();
        this.owners.remember(uuid, node.name);
        const started = performance.now();
        try {
          await node.ready(originate.signal);
          await this.timed(node, 'originate', () => node.client.originate({ ...originate, uuid }), () => true);
          this.emit('originate', { node: node.name, uuid, durationMs: performance.now() - started, ok: true });
          return { uuid, node: node.name };
        } catch (error) {
          this.owners.forget(uuid);
          const cause = (error as { hangupCause?: string }).hangupCause ?? (error as { code?: string }).code;
          this.emit('originate', { node: node.name, uuid, durationMs: performance.now() - started, ok: false, cause });
          throw error;
        }
      },
      { onLimit: onLimit ?? this.#options.onLimit, signal: originate.signal, priority },
    );
  }

  /** Closes every node; originates still waiting are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.nodes.map((n) => n.close()));
  }

  private forEndpoint(endpoint: Omit<AsyncESLClientOptions, 'logger'> & EslEndpoint, name: string): EslNode {
    const key = endpointKey(endpoint);
    const known = this.byEndpoint.get(key);
    if (known) return known;
    let unique = name;
    for (let i = 2; this.byName.has(unique); i++) unique = `${name}#${i}`;
    const node = this.add({ ...endpoint, name: unique }, this.#options.monitor ?? false);
    node.start();
    return node;
  }

  private async route(route: RouteOptions, signal?: AbortSignal): Promise<EslNode> {
    if (route.node !== undefined) return this.node(route.node);
    if (route.uuid !== undefined) return this.ownerOf(route.uuid, signal);
    return this.forEndpoint(this.#defaults, 'default');
  }

  private leastLoaded(): EslNode {
    const ready = this.nodes.filter((n) => n.isReady);
    if (ready.length === 0) throw new EslNoNodeError(`no FreeSWITCH node of the pool is connected (nodes: ${this.nodes.map((n) => `${n.name} ${n.health().state}`).join(', ') || 'none'})`);
    let best = ready[this.roundRobin++ % ready.length]!;
    for (const n of ready) if (n.load < best.load) best = n;
    return best;
  }

  private async timed<T>(node: EslNode, command: string, run: () => Promise<T>, ok: (r: T) => boolean): Promise<T> {
    const started = performance.now();
    const name = command.trimStart().split(/\s/, 1)[0] ?? '';
    try {
      const result = await run();
      this.emit('command', { node: node.name, command: name, durationMs: performance.now() - started, ok: ok(result) });
      return result;
    } catch (error) {
      this.emit('command', { node: node.name, command: name, durationMs: performance.now() - started, ok: false });
      throw error;
    }
  }

  private wire(node: EslNode): void {
    node.on('ready', () => {
      for (const s of this.subscriptions) node.client.subscribe(s.names, s.format).catch((e: Error) => this.onError(e, node));
      this.logger.info({ node: node.name, address: node.address }, 'FreeSWITCH node ready');
      this.emit('nodeReady', node);
    });
    node.on('down', (error) => this.emit('nodeDown', node, error));
    node.on('reconnecting', (attempt) => this.emit('nodeReconnecting', node, attempt));
    node.on('error', (error) => this.onError(error, node));
    node.on('event', (event) => {
      this.owners.onEvent(event, node.name);
      this.emit('event', event, node);
    });
  }

  private onError(error: Error, node: EslNode): void {
    reportError(this, error, this.logger, { node: node.name }, node);
  }
}
