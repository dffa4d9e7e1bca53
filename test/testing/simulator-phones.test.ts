import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { AsyncESLClient } from '../../src/esl/client.js';
import { createOutboundServer, type OutboundServer } from '../../src/esl/outbound-server.js';
import { OriginateError } from '../../src/errors.js';
import { pcmFromLE, pcmToLE } from '../../src/media/pcm.js';
import { FreeSwitchSimulator, type FreeSwitchSimulatorOptions, USER_NOT_REGISTERED } from '../../src/testing/index.js';
import { freeUdpRange } from '../helpers/udp.js';

let sim: FreeSwitchSimulator | undefined;
let client: AsyncESLClient | undefined;
let server: OutboundServer | undefined;

async function setup(options: FreeSwitchSimulatorOptions = {}): Promise<AsyncESLClient> {
  sim = new FreeSwitchSimulator(options);
  const { port } = await sim.start();
  client = new AsyncESLClient({ host: '127.0.0.1', port, password: 'ClueCon', maxReconnectAttempts: 0 });
  await client.connect();
  return client;
}

afterEach(async () => {
  await client?.close();
  await server?.close();
  await sim?.stop();
  sim = client = server = undefined;
});

const DIALPLAN = `<?xml version="1.0"?>
<document type="freeswitch/xml">
  <section name="dialplan">
    <context name="acme.example.com">
      <!-- the first match without continue="true" wins -->
      <extension name="log" continue="true">
        <condition field="destination_number" expression="^(\\d+)$">
          <action application="set" data="dialed=$1"/>
        </condition>
      </extension>
      <extension name="voice_ai_8000" continue="false">
        <condition field="destination_number" expression="^(8\\d{3})$">
          <action application="set" data="secretary_uuid=s-$1"/>
          <action application="set" data="from=\${caller_id_number} &amp; co"/>
          <action application="answer"/>
          <action application="park"/>
        </condition>
      </extension>
      <extension name="office-hours">
        <condition field="\${office}" expression="^open$" break="on-false">
          <action application="answer"/>
          <anti-action application="hangup" data="CALL_REJECTED"/>
        </condition>
      </extension>
    </context>
  </section>
</document>`;

