import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutboundServer } from 'freeswitch-voice-ai';
import { FreeSwitchSimulator, type FreeSwitchSimulatorOptions } from 'freeswitch-voice-ai/testing';
import { dialplanXml } from '../../src/cli/dialplan.js';
import { numberPattern } from '../../src/cli/number-pattern.js';
import { answerDoctorProbe } from '../../examples/secretary/doctor-probe.js';
import { freeUdpRange } from '../helpers/udp.js';
import { freeTcpPort } from '../helpers/tcp.js';
import { runCli } from './run-cli.js';

const PASSWORD = 'a-long-random-password';
let rtpMin = 0;
const saved = { ...process.env };

beforeAll(async () => {
  rtpMin = await freeUdpRange(4);
  Object.assign(process.env, { RTP_PORT_MIN: String(rtpMin), RTP_PORT_MAX: String(rtpMin + 3), RTP_BIND_ADDRESS: '127.0.0.1' });
  delete process.env.ESL_PASSWORD;
});
afterAll(() => {
  for (const k of ['RTP_PORT_MIN', 'RTP_PORT_MAX', 'RTP_BIND_ADDRESS']) delete process.env[k];
  Object.assign(process.env, saved);
});

/** The extension `freeswitch-voice-ai dialplan` prints for 8000, in the domain's context of the simulator. */
function contextWith(socketPort: number, number = '8000'): string {
  const xml = dialplanXml({
    name: 'voice_ai_8000', number: numberPattern(number), secretaryUuid: undefined, socket: `127.0.0.1:${socketPort}`, fallback: '1000',
    context: 'domain', codec: 'PCMU', order: 5, uuid: '0f8d6a6e-52f4-4f5e-9d56-3e1f0b8c2a11', description: 'test',
  });
  return `<document type="freeswitch/xml"><section name="dialplan"><context name="acme.example.com">\n${xml}\n</context></section></document>`;
}

async function doctor(sim: FreeSwitchSimulator | undefined, extra: string[], eslPort?: number) {
  const r = await runCli(['doctor', '--host', '127.0.0.1', '--port', String(eslPort ?? sim!.port), '--password', PASSWORD, '--server-host', '127.0.0.1', '--timeout', '3000', '--json', ...extra]);
  const findings = JSON.parse(r.stdout).findings as { id: string; status: string; summary: string; fix?: string }[];
  return { code: r.code, findings, get: (id: string) => findings.find((f) => f.id === id)! };
}

async function withSimulator<T>(options: FreeSwitchSimulatorOptions, fn: (sim: FreeSwitchSimulator) => Promise<T>): Promise<T> {
  const sim = new FreeSwitchSimulator({ password: PASSWORD, ...options });
  await sim.start();
  try {
    return await fn(sim);
  } finally {
    await sim.stop();
  }
}

