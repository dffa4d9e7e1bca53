import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { FreeSwitchSimulator } from 'freeswitch-voice-ai/testing';
import { freeTcpPort } from '../helpers/tcp.js';

/**
 * The getting-started examples (docs/getting-started.md), run as the guide says: `npm run
 * example -- <name>`, in a child process, with the environment of a fresh shell (no `ESL_*`, no
 * `OPENAI_API_KEY`): the launcher starts the simulator itself, places the call, and the process
 * must exit 0 by itself with the output the guide shows. Then with `ESL_*` set, as against a
 * real FreeSWITCH (here a simulator this test owns): the same files, unchanged.
 */

const ROOT = join(import.meta.dirname, '..', '..');
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

/** The environment of a user's shell: ours without the variables the examples read, or npm's own. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(ESL_|RTP_|AUDIO_MODE$|OPENAI_|VOICE_AI_|npm_|NODE_OPTIONS$|VITEST)/.test(k)) env[k] = v;
  }
  return { ...env, FORCE_COLOR: '0', npm_config_update_notifier: 'false', ...extra };
}

interface Run {
  child: ChildProcessByStdio<null, Readable, Readable>;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the first stdout line matching. */
  line: (pattern: RegExp) => Promise<string>;
  exited: Promise<number | null>;
}

const running: Run[] = [];

/** `npm run example -- <name>`, exactly as the guide documents it (in its own process group, to stop a server). */
function example(name: string, env: NodeJS.ProcessEnv = cleanEnv()): Run {
  const child = spawn('npm', ['run', 'example', '--', name], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  let stderr = '';
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    for (const w of [...waiters]) {
      const found = stdout.split('\n').find((l) => w.pattern.test(l));
      if (found !== undefined) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(found);
      }
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const run: Run = {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    line: (pattern) => {
      const found = stdout.split('\n').find((l) => pattern.test(l));
      return found !== undefined ? Promise.resolve(found) : new Promise((resolve) => waiters.push({ pattern, resolve }));
    },
    exited,
  };
  running.push(run);
  return run;
}

/** What the example printed, without npm's `> freeswitch-voice-ai@x example` banner. */
function printed(run: Run): string[] {
  return run
    .stdout()
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('> '));
}

afterEach(async () => {
  for (const run of running.splice(0)) {
    if (run.child.exitCode === null && run.child.signalCode === null) {
      process.kill(-run.child.pid!, 'SIGTERM'); // the group we started: npm, tsx, node
      await run.exited;
    }
  }
});

describe('npm run example -- <name>, without ESL_HOST: against the simulator it starts', () => {
  it('inbound: status, an originated loopback call answered and hung up, then exits 0', async () => {
    const run = example('inbound');
    expect(await run.exited).toBe(0);
    expect(run.stderr()).toBe('');
    const lines = printed(run);
    expect(lines[0]).toMatch(/^\[simulator\] FreeSWITCH simulator on 127\.0\.0\.1:\d+ \(set ESL_HOST to use a real FreeSWITCH\)$/);
    expect(lines.slice(1)).toEqual([
      'FreeSWITCH 1.11.3-dev git simulator 64bit: 0 call(s) up',
      'answered loopback/9664-a',
      'answered loopback/9664-b',
      'hung up loopback/9664-a NORMAL_CLEARING',
      'hung up loopback/9664-b NORMAL_CLEARING',
    ]);
  }, 60_000);

  it('outbound: the call arrives through `socket`, the caller presses 1 during the prompt, the bot hangs up, exits 0', async () => {
    const run = example('outbound');
    expect(await run.exited).toBe(0);
    expect(run.stderr()).toBe('');
    const lines = printed(run).map((l) => l.replace(/:\d+/g, ':<port>'));
    expect(lines).toEqual([
      '[simulator] FreeSWITCH simulator on 127.0.0.1:<port> (set ESL_HOST to use a real FreeSWITCH)',
      'waiting for calls on 127.0.0.1:<port>',
      '[simulator] 1000 dials 8000: socket 127.0.0.1:<port> async full',
      'call from 1000 to 8000',
      '[simulator] the caller presses 1 during the prompt',
      'caller pressed 1',
      'hung up: NORMAL_CLEARING',
      '[simulator] call over; stopping (a real server keeps serving calls)',
    ]);
  }, 60_000);

  it('voice-ai: without OPENAI_API_KEY the scripted voice greets, hears the question, answers and hangs up, exits 0', async () => {
    const run = example('voice-ai');
    expect(await run.exited).toBe(0);
    expect(run.stderr()).toBe('');
    expect(printed(run).slice(3)).toEqual([
      'assistant: Thanks for calling ACME. How can I help?',
      'user: When are you open?',
      'assistant: Nine to five, Monday to Friday. Goodbye!',
      'session ended: tool-hangup',
      '[simulator] call over; stopping (a real server keeps serving calls)',
    ]);
  }, 60_000);

  it('an unknown name prints the usage and exits 2', async () => {
    const run = example('nope');
    expect(await run.exited).toBe(2);
    expect(run.stderr()).toContain('usage: npm run example -- <inbound|outbound|voice-ai>');
  }, 60_000);
});

