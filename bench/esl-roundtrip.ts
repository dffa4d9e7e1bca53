/**
 * `api` round trips per second against the FreeSWITCH simulator: ours pipelined (100 in
 * flight) and one at a time, and modesl one at a time (it matches replies by arrival, so
 * pipelining it is unsafe — a known failure of that library).
 *
 * Run alone: `npx tsx bench/esl-roundtrip.ts`.
 */
import { createRequire } from 'node:module';
import { AsyncESLClient } from '../src/esl/client.js';
import { FreeSwitchSimulator } from '../src/testing/index.js';
import { fmt, runIfMain } from './fixtures.js';

const require = createRequire(import.meta.url);
const COMMANDS = Number(process.env.BENCH_COMMANDS ?? 20_000);
const IN_FLIGHT = 100;
const MODESL_BUDGET_MS = 5000;

async function ours(port: number, inFlight: number): Promise<number> {
  const client = new AsyncESLClient({ port, maxReconnectAttempts: 0 });
  await client.connect();
  const start = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next++ < COMMANDS) await client.api('uuid_exists 00000000-0000-0000-0000-000000000000');
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  const rate = (COMMANDS / (performance.now() - start)) * 1000;
  await client.close();
  return rate;
}

function modesl(port: number): Promise<number> {
  const esl = require('modesl') as {
    Connection: new (h: string, p: number, pw: string, cb: () => void) => { api(c: string, cb: () => void): void; disconnect(): void };
  };
  return new Promise((resolve) => {
    const conn = new esl.Connection('127.0.0.1', port, 'ClueCon', () => {
      // modesl writes a command in several socket writes without TCP_NODELAY, so each one waits
      // for the peer's delayed ACK (~40 ms): it gets a time budget instead of the full count.
      const start = performance.now();
      let done = 0;
      const one = (): void =>
        conn.api('uuid_exists 00000000-0000-0000-0000-000000000000', () => {
          const elapsed = performance.now() - start;
          if (++done === COMMANDS || elapsed > MODESL_BUDGET_MS) {
            resolve((done / elapsed) * 1000);
            conn.disconnect();
          } else one();
        });
      one();
    });
  });
}

/** Runs the benchmark; returns round trips per second. */
export async function run(): Promise<Record<string, number>> {
  const sim = new FreeSwitchSimulator();
  const { port } = await sim.start();
  await ours(port, IN_FLIGHT); // warm-up
  const results = {
    'freeswitch-voice-ai.pipelined': await ours(port, IN_FLIGHT),
    'freeswitch-voice-ai.sequential': await ours(port, 1),
    'modesl.sequential': await modesl(port),
  };
  await sim.stop();
  process.stdout.write(`\nesl-roundtrip: ${fmt(COMMANDS)} api commands against the simulator on 127.0.0.1\n`);
  for (const [k, v] of Object.entries(results)) process.stdout.write(`  ${k.padEnd(34)} ${fmt(v).padStart(8)} round trips/s\n`);
  process.stdout.write(
    `  ours pipelined / modesl = ${(results['freeswitch-voice-ai.pipelined'] / results['modesl.sequential']).toFixed(2)}×, ` +
      `ours sequential / modesl = ${(results['freeswitch-voice-ai.sequential'] / results['modesl.sequential']).toFixed(2)}×\n`,
  );
  return results;
}

runIfMain(import.meta.url, run);
