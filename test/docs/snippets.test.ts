import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ProviderError } from '../../src/errors.js';
import { ScriptedProvider } from '../../src/realtime/providers/scripted.js';
import { FreeSwitchSimulator, type SimulatedListener } from '../../src/testing/index.js';
import { ROOT, markdownSnippets, snippetFiles } from '../helpers/snippets.js';
import { freeTcpPort } from '../helpers/tcp.js';

/**
 * Every TypeScript block of the README and the guides (top-level *.md, docs/**.md) is a file
 * under docs/snippets: shown exactly, type-checked by `npm run typecheck` (tsconfig.test.json
 * includes docs/snippets), and, where it can, run here against the simulator, in-process, as a
 * user would run it: ports and hosts come from the environment (`ESL_*`, read by
 * `loadConfig()`), every cloud provider is replaced by a `ScriptedProvider` (no key, no
 * network), and what a snippet opens is closed after each test.
 *
 * A new snippet needs an entry in `RUNS` (a scenario) or in `TYPECHECK_ONLY` (why it cannot run),
 * unless it is a vitest file (`*.test.ts`, run by the suite itself: vitest.config.ts includes
 * docs/snippets) or a module such a file imports. A block may also show a file under `examples/`
 * (the getting-started examples, run as processes by test/examples/getting-started.test.ts).
 */

/** What the scenarios control inside the mocked package, and what they must close. */
const live = vi.hoisted(() => ({
  /** Builds the provider a snippet gets when it constructs a cloud provider. */
  provider: undefined as (() => unknown) | undefined,
  closers: [] as (() => Promise<unknown>)[],
  /** The outbound servers the snippet created (to reach its calls). */
  servers: [] as import('freeswitch-voice-ai').OutboundServer[],
}));

vi.mock('freeswitch-voice-ai', async (importOriginal) => {
  const real = await importOriginal<typeof import('freeswitch-voice-ai')>();
  class AsyncESLClient extends real.AsyncESLClient {
    constructor(...args: ConstructorParameters<typeof real.AsyncESLClient>) {
      super(...args);
      live.closers.push(() => this.close());
    }
  }
  const configureEslPool: typeof real.configureEslPool = (options) => {
    const pool = real.configureEslPool(options);
    live.closers.push(() => pool.close());
    return pool;
  };
  const createOutboundServer: typeof real.createOutboundServer = (options, handler) => {
    const server = real.createOutboundServer(options, handler);
    live.servers.push(server);
    live.closers.push(() => server.close());
    return server;
  };
  // Every cloud provider (any RealtimeProvider but the scripted one) becomes the scenario's provider.
  const substitutes: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(real)) {
    const isCloudProvider = typeof value === 'function' && value.prototype instanceof real.RealtimeProvider && value !== real.ScriptedProvider;
    if (isCloudProvider) substitutes[name] = function SubstituteProvider() {
      return live.provider?.() ?? new real.ScriptedProvider({ greeting: 'Hello from the scripted provider.' });
    };
  }
  return { ...real, AsyncESLClient, configureEslPool, createOutboundServer, ...substitutes };
});

let sim: FreeSwitchSimulator;
let logs: string[];
let stderr: string[];
/** Resolves when stderr receives a line matching; see {@link stderrLine}. */
let stderrWaiters: { pattern: RegExp; resolve: (line: string) => void }[];

beforeEach(async () => {
  vi.resetModules();
  live.provider = undefined;
  live.servers = [];
  logs = [];
  stderr = [];
  stderrWaiters = [];
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void logs.push(args.map(String).join(' ')));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    const line = String(chunk);
    stderr.push(line);
    for (const w of stderrWaiters.filter((x) => x.pattern.test(line))) w.resolve(line);
    return true;
  });
  // Prompts play 20 ms: what the snippets do is under test here, not how long a prompt lasts.
  sim = new FreeSwitchSimulator({ password: 'snippet-secret', playback: { defaultMs: 20 } });
  connections = [];
  sim.on('connection', (l) => connections.push(l));
  const { port } = await sim.start();
  vi.stubEnv('ESL_HOST', '127.0.0.1');
  vi.stubEnv('ESL_PORT', String(port));
  vi.stubEnv('ESL_PASSWORD', 'snippet-secret');
  vi.stubEnv('ESL_RECONNECT_DELAY', '10');
  vi.stubEnv('ESL_SERVER_HOST', '127.0.0.1');
  vi.stubEnv('ESL_SERVER_PORT', String(await freeTcpPort()));
});

