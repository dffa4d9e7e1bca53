/**
 * Where an OpenAI Realtime session connects and how it authenticates: OpenAI's own endpoint
 * (`Authorization: Bearer`), or an Azure OpenAI deployment (`api-key` header; the GA path
 * `/openai/v1/realtime?model=<deployment>`, or for the beta dialect of Azure's preview API
 * versions `/openai/realtime?api-version=<v>&deployment=<deployment>`), as OpenAI's own SDK
 * builds them. Resolved once, when the provider is constructed: a missing key or endpoint is a
 * `ConfigError` naming the environment variable.
 *
 * @module
 * @internal
 */
import { ConfigError } from '../../errors.js';
import type { OpenAIApi } from './openai-events.js';
import { vendorVariable } from './vendor-env.js';

/** An Azure OpenAI Realtime deployment. */
export interface AzureOpenAIRealtimeOptions {
  /** The resource endpoint, e.g. `https://my-resource.openai.azure.com`. Default `AZURE_OPENAI_ENDPOINT`. */
  endpoint?: string;
  /** The deployment name of a realtime model. */
  deployment: string;
  /** `api-version` of the beta dialect (`api: 'beta'`). Default `OPENAI_API_VERSION`, else `2025-04-01-preview`. The GA path takes none. */
  apiVersion?: string;
}

/** The connection target of a provider. */
export interface OpenAIEndpoint {
  readonly url: string;
  /** Authentication (and dialect) headers; never logged. */
  readonly headers: Readonly<Record<string, string>>;
  /** For logs: `openai`, `azure` or `custom`. */
  readonly kind: 'openai' | 'azure' | 'custom';
}

const OPENAI_URL = 'wss://api.openai.com/v1/realtime';
const AZURE_BETA_API_VERSION = '2025-04-01-preview';

/**
 * The URL and headers for the given options.
 *
 * @throws {@link ConfigError} without a key (`OPENAI_API_KEY` / `AZURE_OPENAI_API_KEY`), an
 *   Azure endpoint (`AZURE_OPENAI_ENDPOINT`) or deployment, or for the beta dialect on OpenAI's
 *   own endpoint (turned off there in May 2026).
 */
export function resolveOpenAIEndpoint(options: { apiKey?: string; model: string; url?: string; api: OpenAIApi; azure?: AzureOpenAIRealtimeOptions }): OpenAIEndpoint {
  const beta: Record<string, string> = options.api === 'beta' ? { 'OpenAI-Beta': 'realtime=v1' } : {};
  if (options.azure) {
    const apiKey = options.apiKey ?? vendorVariable('AZURE_OPENAI_API_KEY');
    if (!apiKey) throw new ConfigError('no Azure OpenAI API key: set the AZURE_OPENAI_API_KEY environment variable or pass { apiKey }', 'AZURE_OPENAI_API_KEY');
    const headers = { 'api-key': apiKey, ...beta };
    if (options.url) return { url: options.url, headers, kind: 'custom' };
    const endpoint = options.azure.endpoint ?? vendorVariable('AZURE_OPENAI_ENDPOINT');
    if (!endpoint) throw new ConfigError('no Azure OpenAI endpoint: set AZURE_OPENAI_ENDPOINT or pass { azure: { endpoint } }', 'AZURE_OPENAI_ENDPOINT');
    if (!options.azure.deployment) throw new ConfigError('an Azure OpenAI realtime session needs the deployment name: { azure: { deployment } }', 'azure.deployment');
    return { url: azureUrl(endpoint, options.azure, options.api), headers, kind: 'azure' };
  }
  const apiKey = options.apiKey ?? vendorVariable('OPENAI_API_KEY');
  if (!apiKey) throw new ConfigError('no OpenAI API key: set the OPENAI_API_KEY environment variable or pass { apiKey }', 'OPENAI_API_KEY');
  const headers = { Authorization: `Bearer ${apiKey}`, ...beta };
  if (options.url) return { url: options.url, headers, kind: 'custom' };
  if (options.api === 'beta') {
    throw new ConfigError("OpenAI turned the beta Realtime interface off on its own endpoint in May 2026: use api: 'ga' (the default); 'beta' remains for Azure preview deployments and compatible servers (pass { url })", 'api', 'beta');
  }
  return { url: `${OPENAI_URL}?model=${encodeURIComponent(options.model)}`, headers, kind: 'openai' };
}

/** `wss://<resource>/openai/v1/realtime?model=<deployment>` (GA) or `.../openai/realtime?api-version=..&deployment=..` (beta). */
function azureUrl(endpoint: string, azure: AzureOpenAIRealtimeOptions, api: OpenAIApi): string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new ConfigError(`the Azure OpenAI endpoint "${endpoint}" is not a URL (e.g. https://my-resource.openai.azure.com)`, 'AZURE_OPENAI_ENDPOINT', endpoint);
  }
  url.protocol = url.protocol === 'http:' || url.protocol === 'ws:' ? 'ws:' : 'wss:';
  const base = url.pathname.replace(/\/+$/, '').replace(/\/openai(\/v1)?$/, '');
  url.search = '';
  url.hash = '';
  if (api === 'beta') {
    url.pathname = `${base}/openai/realtime`;
    url.searchParams.set('api-version', azure.apiVersion ?? vendorVariable('OPENAI_API_VERSION') ?? AZURE_BETA_API_VERSION);
    url.searchParams.set('deployment', azure.deployment);
  } else {
    url.pathname = `${base}/openai/v1/realtime`;
    url.searchParams.set('model', azure.deployment);
  }
  return url.toString();
}
