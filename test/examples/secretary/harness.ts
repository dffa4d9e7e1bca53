/**
 * The secretary against the FreeSWITCH simulator: a simulated switch with SIP phones, an inbound
 * client for the secretary's originates and bridges, the secretary's outbound server on an
 * ephemeral port, scripted providers, media ports of their own — and helpers to place calls
 * and read what happened.
 */
import { AsyncESLClient, type OutboundCall, PortAllocator, type ScriptTurn, ScriptedProvider, type RealtimeSession } from 'freeswitch-voice-ai';
import { FreeSwitchSimulator, type SimulatedChannel, type SimulatedPhone } from 'freeswitch-voice-ai/testing';
import type { UnknownCallPolicy } from '../../../examples/secretary/call-handler.js';
import type { StoredMessage } from '../../../examples/secretary/messages.js';
import type { SessionRole } from '../../../examples/secretary/runtime.js';
import { createSecretaryServer } from '../../../examples/secretary/server.js';
import type { CallRecord, SecretaryStore } from '../../../examples/secretary/store.js';
import { freeUdpRange } from '../../helpers/udp.js';

export const ACME = '11111111-2222-4333-8444-555555555555';
export const ANA = 'dc923a2f-b88a-4a2f-8029-d6e0c06893c5';
export const GLOBEX = '66666666-7777-4888-9999-000000000000';
/** Monday 7 December 2026, 10:30 in São Paulo (open), 05:30 in Los Angeles (closed). */
export const MONDAY_MORNING = new Date('2026-12-07T13:30:00Z');

/** Speech: tone bursts at the given times (ms from the start of the call's audio), silence between. */
export function speech(...bursts: [atMs: number, durationMs: number][]): Int16Array {
  const end = Math.max(...bursts.map(([at, d]) => at + d)) + 2000;
  const out = new Int16Array(8 * end);
  for (const [at, d] of bursts) for (let i = 8 * at; i < 8 * (at + d); i++) out[i] = Math.round(7000 * Math.sin(i / 3));
  return out;
}

/** Options of {@link startSecretary}. */
export interface HarnessOptions {
  store: SecretaryStore;
  /** The caller's side of the script. */
  caller?: readonly ScriptTurn[];
  /** The briefing's side (the person answering an announced transfer). */
  consult?: readonly ScriptTurn[];
  consultGreeting?: string;
  phones?: SimulatedPhone[];
  now?: Date;
  unknownCall?: UnknownCallPolicy;
  onMessage?: (m: StoredMessage) => void;
  /** Replace the provider of a role (e.g. one that fails). */
  provider?: (role: SessionRole) => import('freeswitch-voice-ai').RealtimeProvider | undefined;
}

/** A running secretary and its simulated switch. */
export async function startSecretary(o: HarnessOptions) {
  const sim = new FreeSwitchSimulator();
  const { port: eslPort } = await sim.start();
  for (const phone of o.phones ?? []) sim.phones.register(phone);
  const esl = new AsyncESLClient({ host: '127.0.0.1', port: eslPort, password: 'ClueCon', maxReconnectAttempts: 0 });
  await esl.connect();
  const min = await freeUdpRange(16);
  const calls: CallRecord[] = [];
  const messages: StoredMessage[] = [];
  const sessions: { role: SessionRole; session: RealtimeSession; call: OutboundCall }[] = [];
  const transcript: string[] = [];
  const toolResults: { role: SessionRole; name: string; args: Record<string, unknown>; result: unknown }[] = [];
  let recorded: () => void = () => {};
  let nextRecord = new Promise<void>((r) => (recorded = r));
  const server = createSecretaryServer({
    store: o.store,
    esl: async () => esl,
    provider: (secretary, _call, role) =>
      o.provider?.(role) ??
      new ScriptedProvider({
        greeting: role === 'caller' ? secretary.messages.greeting : (o.consultGreeting ?? 'A caller is waiting on hold. Can you take the call?'),
        turns: role === 'caller' ? (o.caller ?? []) : (o.consult ?? []),
        msPerChar: 15,
        maxUtteranceMs: 1500,
      }),
    onMessage: (m) => {
      messages.push(m);
      o.onMessage?.(m);
    },
    onCall: (r) => {
      calls.push(r);
      recorded();
      nextRecord = new Promise<void>((r2) => (recorded = r2));
    },
    onSession: (session, call, role) => {
      sessions.push({ role, session, call });
      session.on('transcript', (t) => transcript.push(`${role} ${t.role}: ${t.text}`));
      session.on('toolResult', ({ call: c, result }) => toolResults.push({ role, name: c.name, args: c.args, result }));
    },
    unknownCall: o.unknownCall,
    server: { host: '127.0.0.1', port: 0, maxConnections: 10 },
    media: { ports: new PortAllocator({ min, max: min + 7, bindAddress: '127.0.0.1' }), freeswitchPort: (p) => p + 8 },
    now: () => o.now ?? MONDAY_MORNING,
  });
  const { port } = await server.listen();
  return {
    sim,
    esl,
    server,
    port,
    calls,
    messages,
    sessions,
    transcript,
    toolResults,
    /** Resolves with the first result of tool `name` (polling). */
    async toolResult(name: string, timeoutMs = 20_000): Promise<Record<string, unknown>> {
      const until = performance.now() + timeoutMs;
      for (;;) {
        const found = toolResults.find((r) => r.name === name);
        if (found) return found.result as Record<string, unknown>;
        if (performance.now() > until) throw new Error(`no ${name} result within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    /** Resolves when the next call record is saved. */
    nextRecord: () => nextRecord,
    /** A caller dials the secretary (the dialplan set `domain_uuid` and `secretary_uuid`). */
    call(variables: Record<string, string>, callerAudio: Int16Array, destination = '8000'): SimulatedChannel {
      return sim.callSocket({ port }, { destination, callerIdNumber: '5511988887777', callerIdName: 'John Doe', codec: 'PCMU', variables, callerAudio, context: 'acme.example.com' });
    },
    /** The commands the switch received whose line starts with `prefix`. */
    commands: (prefix: string) => sim.commands.filter((c) => c.line.startsWith(prefix)),
    async stop(): Promise<void> {
      await server.close();
      await esl.close();
      await sim.stop();
    },
  };
}
