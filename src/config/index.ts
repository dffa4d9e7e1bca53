/**
 * Configuration from the environment, tenants, and the process-wide `EslPool`.
 *
 * @module
 */
export {
  configureEslPool,
  EslClientPool,
  type EslClientPoolOptions,
  getEslClient,
  getEslForDomain,
  getEslPool,
} from './client-pool.js';
export {
  AUDIO_MODES,
  type AudioMode,
  type Env,
  DEFAULTS,
  type EslSettings,
  type JitterSettings,
  loadConfig,
  type LoadConfigOptions,
  type OutboundServerSettings,
  type RtpSettings,
  type VoiceAiConfig,
  type WebSocketSettings,
} from './env.js';
export {
  endpointKey,
  type EslEndpoint,
  InMemoryTenantSource,
  JsonFileTenantSource,
  type JsonFileTenantSourceOptions,
  resolveEndpoint,
  type TenantConfig,
  type TenantConfigSource,
  type TenantList,
  validateTenant,
} from './tenants.js';
