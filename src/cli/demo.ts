/**
 * `npm run demo`: the most complete call the SDK can make today, on embedded defaults — an
 * in-process FreeSWITCH simulator, no real FreeSWITCH, no cloud.
 *
 * Inbound: it logs the client in, runs `api status`, subscribes to channel events, originates a
 * call with escaped variables, reads a variable back, hangs the call up and prints every event.
 * Outbound: a caller dials 8000, the dialplan (`answer`, `socket ... async full`) hands the call
 * to our outbound server, and a small bot greets the caller, reads a DTMF digit and hangs up.
 * Voice AI: a second caller reaches a secretary — the call's audio flows over FreeSWITCH's
 * `unicast` (µ-law), a local scripted provider greets, hears the caller (a recorded voice) and
 * transfers the call to the extension asked for.
 */
import { AsyncESLClient } from '../esl/client.js';
import type { EslEvent } from '../esl/event.js';
import { readFileSync } from 'node:fs';
import { createOutboundServer } from '../esl/outbound-server.js';
import { pcmFromLE } from '../media/pcm.js';
import { ScriptedProvider } from '../realtime/providers/scripted.js';
import { RealtimeSession } from '../realtime/session.js';
import { transferCallTool } from '../realtime/tools.js';
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
  // Not FreeSWITCH's public default: the client would rightly warn about that one.
  const password = 'demo-only';
  const simulator = new FreeSwitchSimulator({ password });
  const { host, port } = await simulator.start();
  out(`FreeSWITCH simulator listening on ${host}:${port}`);

  const client = new AsyncESLClient({ host, port, password });
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
    await secretaryCall(simulator);
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

/** The caller's voice: the recorded English caller in `test/fixtures/audio` when present, else a tone burst. */
function callerVoice(): Int16Array {
  try {
    const wav = readFileSync(new URL('../../test/fixtures/audio/caller-en-8k.wav', import.meta.url));
    const data = wav.indexOf('data');
    const pcm = pcmFromLE(new Uint8Array(wav.subarray(data + 8)));
    return Int16Array.from([...new Int16Array(8000 * 3), ...pcm]);
  } catch {
    return Int16Array.from({ length: 8000 * 5 }, (_, i) => (i > 24000 && i < 32000 ? Math.round(6000 * Math.sin(i / 4)) : 0));
  }
}

/** A whole voice-AI call: unicast audio, a provider, a greeting, the caller's request, a transfer. */
async function secretaryCall(simulator: FreeSwitchSimulator): Promise<void> {
  out('--- voice AI: a caller reaches the secretary ---');
  const server = createOutboundServer({ host: '127.0.0.1', port: 0, maxConnections: 10 }, async (call) => {
    const provider = new ScriptedProvider({
      greeting: 'Good morning, you reached ACME. How can I help?',
      turns: [{ say: 'Connecting you to Maria in sales.', tool: { name: 'transfer_call', args: { destination: '1001', reason: 'caller asked for Maria' } } }],
    });
    const session = new RealtimeSession({
      call,
      provider,
      instructions: 'You are the secretary of ACME. Transfer callers to the person they ask for.',
      greeting: 'Greet the caller.',
      tools: [transferCallTool({ allowed: ['1001', '1002'] })],
      media: { freeswitchPort: (p) => p + 500 },
    });
    session.on('transcript', (t) => out(`  ${t.role === 'assistant' ? 'assistant' : 'caller   '}: ${t.text}`));
    session.on('toolResult', ({ call: c, result }) => out(`  tool ${c.name}(${JSON.stringify(c.args)}) → ${JSON.stringify(result)}`));
    session.on('ended', ({ reason, metrics }) =>
      out(`session ended: ${reason}; first assistant audio after ${Math.round(metrics.timeToFirstAudioMs ?? 0)} ms`),
    );
    await session.start();
    out(`media: unicast ${call.channel.readCodec?.name} native, caller audio → provider, answers paced at 20 ms`);
  });
  const { port } = await server.listen();
  const finished = new Promise<void>((resolve) => server.once('call', (call) => call.once('end', () => resolve())));
  const channel = simulator.callSocket({ port }, { callerIdNumber: '5511988887777', callerIdName: 'John Doe', codec: 'PCMU', callerAudio: callerVoice() });
  const transferred = simulator.waitForCommand((c) => c.line.startsWith('api uuid_transfer'), 15_000);
  out(`FreeSWITCH got: ${(await transferred).line}`);
  const sent = simulator.unicast(channel.uuid);
  out(`FreeSWITCH received ${sent?.received.length ?? 0} audio frames from the assistant (${sent?.received[0]?.data.length ?? 0} bytes each)`);
  simulator.hangup(channel.uuid);
  await finished;
  await server.close();
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
