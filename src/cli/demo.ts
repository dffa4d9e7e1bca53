/**
 * `npm run demo`: the most complete call the SDK can make today, on embedded defaults — an
 * in-process FreeSWITCH simulator, no real FreeSWITCH, no cloud.
 *
 * Inbound: it logs the client in, runs `api status`, subscribes to channel events, originates a
 * call with escaped variables, reads a variable back, hangs the call up and prints every event.
 * Outbound: a caller dials 8000, the dialplan (`answer`, `socket ... async full`) hands the call
 * to our outbound server, and a small bot greets the caller, reads a DTMF digit and hangs up.
 */
import { AsyncESLClient } from '../esl/client.js';
import type { EslEvent } from '../esl/event.js';
import { createOutboundServer } from '../esl/outbound-server.js';
import { FreeSwitchSimulator } from '../testing/index.js';

const out = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

function describeEvent(e: EslEvent): string {
  const parts = [e.name.padEnd(24)];
  if (e.uuid) parts.push(e.uuid.slice(0, 8));
  if (e.get('Channel-State')) parts.push(e.get('Channel-State')!);
  if (e.hangupCause) parts.push(`cause=${e.hangupCause}`);
  if (e.name === 'BACKGROUND_JOB') parts.push(JSON.stringify(e.body.trim()));
  return parts.join('  ');
}

async function main(): Promise<void> {
  const simulator = new FreeSwitchSimulator({ password: 'ClueCon' });
  const { host, port } = await simulator.start();
  out(`FreeSWITCH simulator listening on ${host}:${port}`);

  const client = new AsyncESLClient({ host, port, password: 'ClueCon' });
  client.on('ready', () => out('inbound client: authenticated'));
  try {
    await client.connect();

    const status = await client.status();
    out(`api status: up ${Math.round(status.uptimeMs / 1000)} s, ${status.sessions ?? 0} session(s), ready=${status.ready}`);

    await client.subscribe(['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_HANGUP', 'CHANNEL_HANGUP_COMPLETE']);
    client.on('*', (e) => out(`  event  ${describeEvent(e)}`));

    out('originate loopback/9000/default &park() with variables containing a comma and a space ...');
    const uuid = await client.originate({
      dialString: 'loopback/9000/default',
      app: 'park',
      variables: { secretary_uuid: 'a,b c', domain_name: 'demo.example' },
    });
    out(`call up: ${uuid}`);
    out(`uuid_getvar secretary_uuid → ${JSON.stringify(await client.uuidGetvar(uuid, 'secretary_uuid'))}`);

    const hungUp = client.waitForEvent({ names: 'CHANNEL_HANGUP_COMPLETE', uuid, timeout: 5000 });
    await client.uuidKill(uuid, 'NORMAL_CLEARING');
    const done = await hungUp;
    out(`call ended: ${done.hangupCause ?? 'unknown cause'}`);

    try {
      await client.originate({ dialString: 'error/USER_BUSY', app: 'park' });
    } catch (error) {
      out(`originate error/USER_BUSY → ${(error as Error).name}: ${(error as Error).message}`);
    }
    await outboundCall(simulator);
  } finally {
    await client.close();
    await simulator.stop();
  }
  out('demo finished');
}

/** A caller reaches the bot through the dialplan's `socket` application. */
async function outboundCall(simulator: FreeSwitchSimulator): Promise<void> {
  const server = createOutboundServer({ host: '127.0.0.1', port: 0, maxConnections: 10 }, async (call) => {
    const { channel } = call;
    out(`bot: call ${call.uuid.slice(0, 8)} from ${channel.callerIdName} <${channel.callerIdNumber}> to ${channel.destinationNumber}, domain ${channel.domainUuid}`);
    const done = await call.playback('tone_stream://%(200,0,440)');
    out(`bot: playback → ${done.get('Application-Response')}`);
    const key = new Promise<string>((resolve) => call.once('dtmf', ({ digit }) => resolve(digit)));
    simulator.sendDtmf(call.uuid, '1');
    out(`bot: caller pressed ${await key}`);
    await call.setVariable('voice_ai_state', 'done');
    out(`bot: voice_ai_state → ${await call.getVariable('voice_ai_state')}`);
    out(`bot: hung up (${await call.hangup('NORMAL_CLEARING')})`);
    const { hangupComplete } = await call.ended();
    out(`bot: billsec=${hangupComplete?.getVariable('billsec')}, socket closed after the linger notice`);
  });
  const { port } = await server.listen();
  out(`outbound server listening on 127.0.0.1:${port}; a caller dials 8000 → answer → socket 127.0.0.1:${port} async full`);
  const finished = new Promise<void>((resolve) => server.once('call', (call) => call.once('end', () => resolve())));
  simulator.callSocket({ port }, { callerIdNumber: '5511999990000', callerIdName: 'Maria Silva', variables: { domain_uuid: 'demo-domain' } });
  await finished;
  await server.close();
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
