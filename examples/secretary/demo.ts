/**
 * `npm run demo` / `npx freeswitch-voice-ai demo`: the secretary on embedded defaults — the
 * FreeSWITCH simulator (with Maria's phone registered), PGlite with the sample tenants, and
 * scripted voices instead of a cloud AI. Two callers at once:
 *
 * 1. John calls ACME (open: 10:30 in São Paulo) and asks for Maria; the secretary puts him on
 *    hold, rings Maria, tells her who is calling, she accepts, and the two are bridged.
 * 2. Marge calls Globex (closed: 05:30 in Los Angeles) and leaves a message for Hank.
 *
 * It prints the conversations with their times and what the switch was told, writes each call's
 * audio to a WAV file, and stops everything it started.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  AsyncESLClient,
  type OutboundCall,
  PortAllocator,
  type ProviderToolCall,
  type RealtimeSession,
  ScriptedProvider,
  type ScriptTurn,
  toneSpeech,
} from 'freeswitch-voice-ai';
import { FreeSwitchSimulator, recordingOf, type SimulatedChannel, wavFile } from 'freeswitch-voice-ai/testing';
import { openDatabase } from './db/open.js';
import { SqlSecretaryStore } from './db/sql-store.js';
import type { StoredMessage } from './messages.js';
import type { Secretary } from './profile.js';
import type { SessionRole } from './runtime.js';
import { createSecretaryServer } from './server.js';
import type { CallRecord } from './store.js';

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** Where the WAV files go (created). Default `./demo-audio`. */
  outDir?: string;
  /** Prints a line. */
  out?: (line: string) => void;
}

/** What the demo did (for tests). */
export interface DemoResult {
  records: CallRecord[];
  messages: StoredMessage[];
  wavFiles: string[];
  durationMs: number;
}

const ACME = '11111111-2222-4333-8444-555555555555';
const GLOBEX = '66666666-7777-4888-9999-000000000000';
/** Monday 7 December 2026 13:30 UTC: 10:30 in São Paulo (ACME open), 05:30 in Los Angeles (Globex closed). */
const CLOCK = new Date('2026-12-07T13:30:00Z');
const MS_PER_CHAR = 26;

/** A caller's voice: each line spoken (as deterministic tones) at its time, silence between. */
function voice(lines: readonly [atMs: number, text: string][]): Int16Array {
  const parts = lines.map(([at, text]) => [at, toneSpeech(text, MS_PER_CHAR, 2500)] as const);
  const end = Math.max(...parts.map(([at, s]) => 8 * at + s.length)) + 8 * 3000;
  const out = new Int16Array(end);
  for (const [at, s] of parts) out.set(s.map((x) => x >> 1), 8 * at);
  return out;
}

/** The scripts: what each side of each call says. */
function script(secretary: Secretary, role: SessionRole): { greeting: string; turns: ScriptTurn[] } {
  if (role === 'consult') {
    return {
      greeting: 'Hi Maria, this is Ana. John Doe is on the line about an invoice. Can you take the call?',
      turns: [{ heard: 'Yes, put him through.', say: 'Connecting you now.', tool: { name: 'accept_transfer' } }],
    };
  }
  if (secretary.domainUuid === ACME) {
    return {
      greeting: secretary.messages.greeting,
      turns: [
        {
          heard: "Hi, this is John Doe. Could I speak to Maria in sales? It's about an invoice.",
          say: 'Of course. One moment, I will see if she can take your call.',
          tool: { name: 'transfer_call', args: { to: 'Maria in sales', reason: 'an invoice', caller_name: 'John Doe' } },
        },
      ],
    };
  }
  return {
    greeting: `${secretary.messages.greeting} We are closed right now; we open at 9 a.m. Pacific time.`,
    turns: [
      { heard: 'I need to talk to Hank about my order.', say: 'Hank is not in yet. May I take a message for him?' },
      {
        heard: 'Yes. This is Marge: order 42 arrived damaged, please call me back.',
        say: 'Got it, Marge.',
        tool: { name: 'take_message', args: { for: 'Hank', caller_name: 'Marge', message: 'Order 42 arrived damaged; please call back.', urgency: 'high' } },
        afterTool: 'Hank will get your message first thing. Anything else?',
      },
      { heard: 'No, thank you. Bye.', say: 'Thanks for calling Globex. Bye now!', tool: { name: 'hangup_call' } },
    ],
  };
}

