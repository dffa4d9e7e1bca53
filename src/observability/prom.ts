/**
 * prom-client, an optional peer dependency: loaded only when metrics are created, so the SDK
 * loads without it and nothing in the call path pays for metrics that are off. Its types stay
 * inside this folder (the public API speaks of {@link MetricsRegistry} only), so a program
 * without prom-client compiles against the published types too.
 *
 * @module
 */
import type * as Prom from 'prom-client';
import { ConfigError } from '../errors.js';

/** The prom-client module. */
export type PromClient = typeof Prom;

/** Where the metrics live: a prom-client `Registry` (structurally: what a scrape needs). */
export interface MetricsRegistry {
  /** The text exposition of every metric. */
  metrics(): Promise<string>;
  /** Its `Content-Type`. */
  readonly contentType: string;
}

/** Loads prom-client; a {@link ConfigError} that says how to install it when it is missing. */
export async function loadPromClient(): Promise<PromClient> {
  try {
    const mod = (await import('prom-client')) as PromClient & { default?: PromClient };
    return mod.default ?? mod;
  } catch (error) {
    throw Object.assign(new ConfigError('metrics need the optional peer dependency prom-client: npm install prom-client', 'prom-client'), { cause: error });
  }
}

/** Makes metrics with one prefix, in one registry. */
export class MetricFactory {
  constructor(
    readonly prom: PromClient,
    readonly registry: Prom.Registry,
    readonly prefix: string,
  ) {}

  counter<L extends string>(name: string, help: string, labelNames: readonly L[] = [], collect?: (this: Prom.Counter<L>) => void | Promise<void>): Prom.Counter<L> {
    return new this.prom.Counter<L>({ name: this.prefix + name, help, labelNames, registers: [this.registry], ...(collect && { collect }) });
  }

  gauge<L extends string>(name: string, help: string, labelNames: readonly L[] = [], collect?: (this: Prom.Gauge<L>) => void | Promise<void>): Prom.Gauge<L> {
    return new this.prom.Gauge<L>({ name: this.prefix + name, help, labelNames, registers: [this.registry], ...(collect && { collect }) });
  }

  histogram<L extends string>(name: string, help: string, buckets: number[], labelNames: readonly L[] = []): Prom.Histogram<L> {
    return new this.prom.Histogram<L>({ name: this.prefix + name, help, labelNames, buckets, registers: [this.registry] });
  }
}

/**
 * Keeps a monotonic counter in step with a cumulative count read from elsewhere (a bridge's
 * stats, the kernel's drops): each read adds what grew since the last one.
 */
export class DeltaTracker<K> {
  private readonly last = new Map<K, number>();

  /** How much `value` grew for `key` since the last call (0 the first time it is lower). */
  delta(key: K, value: number): number {
    const before = this.last.get(key) ?? 0;
    this.last.set(key, value);
    return value > before ? value - before : 0;
  }

  /** Forgets a source (it ended). */
  forget(key: K): void {
    this.last.delete(key);
  }
}
