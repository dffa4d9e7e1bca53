import { AsyncESLClient, OriginateError, loadConfig } from 'freeswitch-voice-ai';

const client = new AsyncESLClient(loadConfig().esl);       // ESL_HOST, ESL_PORT, ESL_PASSWORD, ... from the environment
await client.connect();                                   // EslAuthError on a wrong password
await client.subscribe(['CHANNEL_ANSWER', 'CHANNEL_HANGUP_COMPLETE']);
client.on('CHANNEL_HANGUP_COMPLETE', (e) => console.log(e.uuid, e.hangupCause));

try {
  const uuid = await client.originate({
    dialString: 'user/1000',
    app: 'park',
    variables: { domain_uuid: 'd1', note: 'a, b c' },     // escaped the way FreeSWITCH parses them
  });
  await client.uuidBroadcast(uuid, 'ivr/ivr-welcome.wav', 'aleg');
} catch (error) {
  if (error instanceof OriginateError) console.log('no call:', error.hangupCause); // USER_BUSY, ...
}
