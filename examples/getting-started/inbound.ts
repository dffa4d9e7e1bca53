import { AsyncESLClient, loadConfig } from 'freeswitch-voice-ai';

const client = new AsyncESLClient(loadConfig().esl);             // ESL_HOST, ESL_PORT, ESL_PASSWORD
await client.connect();                                          // EslAuthError on a wrong password
const status = await client.status();
console.log(`FreeSWITCH ${status.version}: ${status.sessions} call(s) up`);

await client.subscribe(['CHANNEL_ANSWER', 'CHANNEL_HANGUP_COMPLETE']);
client.on('CHANNEL_ANSWER', (e) => console.log('answered', e.get('Channel-Name')));
client.on('CHANNEL_HANGUP_COMPLETE', (e) => console.log('hung up', e.get('Channel-Name'), e.hangupCause));

const uuid = await client.originate({ dialString: process.env.DIAL ?? 'loopback/9664', app: 'park' });
const hungUp = client.waitForEvent({ names: ['CHANNEL_HANGUP_COMPLETE'], uuid, timeout: 10_000 }); // before the kill
await client.uuidKill(uuid);                                     // hang it up again
await hungUp;
await client.close();
