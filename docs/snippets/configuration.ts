import { AsyncESLClient, loadConfig } from 'freeswitch-voice-ai';

const config = loadConfig();            // process.env; or loadConfig(someRecord)
const client = new AsyncESLClient(config.esl);
await client.connect();
