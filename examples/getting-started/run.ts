/**
 * `npm run example -- <inbound|outbound|voice-ai>`: runs `examples/getting-started/<name>.ts`.
 *
 * With `ESL_HOST` set, the example runs as it is against that FreeSWITCH: `inbound` exits when
 * done, `outbound` and `voice-ai` serve calls until Ctrl-C. Without `ESL_HOST`, this script
 * first starts the FreeSWITCH simulator (`freeswitch-voice-ai/testing`) and points the `ESL_*`
 * variables at it; for the two servers it then plays FreeSWITCH and the caller — one call
 * through the dialplan's `socket` application — and exits once that call is over. Nothing
 * leaves 127.0.0.1.
 */
import { randomBytes } from 'node:crypto';
import { type AddressInfo, createServer } from 'node:net';
import { toneSpeech } from 'freeswitch-voice-ai';
import { FreeSwitchSimulator } from 'freeswitch-voice-ai/testing';

const EXAMPLES = ['inbound', 'outbound', 'voice-ai'];
const name = process.argv[2] ?? '';
if (!EXAMPLES.includes(name)) {
  console.error(`usage: npm run example -- <${EXAMPLES.join('|')}>`);
  process.exit(2);
}
const example = new URL(`./${name}.ts`, import.meta.url).href;

if (process.env.ESL_HOST) {
  await import(example);
} else {
  await againstTheSimulator();
}

/** Runs the example against a simulator started here, and places the call a server waits for. */
async function againstTheSimulator(): Promise<void> {
  const password = randomBytes(6).toString('hex');
  const sim = new FreeSwitchSimulator({ password });
  const { host, port } = await sim.start();
  const serverPort = await freeTcpPort();
  Object.assign(process.env, { ESL_HOST: host, ESL_PORT: String(port), ESL_PASSWORD: password, ESL_SERVER_HOST: '127.0.0.1', ESL_SERVER_PORT: String(serverPort) });
  if (!process.env.RTP_PORT_MIN) {
    // Audio ports away from a FreeSWITCH of yours (the simulator's own side is 1000 above ours).
    const base = 20_000 + 100 * Math.floor(Math.random() * 400);
    Object.assign(process.env, { RTP_PORT_MIN: String(base), RTP_PORT_MAX: String(base + 99) });
  }
  console.log(`[simulator] FreeSWITCH simulator on ${host}:${port} (set ESL_HOST to use a real FreeSWITCH)`);
  await import(example);
  if (name === 'inbound') return sim.stop();

  // A SIP phone (1000) dials 8000; the dialplan answers and runs `socket 127.0.0.1:<port> async full`.
  const callerAudio = name === 'voice-ai' ? callerSays(3000, 'When are you open?') : undefined;
  const channel = sim.callSocket({ port: serverPort }, { callerIdNumber: '1000', destination: '8000', callerAudio });
  console.log(`[simulator] 1000 dials 8000: socket 127.0.0.1:${serverPort} async full`);
  const over = new Promise<void>((resolve) => sim.on('event', (e) => e.name === 'CHANNEL_DESTROY' && e.headers.some(([k, v]) => k === 'Unique-ID' && v === channel.uuid) && resolve()));
  if (name === 'outbound') {
    await sim.waitForCommand((c) => c.headers['execute-app-name'] === 'playback');
    console.log('[simulator] the caller presses 1 during the prompt');
    sim.sendDtmf(channel.uuid, '1');
  }
  const timeout = setTimeout(() => {
    console.log('[simulator] the caller hangs up after 30 s');
    sim.hangup(channel.uuid);
  }, 30_000);
  await over;
  clearTimeout(timeout);
  await sim.stop();
  console.log('[simulator] call over; stopping (a real server keeps serving calls)');
  process.exit(0);
}

/** The caller's voice: silence, then `text` as the scripted voice's tones, then silence. */
function callerSays(atMs: number, text: string): Int16Array {
  const speech = toneSpeech(text);
  const audio = new Int16Array(8 * atMs + speech.length + 8 * 2000);
  audio.set(speech, 8 * atMs);
  return audio;
}

/** A TCP port free right now on 127.0.0.1 (the outbound server's). */
async function freeTcpPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
