/**
 * Runs the secretary: `npm run secretary` (see README.md beside this file).
 *
 * Environment: the library's (`ESL_SERVER_HOST`, `ESL_SERVER_PORT`, `RTP_PORT_MIN`, ...), plus
 * `SECRETARY_TENANTS` (a JSON file of tenants; default: tenants.example.json here) and
 * `OPENAI_API_KEY` (without it, a scripted provider answers: useful to test the wiring).
 */
import { fileURLToPath } from 'node:url';
import { JsonFileTenantSource, OpenAIRealtimeProvider, ScriptedProvider, loadConfig } from 'freeswitch-voice-ai';
import { createSecretaryServer } from './secretary.js';

/** A pino-shaped logger over the console: `(fields, message)` or `(message)`. */
const line =
  (write: (text: string) => void) =>
  (a: unknown, b?: string): void =>
    write(typeof a === 'string' ? a : `${b ?? ''} ${JSON.stringify(a)}`);
const logger = { debug: () => {}, info: line(console.log), warn: line(console.warn), error: line(console.error) };
const config = loadConfig(process.env, { logger });
const tenants = new JsonFileTenantSource(process.env.SECRETARY_TENANTS ?? fileURLToPath(new URL('./tenants.example.json', import.meta.url)), { logger });

const server = createSecretaryServer({
  tenants,
  provider: (profile) =>
    process.env.OPENAI_API_KEY
      ? new OpenAIRealtimeProvider({ logger })
      : new ScriptedProvider({ greeting: profile.greeting, turns: [{ say: 'One moment, please.' }] }),
  onMessage: (m) => logger.info(`message for ${m.for} from ${m.callerIdNumber}: ${m.text}`),
  onSession: (session, call) => {
    session.on('transcript', (t) => logger.info(`[${call.uuid.slice(0, 8)}] ${t.role}: ${t.text}`));
    session.on('ended', ({ reason }) => logger.info(`[${call.uuid.slice(0, 8)}] ended: ${reason}`));
  },
  server: { ...config.server, logger },
  logger,
});
server.on('error', (e) => logger.error(e.message));
const { address, port } = await server.listen();
logger.info(`secretary listening on ${address}:${port} — dialplan: <action application="socket" data="${address}:${port} async full"/>`);
