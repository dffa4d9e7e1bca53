import { describe, expect, it } from 'vitest';
import { createOutboundServer, type OutboundCall } from 'freeswitch-voice-ai';
import { runCli } from './run-cli.js';

describe('freeswitch-voice-ai', () => {
  it.each([[[]], [['--help']], [['dialplan', '--help']], [['doctor', '--help']], [['simulator', '--help']], [['demo', '--help']], [['help', 'doctor']]])(
    '%j prints help',
    async (argv) => {
      const r = await runCli(argv);
      const text = r.stdout + r.stderr;
      expect(text).toMatch(/^Usage: freeswitch-voice-ai/);
      expect(r.code).toBe(argv.length === 0 ? 2 : 0);
    },
  );

  it('prints its version', async () => {
    expect((await runCli(['--version'])).stdout).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('simulator: starts a switch, places a call to an outbound server with variables, and stops after --duration', async () => {
    const arrived = new Promise<OutboundCall>((resolve) => {
      const server = createOutboundServer({ host: '127.0.0.1', port: 0, maxConnections: 2 }, async (call) => {
        resolve(call);
        await call.hangup();
        await server.close();
      });
      void server.listen().then(({ port }) => {
        void runCli(['simulator', '--port', '0', '--call', '8000', '--socket', `127.0.0.1:${port}`, '--variable', 'domain_uuid=d-1', '--from', '5511', '--duration', '1']).then(
          (r) => (result = r),
        );
      });
    });
    let result: Awaited<ReturnType<typeof runCli>> | undefined;
    const call = await arrived;
    expect([call.channel.destinationNumber, call.channel.callerIdNumber, call.channel.domainUuid]).toEqual(['8000', '5511', 'd-1']);
    await expect.poll(() => result?.code, { timeout: 5000 }).toBe(0);
    expect(result!.stdout).toMatch(/^FreeSWITCH simulator: event socket on 127\.0\.0\.1:\d+ \(password ClueCon\)/);
    expect(result!.stdout).toMatch(/CHANNEL_HANGUP_COMPLETE {2}[0-9a-f]{8} sofia\/internal\/5511@127\.0\.0\.1 NORMAL_CLEARING/);
    expect(result!.stdout).toMatch(/simulator stopped$/);
  });

  it('simulator: a bad option is one line', async () => {
    const r = await runCli(['simulator', '--socket', 'nope']);
    expect([r.code, r.stderr]).toEqual([2, 'freeswitch-voice-ai: --socket nope: expected host:port']);
  });

  it('simulator: a --duration that is not a number of seconds is refused before anything starts', async () => {
    const r = await runCli(['simulator', '--port', '0', '--duration', 'soon']);
    expect([r.code, r.stderr]).toEqual([2, 'freeswitch-voice-ai: --duration soon: expected a number of seconds above 0']);
  });
});
