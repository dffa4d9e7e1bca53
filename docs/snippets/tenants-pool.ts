import { configureEslPool, getEslForDomain, JsonFileTenantSource, loadConfig } from 'freeswitch-voice-ai';

configureEslPool({
  defaults: loadConfig().esl,                                   // ESL_* from the environment
  tenants: new JsonFileTenantSource(process.env.TENANTS_FILE ?? '/etc/voice-ai/tenants.json'),
});

// In a call (its domain_uuid is call.channel.domainUuid): one connected client per FreeSWITCH,
// shared by every tenant on it.
const client = await getEslForDomain('6c1a0e9e-5b8f-4f3e-9d2a-1c0b7e4d2f10');
console.log((await client.status()).ready);
