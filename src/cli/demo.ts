/**
 * `npm run demo`: the most complete call the SDK can make today, on embedded defaults — an
 * in-process FreeSWITCH simulator, no real FreeSWITCH, no cloud.
 *
 * It logs the inbound client in, runs `api status`, subscribes to channel events, originates a
 * call with escaped variables, reads a variable back, hangs the call up and prints every event.
 */
import { AsyncESLClient } from '../esl/client.js';
import type { EslEvent } from '../esl/event.js';
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
  } finally {
    await client.close();
    await simulator.stop();
  }
  out('demo finished');
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