/** Runs the demo; resolves once both calls are over and everything is stopped. */
export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const out = options.out ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const t0 = performance.now();
  const clock = (): string => `${((performance.now() - t0) / 1000).toFixed(2).padStart(6)}s`;
  const outDir = resolve(options.outDir ?? 'demo-audio');
  const labels = new Map<string, string>();
  const say = (uuid: string | undefined, who: string, text: string): void => out(`${clock()}  ${(labels.get(uuid ?? '') ?? 'switch').padEnd(7)} ${who.padEnd(10)} ${text}`);

  out('freeswitch-voice-ai demo: the virtual secretary on embedded defaults (no FreeSWITCH, no cloud)');
  // The database starts first: PGlite's start is the longest step, and the rest can happen meanwhile.
  const dbStarted = performance.now();
  const dbReady = openDatabase();
  dbReady.catch(() => {});
  const sim = new FreeSwitchSimulator({ recordAudio: true, password: 'demo-not-the-default' });
  const { port: eslPort } = await sim.start();
  sim.phones.register({ user: '1001', domain: 'acme.example.com', ringMs: 900, speech: voice([[2600, 'Yes, put him through.']]) });
  out(`  FreeSWITCH simulator on 127.0.0.1:${eslPort}; phone 1001@acme.example.com (Maria Silva) registered`);

  const db = await dbReady;
  const store = new SqlSecretaryStore(db);
  out(`  database: PGlite (PostgreSQL in WebAssembly) with FusionPBX's tables, the secretary's migrations and the sample tenants (${Math.round(performance.now() - dbStarted)} ms)`);

  const esl = new AsyncESLClient({ host: '127.0.0.1', port: eslPort, password: 'demo-not-the-default', maxReconnectAttempts: 0 });
  const records: CallRecord[] = [];
  const messages: StoredMessage[] = [];
  const wavFiles: string[] = [];
  let server: ReturnType<typeof createSecretaryServer> | undefined;
  try {
    await esl.connect();
    const recorded = new Map<string, () => void>();
    // Our UDP ports for the calls' audio, and the simulated FreeSWITCH's 10 above them.
    const base = 20000 + Math.floor(Math.random() * 40000);
    const ports = new PortAllocator({ min: base, max: base + 9, bindAddress: '127.0.0.1' });
    server = createSecretaryServer({
      store,
      esl: async () => esl,
      provider: (secretary, _call, role) => new ScriptedProvider({ ...script(secretary, role), msPerChar: MS_PER_CHAR, maxUtteranceMs: 4000 }),
      onSession: (session: RealtimeSession, call: OutboundCall, role: SessionRole) => {
        if (role === 'consult') labels.set(call.uuid, `${labels.get(call.channel.getVariable('voice_ai_caller_uuid') ?? '') ?? 'call'}>`);
        const assistant = role === 'consult' ? 'Ana→Maria' : 'secretary';
        const person = role === 'consult' ? 'Maria' : 'caller';
        session.on('transcript', (t) => say(call.uuid, t.role === 'assistant' ? assistant : person, t.text));
        session.on('toolResult', ({ call: c, result }: { call: ProviderToolCall; result: unknown }) => say(call.uuid, 'tool', `${c.name}(${JSON.stringify(c.args)}) → ${JSON.stringify(result)}`));
      },
      onMessage: (m) => void messages.push(m),
      onCall: (r) => {
        records.push(r);
        recorded.get(r.callUuid)?.();
      },
      server: { host: '127.0.0.1', port: 0, maxConnections: 10 },
      media: { ports, freeswitchPort: (p) => p + 10 },
      now: () => CLOCK,
    });
    const { port } = await server.listen();
    out(`  secretary listening on 127.0.0.1:${port}; clock fixed at Monday 2026-12-07 13:30 UTC: ACME (São Paulo) open, Globex (Los Angeles) closed`);
    sim.on('command', (c) => {
      const m = /^bgapi originate \{.*?\}(\S+) '&socket\((.*)\)'$/.exec(c.line);
      if (m) return say(undefined, 'switch', `originate ${m[1]} → socket ${m[2]} (caller on hold: local_stream://moh)`);
      if (c.line.startsWith('api uuid_bridge')) return say(undefined, 'switch', c.line.slice(4));
      if (c.line.startsWith('api uuid_transfer')) return say(undefined, 'switch', c.line.slice(4));
    });
    out('');

    const place = (label: string, domain: string, secretary: string, from: [string, string], lines: [number, string][]): { channel: SimulatedChannel; done: Promise<void> } => {
      const channel = sim.callSocket({ port }, { callerIdName: from[0], callerIdNumber: from[1], codec: 'PCMU', destination: '8000', variables: { domain_uuid: domain, secretary_uuid: secretary }, callerAudio: voice(lines) });
      labels.set(channel.uuid, label);
      say(channel.uuid, 'switch', `${from[0]} <${from[1]}> dials 8000 → answer, socket 127.0.0.1:${port} async full`);
      return { channel, done: new Promise<void>((r) => recorded.set(channel.uuid, r)) };
    };
    const john = place('call 1', ACME, 'dc923a2f-b88a-4a2f-8029-d6e0c06893c5', ['John Doe', '5511988887777'], [[1600, "Hi, this is John Doe. Could I speak to Maria in sales? It's about an invoice."]]);
    const marge = place('call 2', GLOBEX, '5ec0e7a2-3b1d-4c4e-9f00-6a7b8c9d0e1f', ['Marge', '13105550142'], [
      [3300, 'I need to talk to Hank about my order.'],
      [6500, 'Yes. This is Marge: order 42 arrived damaged, please call me back.'],
      [10800, 'No, thank you. Bye.'],
    ]);

    const bridged = new Promise<string>((resolve) =>
      sim.on('event', (e) => {
        const header = (name: string): string | undefined => e.headers.find(([k]) => k === name)?.[1];
        if (e.name === 'CHANNEL_BRIDGE' && header('Bridge-A-Unique-ID') === john.channel.uuid) resolve(header('Bridge-B-Unique-ID')!);
      }),
    );
    await john.done;
    // John and Maria talk (the switch bridged them; the secretary is out of the call), then John hangs up.
    const consult = sim.channels.get(await bridged);
    say(john.channel.uuid, 'switch', `bridged: John Doe ↔ Maria Silva (${consult?.name}); they talk, then John hangs up`);
    await new Promise((r) => setTimeout(r, 500));
    sim.hangup(john.channel.uuid);
    await marge.done;

    mkdirSync(outDir, { recursive: true });
    const write = (name: string, uuid: string | undefined): void => {
      const session = uuid === undefined ? undefined : sim.unicast(uuid);
      if (!session) return;
      const rec = recordingOf(session);
      const file = join(outDir, name);
      writeFileSync(file, wavFile([rec.caller, rec.application]));
      wavFiles.push(file);
    };
    write('call-1-john-and-the-secretary.wav', john.channel.uuid);
    write('call-1-briefing-maria.wav', consult?.uuid);
    write('call-2-marge-leaves-a-message.wav', marge.channel.uuid);
  } finally {
    await server?.close();
    await esl.close();
    await sim.stop();
    await store.close();
  }

  out('');
  for (const r of records.sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime() || (a.domainUuid === ACME ? -1 : 1))) {
    out(`${r.domainUuid === ACME ? 'call 1' : 'call 2'}: ${r.outcome}. ${r.summary}`);
    out(`        answer latencies (caller stops → first audio): ${r.turnLatenciesMs.map((ms) => `${ms} ms`).join(', ') || 'none'}`);
  }
  for (const m of messages) out(`message ${m.id} for ${m.destination?.name ?? m.recipient} (${m.urgency}): "${m.reason}" — call back ${m.callbackNumber}`);
  out(`audio (left: caller, right: secretary): ${wavFiles.map((f) => f.slice(outDir.length + 1)).join(', ')} in ${outDir}`);
  const durationMs = Math.round(performance.now() - t0);
  out(`demo finished in ${(durationMs / 1000).toFixed(1)} s`);
  return { records, messages, wavFiles, durationMs };
}
