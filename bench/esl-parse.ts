/**
 * Events per second from a socket to a handler, for freeswitch-voice-ai, modesl and esl-lite,
 * in the same run: one local server streams the same recorded FreeSWITCH `CHANNEL_*` events
 * (plain, then json) to each library's own client, and a handler reads three headers
 * (Event-Name, Unique-ID, variable_loopback_leg) — what an application typically does.
 *
 * Run alone: `npx tsx bench/esl-parse.ts`.
 */
import { createRequire } from 'node:module';
import { AsyncESLClient } from '../src/esl/client.js';
import { startBenchServer } from './esl-server.js';
import { eventStream, fmt, median, runIfMain } from './fixtures.js';

const require = createRequire(import.meta.url);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 30_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

type Sink = (name: unknown, uuid: unknown, leg: unknown) => void;
let checksum = 0;
const sink: Sink = (name, uuid, leg) => {
  checksum += String(name).length + String(uuid).length + String(leg ?? '').length;
};

/** Connects one library's client, counts `EVENTS` events, resolves with the elapsed ms. */
type Runner = (port: number, names: string[], format: 'plain' | 'json') => Promise<number>;

const ours: Runner = (port) =>
  new Promise((resolve, reject) => {
    const client = new AsyncESLClient({ port, maxReconnectAttempts: 0 });
    let n = 0;
    const start = performance.now();
    client.on('*', (e) => {
      sink(e.name, e.uuid, e.getVariable('loopback_leg'));
      if (++n === EVENTS) {
        resolve(performance.now() - start);
        void client.close();
      }
    });
    client.connect().catch(reject);
  });

const modesl: Runner = (port) =>
  new Promise((resolve) => {
    const esl = require('modesl') as { Connection: new (h: string, p: number, pw: string, cb: () => void) => ModeslConnection };
    let n = 0;
    const start = performance.now();
    const conn = new esl.Connection('127.0.0.1', port, 'ClueCon', () => {});
    conn.on('esl::event::**', (e: { getHeader(name: string): string | undefined; type?: string }) => {
      const name = e.getHeader('Event-Name');
      if (name === undefined) return; // replies also travel on this channel
      sink(name, e.getHeader('Unique-ID'), e.getHeader('variable_loopback_leg'));
      if (++n === EVENTS) {
        resolve(performance.now() - start);
        conn.disconnect();
      }
    });
  });

interface ModeslConnection {
  on(event: string, cb: (e: { getHeader(name: string): string | undefined }) => void): void;
  disconnect(): void;
}

const eslLite: Runner = async (port, names) => {
  const { FreeSwitchClient } = (await import('esl-lite')) as unknown as {
    FreeSwitchClient: new (o: object) => {
      on(name: string, cb: (msg: { body: { data: Record<string, unknown> } }) => void): void;
      connect(): void;
      end(): void;
    };
  };
  const noop = (): void => {};
  const logger = { trace: noop, debug: noop, info: noop, error: noop, warn: noop, child: () => logger };
  return new Promise((resolve) => {
    const client = new FreeSwitchClient({ host: '127.0.0.1', port, logger });
    let n = 0;
    const start = performance.now();
    for (const name of names) {
      client.on(name, (msg) => {
        const d = msg.body.data;
        sink(d['Event-Name'], d['Unique-ID'], d.variable_loopback_leg);
        if (++n === EVENTS) {
          resolve(performance.now() - start);
          client.end();
        }
      });
    }
    client.connect();
  });
};

/** Runs the benchmark and returns events/s per library and format, and our ratios. */
export async function run(): Promise<Record<string, number>> {
  const results: Record<string, number> = {};
  const libraries: [string, Runner][] = [
    ['freeswitch-voice-ai', ours],
    ['modesl', modesl],
    ['esl-lite', eslLite],
  ];
  for (const format of ['plain', 'json'] as const) {
    const { bytes, names } = eventStream(format, EVENTS);
    const { port, server } = await startBenchServer(bytes);
    process.stdout.write(`\nesl-parse: ${fmt(EVENTS)} recorded CHANNEL_* events (${format}, ${(bytes.length / 1e6).toFixed(1)} MB) → handler reading 3 headers\n`);
    for (const [lib, runner] of libraries) {
      await runner(port, names, format); // warm-up
      const times: number[] = [];
      for (let i = 0; i < RUNS; i++) times.push(await runner(port, names, format));
      const rate = (EVENTS / median(times)) * 1000;
      results[`${lib}.${format}`] = rate;
      process.stdout.write(`  ${lib.padEnd(20)} ${fmt(rate).padStart(10)} events/s  (median of ${RUNS})\n`);
    }
    const best = Math.max(results[`modesl.${format}`]!, results[`esl-lite.${format}`]!);
    results[`ratio.${format}`] = results[`freeswitch-voice-ai.${format}`]! / best;
    process.stdout.write(
      `  ours / modesl = ${(results[`freeswitch-voice-ai.${format}`]! / results[`modesl.${format}`]!).toFixed(2)}×, ` +
        `ours / esl-lite = ${(results[`freeswitch-voice-ai.${format}`]! / results[`esl-lite.${format}`]!).toFixed(2)}×, ` +
        `ours / faster peer = ${results[`ratio.${format}`]!.toFixed(2)}×\n`,
    );
    server.close();
  }
  if (checksum === 42) process.stdout.write(''); // keep the handler's work observable
  return results;
}

runIfMain(import.meta.url, run);