describe('the simulator: phones, ringing originates, XML dialplans', () => {
  it('answers sofia_contact for registered phones and error/user_not_registered otherwise', async () => {
    const c = await setup();
    sim!.phones.register({ user: '1001', domain: 'acme.example.com', contact: 'sip:1001@10.0.0.5:5060' });
    expect((await c.api('sofia_contact */1001@acme.example.com')).text).toBe('sofia/internal/sip:1001@10.0.0.5:5060');
    expect((await c.api('sofia_contact 1001@acme.example.com')).text).toBe('sofia/internal/sip:1001@10.0.0.5:5060');
    expect((await c.api('sofia_contact */1002@acme.example.com')).text).toBe(USER_NOT_REGISTERED);
    expect((await c.api('sofia_contact */1001@globex.example.com')).text).toBe(USER_NOT_REGISTERED);
    sim!.phones.unregister('1001', 'acme.example.com');
    expect((await c.api('sofia_contact */1001@acme.example.com')).text).toBe(USER_NOT_REGISTERED);
    expect((await c.api('module_exists mod_loopback')).text).toBe('true');
    expect((await c.api('module_exists mod_nonexistent')).text).toBe('false');
  });

  it('rings a phone before the originate answers; api originate holds the connection meanwhile', async () => {
    const c = await setup();
    sim!.phones.register({ user: '1001', domain: 'acme.example.com', ringMs: 300 });
    const started = performance.now();
    const uuid = await c.originate({ dialString: 'user/1001@acme.example.com', app: 'park' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(280);
    expect(sim!.channels.get(uuid)?.answered).toBe(true);

    const order: string[] = [];
    const slow = c.api('originate user/1001@acme.example.com &park()').then((r) => order.push(`originate ${r.text.slice(0, 3)}`));
    const quick = c.api('status').then(() => order.push('status'));
    await Promise.all([slow, quick]);
    expect(order).toEqual(['originate +OK', 'status']);
  });

  it('fails originates as FreeSWITCH does: busy, rejected, unregistered, no answer, killed while ringing', async () => {
    const c = await setup();
    const cause = (p: Promise<unknown>): Promise<string | undefined> => p.then(() => undefined, (e: unknown) => (e instanceof OriginateError ? e.hangupCause : String(e)));
    sim!.phones.register({ user: '1002', domain: 'acme.example.com', behavior: 'busy' });
    sim!.phones.register({ user: '1003', domain: 'acme.example.com', behavior: 'reject' });
    sim!.phones.register({ user: '1004', domain: 'acme.example.com', behavior: 'no-answer' });
    expect(await cause(c.originate({ dialString: 'user/1002@acme.example.com', app: 'park' }))).toBe('USER_BUSY');
    expect(await cause(c.originate({ dialString: 'user/1003@acme.example.com', app: 'park' }))).toBe('CALL_REJECTED');
    expect(await cause(c.originate({ dialString: 'user/1009@acme.example.com', app: 'park' }))).toBe('USER_NOT_REGISTERED');
    const started = performance.now();
    expect(await cause(c.originate({ dialString: 'user/1004@acme.example.com', app: 'park', timeoutSeconds: 1 }))).toBe('NO_ANSWER');
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
    const ringing = cause(c.originate({ dialString: 'user/1004@acme.example.com', app: 'park', uuid: 'e0000000-0000-4000-8000-0000000000aa' }));
    await expect.poll(() => sim!.channels.has('e0000000-0000-4000-8000-0000000000aa')).toBe(true);
    await c.uuidKill('e0000000-0000-4000-8000-0000000000aa', 'ORIGINATOR_CANCEL');
    expect(await ringing).toBe('ORIGINATOR_CANCEL');
  });

  it("originates a phone into &socket(host:port async full): the answered leg reaches the outbound server and carries the person's voice", async () => {
    const c = await setup();
    const voice = Int16Array.from({ length: 1600 }, (_, i) => Math.round(8000 * Math.sin(i / 5)));
    sim!.phones.register({ user: '1001', domain: 'acme.example.com', ringMs: 50, speech: voice });
    const arrived = new Promise<import('../../src/esl/outbound-call.js').OutboundCall>((resolve) => {
      server = createOutboundServer({ host: '127.0.0.1', port: 0, maxConnections: 2 }, (call) => resolve(call));
    });
    const { port } = await server!.listen();
    const uuid = await c.originate({ dialString: 'user/1001@acme.example.com', app: 'socket', appArg: `127.0.0.1:${port} async full`, variables: { voice_ai_consult: 't-1' } });
    const call = await arrived;
    expect([call.uuid, call.channel.getVariable('voice_ai_consult'), call.channel.fullControl]).toEqual([uuid, 't-1', true]);
    const [ours] = [await freeUdpRange(2)];
    const socket = createSocket('udp4');
    const frames: Buffer[] = [];
    socket.on('message', (m) => frames.push(m));
    await new Promise<void>((r) => socket.bind(ours, '127.0.0.1', r));
    await call.unicast({ localIp: '127.0.0.1', localPort: ours + 1, remoteIp: '127.0.0.1', remotePort: ours });
    void call.park().catch(() => {});
    await expect.poll(() => frames.length, { timeout: 3000 }).toBeGreaterThanOrEqual(10);
    expect([...pcmFromLE(frames[0]!).subarray(0, 160)]).toEqual([...voice.subarray(0, 160)]);
    socket.close();
    await call.hangup();
  });

  it('a loopback call parked by an inline dialplan with `echo` on the other leg echoes unicast audio back', async () => {
    const c = await setup();
    const aUuid = await c.originate({ dialString: 'loopback/park/default/inline', app: 'echo' });
    const bUuid = (await c.uuidGetvar(aUuid, 'other_loopback_leg_uuid'))!;
    expect(sim!.channels.get(bUuid)?.currentApp?.name).toBe('park');
    const ours = await freeUdpRange(2);
    const socket = createSocket('udp4');
    const back: Buffer[] = [];
    socket.on('message', (m) => back.push(m));
    await new Promise<void>((r) => socket.bind(ours, '127.0.0.1', r));
    await c.sendmsg(bUuid, { command: 'unicast', headers: { 'local-ip': '127.0.0.1', 'local-port': ours + 1, 'remote-ip': '127.0.0.1', 'remote-port': ours, transport: 'udp' } });
    await sim!.waitForUnicast(bUuid);
    const tone = pcmToLE(Int16Array.from({ length: 160 }, (_, i) => Math.round(9000 * Math.sin(i / 3))));
    for (let i = 0; i < 5; i++) socket.send(tone, ours + 1, '127.0.0.1');
    await expect.poll(() => back.some((f) => f.equals(tone)), { timeout: 3000 }).toBe(true);
    socket.close();
    await c.uuidKill(aUuid);
  });

  it('routes calls with an XML dialplan (continue, captures, ${vars}, anti-actions) and shows it with xml_locate', async () => {
    const c = await setup({ dialplanXml: DIALPLAN });
    const call = sim!.placeCall({ destination: '8123', context: 'acme.example.com', callerIdNumber: '5511' });
    await expect.poll(() => call.currentApp?.name).toBe('park');
    expect([call.variables.get('dialed'), call.variables.get('secretary_uuid'), call.variables.get('from')]).toEqual(['8123', 's-8123', '5511 & co']);
    const closed = sim!.placeCall({ destination: 'office', context: 'acme.example.com' });
    expect(closed.hangupCause).toBe('CALL_REJECTED');
    const nowhere = sim!.placeCall({ destination: '8000', context: 'other' });
    expect(nowhere.hangupCause).toBe('NO_ROUTE_DESTINATION');
    await expect(c.originate({ dialString: 'loopback/8000/nowhere', app: 'park' })).rejects.toMatchObject({ hangupCause: 'NO_ROUTE_DESTINATION' });

    const located = (await c.api('xml_locate dialplan context name acme.example.com')).text;
    expect(located).toMatch(/^<context name="acme.example.com">[^]*voice_ai_8000[^]*<\/context>$/);
    expect((await c.api('xml_locate dialplan context name public')).text).toBe("can't find anything");
    expect((await c.api('xml_locate dialplan context')).text).toBe('-ERR bad args');
  });

  it('plays music on hold (local_stream://) until it is broken', async () => {
    const c = await setup();
    const uuid = await c.originate({ dialString: 'loopback/9000/default', app: 'park' });
    await c.uuidBroadcast(uuid, 'local_stream://moh', 'aleg');
    await expect.poll(() => sim!.channels.get(uuid)?.currentApp?.name).toBe('playback');
    await c.uuidBreak(uuid);
    await expect.poll(() => sim!.channels.get(uuid)?.currentApp?.name).toBe('park');
    await c.uuidKill(uuid);
  });
});
