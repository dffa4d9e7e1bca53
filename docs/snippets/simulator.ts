import { AsyncESLClient } from 'freeswitch-voice-ai';
import { FreeSwitchSimulator } from 'freeswitch-voice-ai/testing';

const sim = new FreeSwitchSimulator({ password: 'test-only' });
const { host, port } = await sim.start();                  // 127.0.0.1, an ephemeral port
const client = new AsyncESLClient({ host, port, password: 'test-only' });
await client.connect();
console.log((await client.api('status')).text);           // what a real FreeSWITCH answers
await client.close();
await sim.stop();
