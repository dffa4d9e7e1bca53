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
export { type Env, DEFAULTS, loadConfig, type LoadConfigOptions } from './env.js';
export { BUILT_IN_CONFIG, type DefaultConfigSource, getDefaultConfig, setDefaultConfig } from './defaults.js';
export {
  AUDIO_MODES,
  type AudioMode,
  type EslSettings,
  type JitterSettings,
  type OutboundServerSettings,
  type RtpSettings,
  type VoiceAiConfig,
  type WebSocketSettings,
} from './settings.js';
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
