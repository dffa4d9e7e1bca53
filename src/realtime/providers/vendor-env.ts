/**
 * The one place the providers read the environment: their vendor's credentials (and Azure
 * OpenAI's endpoint), as the vendors' own SDKs do — `new OpenAIRealtimeProvider()` takes
 * `OPENAI_API_KEY` as `new OpenAI()` does. These are product configuration, not the SDK's
 * process settings (`loadConfig()` never reads them); every one is documented in
 * docs/configuration.md, and an option (`apiKey`, `agentId`, `azure.endpoint`, ...) always wins.
 *
 * @module
 */

/** Every variable a provider may read, documented in docs/configuration.md ("Voice AI providers"). */
export const VENDOR_VARIABLES = [
  'OPENAI_API_KEY',
  'AZURE_OPENAI_API_KEY',
  'AZURE_OPENAI_ENDPOINT',
  'OPENAI_API_VERSION',
  'GEMINI_API_KEY',
  'GOOGLE_API_KEY',
  'ELEVENLABS_AGENT_ID',
  'ELEVENLABS_API_KEY',
  'DEEPGRAM_API_KEY',
] as const;

/** One of {@link VENDOR_VARIABLES}. */
export type VendorVariable = (typeof VENDOR_VARIABLES)[number];

/** The variable's value; an empty value counts as unset. Read when called (a provider's constructor). */
export function vendorVariable(name: VendorVariable): string | undefined {
  const value = process.env[name];
  return value === undefined || value === '' ? undefined : value;
}
