/**
 * `npm run secretary`: the secretary serving real calls, configured from the environment.
 *
 * - `ESL_HOST`, `ESL_PORT`, `ESL_PASSWORD`: FreeSWITCH's event socket (originate, bridge).
 * - `ESL_SERVER_HOST`, `ESL_SERVER_PORT`, `ESL_MAX_CONNECTIONS`: where FreeSWITCH's `socket` connects.
 * - `SECRETARY_SOCKET_ADDRESS`: `host:port` FreeSWITCH uses to reach this service (Docker, NAT).
 * - `RTP_PORT_MIN`, `RTP_PORT_MAX`, `RTP_BIND_ADDRESS`, `RTP_JITTER_*`: call audio.
 * - `RTP_ADVERTISE_ADDRESS`: the address FreeSWITCH sends call audio to (default: ours as it connected).
 * - `AUDIO_MODE`: `rtp` (FreeSWITCH's `unicast` over UDP, the default), `websocket`
 *   (`mod_audio_stream` / `mod_audio_fork` to `VOICE_AI_REALTIME_PORT`) or `dual` (the dialplan chooses).
 * - `DATABASE_URL`: FusionPBX's PostgreSQL. Else `SECRETARY_TENANTS` (a JSON file), else an
 *   embedded PGlite with the sample tenants (`SECRETARY_DATA_DIR` keeps it on disk).
 * - `OPENAI_API_KEY`, `GEMINI_API_KEY`: the providers (without a key a scripted voice answers).
 * - `SECRETARY_WEBHOOK_URL` (+ `SECRETARY_WEBHOOK_SECRET`): where every message is posted.
 * - `SECRETARY_UNKNOWN_PROMPT`, `SECRETARY_UNKNOWN_TRANSFER`: calls nobody configured.
 * - `LOG_LEVEL`: debug, info (default), warn, error.
 */
import { type CallTransportOptions, ConfigError, EslClientPool, loadConfig, type VoiceAiConfig } from 'freeswitch-voice-ai';
import { consoleLogger } from './console-logger.js';
import { openDatabase } from './db/open.js';
import { SqlSecretaryStore } from './db/sql-store.js';
import { JsonSecretaryStore } from './json-store.js';
import { webhookPoster } from './messages.js';
import { configuredProviders } from './providers.js';
import { createSecretaryServer } from './server.js';
import type { SecretaryStore } from './store.js';

const env = process.env;
const logger = consoleLogger(env.LOG_LEVEL);

/**
 * The call audio for `AUDIO_MODE`: every session (the caller's and the briefing before an
 * announced transfer) starts its transport with these options — `unicast` to the RTP range, or a
 * `mod_audio_stream`/`mod_audio_fork` stream to the SDK's WebSocket media server. `esl` carries
 * no audio: a secretary cannot work with it.
 */
function mediaFor(config: VoiceAiConfig): CallTransportOptions {
  if (config.audioMode === 'esl') {
    throw new ConfigError('AUDIO_MODE=esl carries no call audio; the secretary needs rtp, websocket or dual', 'AUDIO_MODE', config.audioMode);
  }
  return {
    mode: config.audioMode,
    jitter: config.rtp.jitter,
    ...(env.RTP_ADVERTISE_ADDRESS && { advertiseAddress: env.RTP_ADVERTISE_ADDRESS }),
    logger,
  };
}

async function openStore(): Promise<SecretaryStore> {
  if (env.DATABASE_URL) return new SqlSecretaryStore(await openDatabase({ url: env.DATABASE_URL }), logger);
  if (env.SECRETARY_TENANTS) return JsonSecretaryStore.open(env.SECRETARY_TENANTS, { recordsFile: env.SECRETARY_RECORDS, logger });
  logger.warn('no DATABASE_URL and no SECRETARY_TENANTS: embedded database with the sample tenants (ACME, Globex)');
  return new SqlSecretaryStore(await openDatabase({ dataDir: env.SECRETARY_DATA_DIR }), logger);
}

async function main(): Promise<void> {
  const config = loadConfig(env, { logger });
  const media = mediaFor(config);
  const store = await openStore();
  const esl = new EslClientPool({ defaults: config.esl, logger });
  const webhook = env.SECRETARY_WEBHOOK_URL;
  const server = createSecretaryServer({
    store,
    // One FreeSWITCH for every tenant (FusionPBX); route per tenant here for several.
    esl: () => esl.getDefault(),
    provider: configuredProviders({ openai: env.OPENAI_API_KEY, gemini: env.GEMINI_API_KEY ?? env.GOOGLE_API_KEY, logger }),
    onMessage: [
      (m) => logger.info({ id: m.id, for: m.destination?.name ?? m.recipient, from: m.callbackNumber, urgency: m.urgency }, `message: ${m.reason}`),
      webhookPoster((m) => webhook ?? undefined, { secret: env.SECRETARY_WEBHOOK_SECRET, logger }),
    ],
    onCall: (r) => logger.info({ call: r.callUuid, outcome: r.outcome, latenciesMs: r.turnLatenciesMs }, r.summary),
    onSession: (session, call, role) => {
      session.on('transcript', (t) => logger.info({ call: call.uuid.slice(0, 8), role }, `${t.role}: ${t.text}`));
      session.on('error', (e) => logger.warn({ call: call.uuid.slice(0, 8), err: e.message }, 'session error'));
    },
    unknownCall: { prompt: env.SECRETARY_UNKNOWN_PROMPT, transfer: env.SECRETARY_UNKNOWN_TRANSFER },
    socketAddress: env.SECRETARY_SOCKET_ADDRESS,
    server: { ...config.server, logger },
    media,
    logger,
  });
  server.on('error', (e) => logger.error({ err: e.message }, 'secretary server error'));
  const { address, port } = await server.listen();
  logger.info(`secretary listening on ${address}:${port}; dialplan: npx freeswitch-voice-ai dialplan --number 8000 --socket <this host>:${port}`);
  const stop = async (): Promise<void> => {
    logger.info('stopping: no new calls; the calls in progress have 30 s to finish');
    await server.close({ drainTimeout: 30_000 });
    await esl.close();
    await store.close();
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

main().catch((error: unknown) => {
  logger.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