describe('npm run example -- <name>, with ESL_* set: the same files against that FreeSWITCH', () => {
  let sim: FreeSwitchSimulator | undefined;
  afterEach(async () => {
    await sim?.stop();
    sim = undefined;
  });

  it('inbound: logs in with ESL_PASSWORD, originates, starts no simulator of its own', async () => {
    sim = new FreeSwitchSimulator({ password: 'their-password' });
    const { port } = await sim.start();
    const run = example('inbound', cleanEnv({ ESL_HOST: '127.0.0.1', ESL_PORT: String(port), ESL_PASSWORD: 'their-password' }));
    expect(await run.exited).toBe(0);
    expect(run.stderr()).toBe('');
    expect(printed(run).some((l) => l.includes('[simulator]'))).toBe(false);
    expect(printed(run)).toContain('hung up loopback/9664-a NORMAL_CLEARING');
    const lines = sim.commands.map((c) => c.line);
    expect(lines[0]).toBe('auth their-password');
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^bgapi originate \\{origination_uuid=${UUID.source}\\}loopback/9664 &park\\(\\)$`)));
  }, 60_000);

  it('outbound: listens on ESL_SERVER_PORT and serves the call FreeSWITCH sends it until stopped', async () => {
    sim = new FreeSwitchSimulator({ password: 'their-password' });
    const { port } = await sim.start();
    const serverPort = await freeTcpPort();
    const run = example('outbound', cleanEnv({ ESL_HOST: '127.0.0.1', ESL_PORT: String(port), ESL_PASSWORD: 'their-password', ESL_SERVER_HOST: '127.0.0.1', ESL_SERVER_PORT: String(serverPort) }));
    expect(await run.line(/^waiting for calls/)).toBe(`waiting for calls on 127.0.0.1:${serverPort}`);
    const channel = sim.callSocket({ port: serverPort }, { callerIdNumber: '5511999990000', destination: '8000' });
    await sim.waitForCommand((c) => c.headers['execute-app-name'] === 'playback');
    sim.sendDtmf(channel.uuid, '7');
    expect(await run.line(/^hung up/)).toBe('hung up: NORMAL_CLEARING');
    const apps = sim.commands.filter((c) => c.headers['execute-app-name']).map((c) => `${c.headers['execute-app-name']} ${c.headers['execute-app-arg'] ?? ''}`.trim());
    expect(apps).toEqual(['answer', 'playback ivr/ivr-welcome.wav', 'playback digits/7.wav']);
    expect(printed(run)).toEqual([`waiting for calls on 127.0.0.1:${serverPort}`, 'call from 5511999990000 to 8000', 'caller pressed 7', 'hung up: NORMAL_CLEARING']);
    expect(run.child.exitCode).toBeNull(); // a server keeps serving calls
    expect(run.stderr()).toBe('');
  }, 60_000);
});
