/**
 * Configuration from the environment, tenants, and the shared client pool.
 *
 * @module
 */
export {
  configureEslPool,
  EslClientPool,
  type EslClientPoolOptions,
  type EslEndpoint,
  endpointKey,
  getEslClient,
  getEslForDomain,
} from './client-pool.js';
export {
  type AudioMode,
  type Env,
  DEFAULTS,
  type EslSettings,
  loadConfig,
  type OutboundServerSettings,
  type RtpSettings,
  type VoiceAiConfig,
} from './env.js';
export { InMemoryTenantSource, JsonFileTenantSource, type TenantConfig, type TenantConfigSource, validateTenant } from './tenants.js';