afterEach(async () => {
  for (const close of live.closers.splice(0).reverse()) await close().catch(() => undefined);
  await sim.stop();
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

function stderrLine(pattern: RegExp): Promise<string> {
  const seen = stderr.find((l) => pattern.test(l));
  return seen ? Promise.resolve(seen) : new Promise((resolve) => stderrWaiters.push({ pattern, resolve }));
}

/** Runs a snippet file as a module (its top-level code to the end of its last `await`). */
async function run(path: string): Promise<void> {
  await import(join(ROOT, path));
}

const serverPort = (): number => Number(process.env.ESL_SERVER_PORT);

/** Every connection the simulator served, open or closed. */
let connections: SimulatedListener[];

/** Every hangup request FreeSWITCH received for a channel. */
function hangupsOf(uuid: string): string[] {
  const ids = new Set(connections.filter((l) => l.sessionUuid === uuid).map((l) => l.id));
  return sim.commands.filter((c) => (ids.has(c.connectionId) && c.headers['call-command'] === 'hangup') || c.line.startsWith(`api uuid_kill ${uuid}`)).map((c) => c.line);
}

/** Snippets vitest runs itself (`*.test.ts`), and the snippet modules those import, directly or not. */
function runByVitest(): Set<string> {
  const run = new Set(snippetFiles().filter((f) => f.endsWith('.test.ts')));
  for (const file of run) {
    for (const m of readFileSync(join(ROOT, file), 'utf8').matchAll(/from '(\.{1,2}\/[^']+)\.js'/g)) run.add(posix.join(posix.dirname(file), `${m[1]}.ts`));
  }
  return run;
}

/** The scenarios, by snippet file. */
const RUNS: Record<string, { title: string; run: () => Promise<void> }[]> = {
  'docs/snippets/inbound.ts': [
    {
      title: 'originates with escaped variables, then broadcasts to the new call',
      run: async () => {
        await run('docs/snippets/inbound.ts');
        const originate = sim.commands.find((c) => c.line.startsWith('bgapi originate'))!;
        expect(originate.line).toMatch(/^bgapi originate \{origination_uuid=[0-9a-f-]{36},domain_uuid=d1,note='a\\\\, b c'\}user\/1000 &park\(\)$/);
        const uuid = [...sim.channels.keys()][0]!;
        expect(sim.commands.map((c) => c.line)).toContain(`api uuid_broadcast ${uuid} ivr/ivr-welcome.wav aleg`);
        expect(stderr).toEqual([]); // a password of its own: no warning
      },
    },
    {
      title: 'an originate that fails prints the hangup cause',
      run: async () => {
        await sim.stop();
        sim = new FreeSwitchSimulator({ password: 'snippet-secret', port: Number(process.env.ESL_PORT), originateRule: () => ({ cause: 'USER_BUSY' }) });
        await sim.start();
        await run('docs/snippets/inbound.ts');
        expect(logs).toEqual(['no call: USER_BUSY']);
      },
    },
    {
      title: "FreeSWITCH's password changes: reconnecting stops at once and says so on stderr (no listener needed)",
      run: async () => {
        await run('docs/snippets/inbound.ts');
        const port = Number(process.env.ESL_PORT);
        await sim.stop();
        sim = new FreeSwitchSimulator({ password: 'rotated', port });
        await sim.start();
        const line = await stderrLine(/EslAuthError/);
        expect(line).toContain(` freeswitch-voice-ai error: unhandled EslAuthError: stopped reconnecting to FreeSWITCH at 127.0.0.1:${port}`);
        expect(line).toContain('check ESL_PASSWORD');
        expect(stderr.join('')).not.toMatch(/snippet-secret|rotated/);
        expect(sim.commands.filter((c) => c.line.startsWith('auth'))).toHaveLength(1); // a wrong password is never retried
      },
    },
  ],
  'docs/snippets/outbound-bot.ts': [
    {
      title: "accepts FreeSWITCH's connection from the dialplan's 127.0.0.1, answers, plays both prompts, hangs up",
      run: async () => {
        await run('docs/snippets/outbound-bot.ts');
        const server = live.servers[0]!;
        const arrived = new Promise<import('freeswitch-voice-ai').OutboundCall>((resolve, reject) => {
          server.once('call', resolve);
          server.once('rejected', ({ reason }) => reject(new Error(`the server refused FreeSWITCH's connection: ${reason}`)));
        });
        const channel = sim.callSocket({ port: serverPort() }, { callerIdNumber: '5511999990000', variables: { domain_uuid: 'd1' } });
        await (await arrived).ended();
        const apps = sim.commands.filter((c) => c.headers['execute-app-name']).map((c) => `${c.headers['execute-app-name']} ${c.headers['execute-app-arg'] ?? ''}`.trim());
        expect(apps).toEqual(['answer', 'playback ivr/ivr-welcome.wav', 'playback ivr/ivr-thank_you.wav']);
        expect(hangupsOf(channel.uuid)).toEqual(['sendmsg']);
        expect(logs).toEqual(['call from 5511999990000 tenant d1']);
      },
    },
  ],
  'docs/snippets/voice-ai.ts': [
    {
      title: 'answers with the provider (the ScriptedProvider in place of OpenAI): unicast, park, the greeting heard',
      run: async () => {
        await run('docs/snippets/voice-ai.ts');
        const channel = sim.callSocket({ port: serverPort() }, { codec: 'PCMU' });
        const unicast = await sim.waitForUnicast(channel.uuid);
        await unicast.waitForReceived(10);
        expect(unicast.received.length).toBeGreaterThanOrEqual(10);
        await sim.waitForCommand((c) => c.headers['execute-app-name'] === 'park');
        sim.hangup(channel.uuid);
      },
    },
    {
      title: 'the AI is unreachable: the fallback transfer reaches FreeSWITCH, the call is never hung up, the error is on stderr',
      run: async () => {
        live.provider = () => {
          const provider = new ScriptedProvider({});
          provider.connect = () => Promise.reject(new ProviderError('OpenAI connection failed: getaddrinfo EAI_AGAIN', 'connection'));
          return provider;
        };
        await run('docs/snippets/voice-ai.ts');
        const reported = stderrLine(/CallHandlerError/);
        const arrived = new Promise<import('freeswitch-voice-ai').OutboundCall>((resolve) => live.servers[0]!.once('call', resolve));
        const channel = sim.callSocket({ port: serverPort() }, { codec: 'PCMU' });
        const transfer = await sim.waitForCommand((c) => c.line.startsWith('api uuid_transfer'));
        expect(transfer.line).toBe(`api uuid_transfer ${channel.uuid} operator XML default`);
        const line = await reported;
        expect(line).toContain(` freeswitch-voice-ai error: unhandled CallHandlerError: the handler of call ${channel.uuid} failed: OpenAI connection failed: getaddrinfo EAI_AGAIN; the call had been handed off (transfer) and was left up`);
        // What the server wrote before reporting has reached FreeSWITCH once a later command on that socket is answered.
        const call = await arrived;
        await call.api(`uuid_exists ${call.uuid}`).catch(() => undefined);
        expect(call.handedOff).toBe('transfer');
        expect(hangupsOf(channel.uuid)).toEqual([]);
        expect(sim.channels.get(channel.uuid)?.profile.destinationNumber).toBe('operator');
      },
    },
  ],
  'docs/snippets/agent-platforms.ts': [
    {
      title: 'routes 8100 to the ElevenLabs agent and other numbers to Deepgram (ScriptedProviders in their place): both calls get their audio, the Deepgram one its greeting',
      run: async () => {
        await run('docs/snippets/agent-platforms.ts');
        const elevenLabs = sim.callSocket({ port: serverPort() }, { codec: 'PCMU', destination: '8100' });
        const deepgram = sim.callSocket({ port: serverPort() }, { codec: 'PCMU', destination: '8000' });
        await sim.waitForUnicast(elevenLabs.uuid);
        const unicast = await sim.waitForUnicast(deepgram.uuid);
        await unicast.waitForReceived(10);
        expect(unicast.received.length).toBeGreaterThanOrEqual(10);
        sim.hangup(elevenLabs.uuid);
        sim.hangup(deepgram.uuid);
      },
    },
  ],
  'docs/snippets/configuration.ts': [
    {
      title: 'connects with the ESL_* settings of the environment',
      run: async () => {
        await run('docs/snippets/configuration.ts');
        expect(sim.commands[0]?.line).toBe('auth snippet-secret');
      },
    },
  ],
  'docs/snippets/configuration-defaults.ts': [
    {
      title: 'the process defaults from a record: the port range it sets, the outbound server on its ESL_SERVER_*',
      run: async () => {
        await run('docs/snippets/configuration-defaults.ts');
        expect(logs).toEqual(['20000']);
        expect(live.servers[0]!.address()).toMatchObject({ address: '127.0.0.1', port: serverPort() });
      },
    },
  ],
  'docs/snippets/configuration-shape.ts': [
    {
      title: 'reads the configuration (the environment is valid: no ConfigError)',
      run: () => run('docs/snippets/configuration-shape.ts'),
    },
  ],
  'docs/snippets/tenants-pool.ts': [
    {
      title: "connects the pool's client of a tenant from the tenants file",
      run: async () => {
        const dir = mkdtempSync(join(tmpdir(), 'snippet-'));
        const file = join(dir, 'tenants.json');
        writeFileSync(file, JSON.stringify([{ domainUuid: '6c1a0e9e-5b8f-4f3e-9d2a-1c0b7e4d2f10', domainName: 'a.example.com' }]));
        vi.stubEnv('TENANTS_FILE', file);
        try {
          await run('docs/snippets/tenants-pool.ts');
          expect(logs).toEqual(['true']);
          expect(sim.commands.map((c) => c.line)).toEqual(['auth snippet-secret', 'api status']);
        } finally {
          rmSync(dir, { recursive: true });
        }
      },
    },
  ],
  'docs/snippets/simulator.ts': [
    {
      title: 'starts a simulator, queries it with a client, stops it',
      run: async () => {
        await run('docs/snippets/simulator.ts');
        expect(logs).toHaveLength(1);
        expect(logs[0]).toMatch(/^UP \d+ years?, /);
      },
    },
  ],
};

/** Snippets that cannot run here, and why. */
const TYPECHECK_ONLY: Record<string, string> = {
  'docs/snippets/record-capture.ts': 'records a real FreeSWITCH (the point of it), and waits for a scenario the reader runs',
  'docs/snippets/tenant-source.ts': 'a sketch over your own database client (`db` is declared, not created)',
  'docs/snippets/operations-cluster.ts':
    'forks workers of its own script (here the test runner); test/process/outbound-cluster.test.ts runs a cluster from a worker file',
  'docs/snippets/operations-shutdown.ts':
    'installs SIGTERM/SIGINT handlers that exit the process; test/esl/outbound-shutdown.test.ts runs them with exit: false',
  'docs/snippets/operations-pool.ts': "names a deployment's FreeSWITCH hosts; test/esl/esl-pool.test.ts runs the pool against simulators",
  'docs/snippets/operations-metrics.ts': 'listens on the fixed port 9464; test/observability/metrics.test.ts serves the same handlers on port 0',
  'docs/snippets/websocket-session.ts': 'needs mod_audio_fork and a media server on VOICE_AI_REALTIME_PORT; the same session runs over the simulated modules in test/media/session-transports.test.ts',
  'docs/snippets/websocket-files.ts': 'a function over a call; startCallMediaFor with the file answer path runs in test/media/ws-call-media.test.ts',
  'docs/snippets/websocket-simulator.ts': 'a skeleton with the call elided; the simulated modules run in test/testing/audio-stream-simulator.test.ts',
  'docs/snippets/realtime/providers.ts': 'provider factories only (nothing runs at import); their behaviour is tested in test/realtime against local vendor servers',
  'docs/snippets/realtime/tools.ts': 'a sketch over your own message store (`inbox` is declared, not created); the tools it shows are tested in test/realtime/tools.test.ts',
  'docs/snippets/realtime/mid-call.ts': 'a function for your call handler (nothing runs at import); every call it makes is tested in test/realtime/session-control.test.ts',
};

describe('documentation snippets', () => {
  it('every TypeScript block of the README and the guides names its file and is exactly that file', () => {
    const blocks = markdownSnippets();
    expect(blocks.length).toBeGreaterThanOrEqual(4);
    for (const block of blocks) {
      const where = `${block.markdown}:${block.line}`;
      expect(block.path, `${where}: add <!-- snippet: docs/snippets/<name>.ts --> before the block`).toMatch(/^(docs\/snippets|examples)\/.+\.ts$/);
      expect(block.code, `${where} differs from ${block.path}`).toBe(readFileSync(join(ROOT, block.path!), 'utf8'));
    }
  });

  it('every snippet file is shown in the documentation, and either runs here or says why it cannot', () => {
    const shown = new Set(markdownSnippets().map((b) => b.path));
    const byVitest = runByVitest();
    for (const file of snippetFiles()) {
      expect(shown.has(file), `${file} is not shown in any markdown file`).toBe(true);
      expect(file in RUNS || file in TYPECHECK_ONLY || byVitest.has(file), `${file}: add a scenario to RUNS or a reason to TYPECHECK_ONLY`).toBe(true);
    }
  });

  it('vitest runs the snippets that are test files', () => {
    expect(readFileSync(join(ROOT, 'vitest.config.ts'), 'utf8')).toContain("'docs/snippets/**/*.test.ts'");
  });

  it('npm run typecheck compiles them', () => {
    const config = JSON.parse(readFileSync(join(ROOT, 'tsconfig.test.json'), 'utf8')) as { include: string[] };
    expect(config.include).toContain('docs/snippets');
  });

  for (const [file, scenarios] of Object.entries(RUNS)) {
    describe(file, () => {
      for (const scenario of scenarios) it(scenario.title, scenario.run);
    });
  }
});