describe('doctor against the simulator', () => {
  it('passes a good setup: login, status, modules, the dialplan, a test call reaching its socket, RTP ports, audio there and back', async () => {
    const serverPort = await freeTcpPort();
    await withSimulator({ dialplanXml: contextWith(serverPort) }, async (sim) => {
      const d = await doctor(sim, ['--server-port', String(serverPort), '--number', '8000', '--context', 'acme.example.com']);
      expect(d.findings.map((f) => `${f.id}:${f.status}`)).toEqual([
        'esl-resolve:pass', 'esl-connect:pass', 'esl-auth:pass', 'esl-password:pass', 'freeswitch-status:pass', 'modules:pass',
        'outbound-port:warn', 'dialplan:pass', 'socket-reach:pass', 'audio:pass', 'rtp-ports:pass',
      ]);
      expect(d.code).toBe(0);
      expect(d.get('dialplan').summary).toBe(`extension voice_ai_8000 sends 8000 to socket 127.0.0.1:${serverPort} async full`);
      expect(d.get('socket-reach').summary).toContain(`reached this host on 127.0.0.1:${serverPort}`);
      expect(d.get('audio').summary).toMatch(/a 1 kHz tone sent through unicast came back through the loopback call after \d+ ms/);
      expect(d.get('rtp-ports').summary).toBe(`4 of 4 UDP ports of 127.0.0.1 ${rtpMin}-${rtpMin + 3} are free (4 concurrent calls)`);
      expect(sim.channels.size).toBe(0);
    });
  }, 30_000);

  it('says the secretary answered when it is the one listening (and skips the audio check)', async () => {
    const secretary = createOutboundServer({ host: '127.0.0.1', port: 0, maxConnections: 2 }, (call) => answerDoctorProbe(call));
    const { port } = await secretary.listen();
    try {
      await withSimulator({ dialplanXml: contextWith(port) }, async (sim) => {
        const d = await doctor(sim, ['--server-port', String(port), '--number', '8000', '--context', 'acme.example.com']);
        expect(d.get('outbound-port')).toMatchObject({ status: 'pass', summary: `127.0.0.1:${port} is in use (the secretary is running)` });
        expect(d.get('socket-reach')).toMatchObject({ status: 'pass' });
        expect(d.get('socket-reach').summary).toContain('reached the running secretary');
        expect(d.get('audio').status).toBe('skip');
        expect(d.code).toBe(0);
      });
    } finally {
      await secretary.close();
    }
  }, 30_000);

  it('fails a wrong password, with the fix', async () => {
    await withSimulator({ password: 'the-real-one' }, async (sim) => {
      const d = await doctor(sim, ['--server-port', String(await freeTcpPort())]);
      expect(d.code).toBe(1);
      expect(d.get('esl-auth')).toMatchObject({ status: 'fail', summary: 'wrong event socket password (auth answered -ERR invalid)' });
      expect(d.get('esl-auth').fix).toMatch(/ESL_PASSWORD must be the password param of \/etc\/freeswitch\/autoload_configs\/event_socket\.conf\.xml/);
      expect(d.get('freeswitch-status').status).toBe('skip');
    });
  });

  it("fails the ACL's rude rejection, with the fix", async () => {
    await withSimulator({ acl: () => false }, async (sim) => {
      const d = await doctor(sim, ['--server-port', String(await freeTcpPort())]);
      expect(d.code).toBe(1);
      expect(d.get('esl-auth')).toMatchObject({ status: 'fail', summary: "the event socket's ACL rejected this host (text/rude-rejection)" });
      expect(d.get('esl-auth').fix).toContain('apply-inbound-acl');
    });
  });

  it('fails a closed port (connection refused), with the fix, and still checks the rest', async () => {
    const closed = await freeTcpPort();
    const d = await doctor(undefined, ['--server-port', String(await freeTcpPort())], closed);
    expect(d.code).toBe(1);
    expect(d.get('esl-connect')).toMatchObject({ status: 'fail', summary: `TCP 127.0.0.1:${closed}: connection refused` });
    expect(d.get('esl-connect').fix).toMatch(/Is FreeSWITCH running[^]*module_exists mod_event_socket[^]*listen-ip/);
    expect(d.get('esl-auth').status).toBe('skip');
    expect(d.get('rtp-ports').status).toBe('pass');
  });

  it('fails a missing dialplan: no extension takes the number, and the test call finds no route', async () => {
    const serverPort = await freeTcpPort();
    await withSimulator({ dialplanXml: contextWith(serverPort, '9000') }, async (sim) => {
      const d = await doctor(sim, ['--server-port', String(serverPort), '--number', '8000', '--context', 'acme.example.com']);
      expect(d.code).toBe(1);
      expect(d.get('dialplan')).toMatchObject({ status: 'fail', summary: 'no extension in context acme.example.com takes 8000' });
      expect(d.get('dialplan').fix).toContain('freeswitch-voice-ai dialplan --number 8000 --domain acme.example.com --sql');
      expect(d.get('socket-reach')).toMatchObject({ status: 'fail', summary: 'test call: no route for 8000 in context acme.example.com (NO_ROUTE_DESTINATION)' });
      expect(d.get('socket-reach').fix).toContain("fs_cli -x 'reloadxml'");
    });
  });

  it("fails a dialplan whose socket points where nothing listens: FreeSWITCH's socket cannot reach the service", async () => {
    const serverPort = await freeTcpPort();
    const nowhere = await freeTcpPort();
    await withSimulator({ dialplanXml: contextWith(nowhere) }, async (sim) => {
      const d = await doctor(sim, ['--server-port', String(serverPort), '--number', '8000', '--context', 'acme.example.com']);
      expect(d.code).toBe(1);
      expect(d.get('dialplan')).toMatchObject({ status: 'fail' });
      expect(d.get('dialplan').fix).toContain(`make the socket data <host>:${serverPort} async full`);
      expect(d.get('socket-reach')).toMatchObject({ status: 'fail', summary: `test call: the dialplan ran socket 127.0.0.1:${nowhere} async full, but nothing answered there` });
    });
  });

  it('warns about the public default password on localhost', async () => {
    await withSimulator({ password: 'ClueCon' }, async (sim) => {
      const r = await runCli(['doctor', '--host', '127.0.0.1', '--port', String(sim.port), '--password', 'ClueCon', '--server-host', '127.0.0.1', '--server-port', String(await freeTcpPort())]);
      expect(r.stdout).toMatch(/WARN {2}the event socket password is FreeSWITCH's public default \(ClueCon\) \(on localhost\)\n {8}Anyone who reaches/);
      expect(r.stdout).toMatch(/^\d+ passed, \d+ warnings?, 0 failed, \d+ skipped$/m);
      expect(r.code).toBe(0);
    });
  });
});
