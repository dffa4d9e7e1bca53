import { describe, expect, it } from 'vitest';
import { InMemoryTenantSource, type ScriptTurn, ScriptedProvider } from 'freeswitch-voice-ai';
import { type TakenMessage, createSecretaryServer, secretaryInstructions } from '../../examples/secretary/secretary.js';
import { FreeSwitchSimulator } from 'freeswitch-voice-ai/testing';
import { freeUdpRange } from '../helpers/udp.js';
import { PortAllocator } from '../../src/media/port-allocator.js';

const DOMAIN = '11111111-2222-3333-4444-555555555555';
const SECRETARY = 'dc923a2f-b88a-4a2f-8029-d6e0c06893c5';
const profile = {
  company: 'ACME',
  greeting: 'ACME, good morning.',
  operator: '1000',
  directory: [
    { extension: '1001', description: 'Maria, sales' },
    { extension: '1002', description: 'John, support' },
  ],
};
const tenants = new InMemoryTenantSource([{ domainUuid: DOMAIN, secretaries: { [SECRETARY]: profile } }]);

/** A caller who speaks once, at `atMs`. */
function caller(atMs: number): Int16Array {
  return Int16Array.from({ length: 8 * (atMs + 2500) }, (_, i) => (i > 8 * atMs && i < 8 * (atMs + 500) ? Math.round(7000 * Math.sin(i / 3)) : 0));
}

async function run(turns: readonly ScriptTurn[], variables: Record<string, string>) {
  const sim = new FreeSwitchSimulator();
  await sim.start();
  const min = await freeUdpRange(4);
  const messages: TakenMessage[] = [];
  let messaged: () => void = () => {};
  const messageArrived = new Promise<void>((r) => (messaged = r));
  const server = createSecretaryServer({
    tenants,
    provider: (p) => new ScriptedProvider({ greeting: p.greeting, turns }),
    onMessage: (m) => {
      messages.push(m);
      messaged();
    },
    server: { host: '127.0.0.1', port: 0, maxConnections: 5 },
    media: { ports: new PortAllocator({ min, max: min + 1, bindAddress: '127.0.0.1' }), freeswitchPort: (p) => p + 2 },
  });
  const { port } = await server.listen();
  const channel = sim.callSocket({ port }, { callerIdNumber: '5511988887777', codec: 'PCMU', variables, callerAudio: caller(600) });
  return { sim, server, channel, messages, messageArrived, stop: async () => (await server.close(), await sim.stop()) };
}

describe('examples/secretary', () => {
  it("transfers the caller to the directory's extension", async () => {
    const t = await run([{ say: 'Connecting you to Maria.', tool: { name: 'transfer_call', args: { destination: '1001' } } }], { domain_uuid: DOMAIN, secretary_uuid: SECRETARY });
    const transfer = await t.sim.waitForCommand((c) => c.line.startsWith('api uuid_transfer'), 10_000);
    expect(transfer.line).toBe(`api uuid_transfer ${t.channel.uuid} 1001 XML default`);
    await t.stop();
  });

  it('takes a message for someone', async () => {
    const t = await run(
      [{ say: 'I will pass it on.', tool: { name: 'take_message', args: { for: 'Maria', text: 'call me back', callback_number: '5511988887777' } }, afterTool: 'Goodbye.' }],
      { domain_uuid: DOMAIN, secretary_uuid: SECRETARY },
    );
    await t.messageArrived;
    expect(t.messages).toEqual([{ domainUuid: DOMAIN, callerIdNumber: '5511988887777', for: 'Maria', text: 'call me back', callbackNumber: '5511988887777' }]);
    await t.stop();
  });

  it('refuses transfers outside the directory and hangs up calls of unknown tenants', async () => {
    const t = await run([{ say: 'x', tool: { name: 'transfer_call', args: { destination: '9999' } } }], { domain_uuid: 'no-such-domain', secretary_uuid: SECRETARY });
    const hangup = await t.sim.waitForCommand((c) => c.headers['call-command'] === 'hangup');
    expect(hangup.headers['hangup-cause']).toBe('UNALLOCATED_NUMBER');
    await t.stop();
    expect(secretaryInstructions(profile)).toContain('Maria, sales: extension 1001');
  });
});
