import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FreeSwitchSimulator } from 'freeswitch-voice-ai/testing';
import { ACME, ANA, speech } from './harness.js';
import { freeUdpRange } from '../../helpers/udp.js';
import { freeTcpPort } from '../../helpers/tcp.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');

describe('npm run secretary', () => {
  it('serves calls configured from the environment (here: the JSON tenants, no API key: the scripted voice), and stops on SIGTERM', async () => {
    const sim = new FreeSwitchSimulator({ password: 'test-password' });
    const { port: eslPort } = await sim.start();
    const port = await freeTcpPort();
    const rtp = await freeUdpRange(4);
    const child = spawn(process.execPath, ['--import', 'tsx', 'examples/secretary/main.ts'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        TSX_TSCONFIG_PATH: 'examples/tsconfig.json',
        ESL_HOST: '127.0.0.1',
        ESL_PORT: String(eslPort),
        ESL_PASSWORD: 'test-password',
        ESL_SERVER_HOST: '127.0.0.1',
        ESL_SERVER_PORT: String(port),
        RTP_PORT_MIN: String(rtp),
        RTP_PORT_MAX: String(rtp + 1),
        RTP_BIND_ADDRESS: '127.0.0.1',
        SECRETARY_TENANTS: 'examples/secretary/tenants.example.json',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    child.stdout.on('data', (c) => (log += c));
    child.stderr.on('data', (c) => (log += c));
    const exited = new Promise<number | null>((r) => child.on('close', r));
    try {
      await expect.poll(() => log, { timeout: 20_000 }).toContain(`secretary listening on 127.0.0.1:${port}`);
      const call = sim.callSocket({ port }, { callerIdNumber: '5511988887777', codec: 'PCMU', variables: { domain_uuid: ACME, secretary_uuid: ANA }, callerAudio: speech([1500, 400]) });
      await expect.poll(() => log, { timeout: 15_000 }).toMatch(/INFO {2}assistant: Good morning, ACME, this is Ana\. How can I help you\?/);
      await expect.poll(() => log, { timeout: 15_000 }).toMatch(/message: \(recorded by the scripted voice\)/);
      expect(log).toMatch(/WARN {2}secretary: no API key for this provider; the scripted voice answers/);
      sim.hangup(call.uuid);
      await expect.poll(() => log, { timeout: 10_000 }).toMatch(/INFO {2}John Doe|INFO {2}5511988887777.*called ACME/);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
      await sim.stop();
    }
  }, 60_000);
});
