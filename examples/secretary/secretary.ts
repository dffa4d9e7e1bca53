/**
 * A multi-tenant virtual secretary, FusionPBX style, built only from freeswitch-voice-ai's public
 * API: FreeSWITCH hands each call to us with `domain_uuid` and `secretary_uuid` set; we look the
 * tenant and its secretary up, answer with a speech-to-speech AI, and transfer the caller to the
 * person they ask for, or take a message.
 */
import {
  type CallMediaOptions,
  type Logger,
  type OutboundCall,
  type OutboundServer,
  type OutboundServerOptions,
  type RealtimeProvider,
  type RealtimeSession,
  type TenantConfigSource,
  createOutboundServer,
  defineTool,
  hangupCallTool,
  silentLogger,
  startRealtimeSession,
  transferCallTool,
} from 'freeswitch-voice-ai';

/** One person or department the secretary can transfer to. */
export interface DirectoryEntry {
  /** Extension to transfer to. */
  extension: string;
  /** Who they are ("Maria, sales"): the model matches the caller's request against this. */
  description: string;
}

/** A secretary, as a tenant configures it (under `secretaries[secretary_uuid]` in the tenant). */
export interface SecretaryProfile {
  /** The company the secretary answers for. */
  company: string;
  /** BCP 47, e.g. `pt-BR`. */
  language?: string;
  voice?: string;
  /** What the secretary says first. */
  greeting: string;
  /** Extra instructions for this tenant. */
  instructions?: string;
  directory: DirectoryEntry[];
  /** Where callers go when the AI is unavailable. */
  operator?: string;
}

/** A message taken for someone. */
export interface TakenMessage {
  domainUuid: string;
  callerIdNumber: string | undefined;
  for: string;
  text: string;
  callbackNumber?: string;
}

/** Options of {@link createSecretaryServer}. */
export interface SecretaryOptions {
  /** Tenants (with their `secretaries`): a JSON file, or your database behind the interface. */
  tenants: TenantConfigSource;
  /** Builds the provider for a call (OpenAI, Gemini, the scripted one...). */
  provider: (profile: SecretaryProfile, call: OutboundCall) => RealtimeProvider;
  /** Stores a message (email it, save it, post it). */
  onMessage?: (message: TakenMessage) => Promise<void> | void;
  /** Called with each running session (logs, metrics). */
  onSession?: (session: RealtimeSession, call: OutboundCall) => void;
  server?: OutboundServerOptions;
  media?: CallMediaOptions;
  logger?: Logger;
}

/** The system prompt for a secretary. */
export function secretaryInstructions(profile: SecretaryProfile): string {
  const people = profile.directory.map((d) => `- ${d.description}: extension ${d.extension}`).join('\n');
  return [
    `You are the virtual secretary of ${profile.company}. Be brief, warm and professional.`,
    `Speak ${profile.language ?? 'the caller\u2019s language'}.`,
    'Find out whom the caller wants and transfer them with transfer_call. If that person is not in the',
    'directory or the caller prefers, take a message with take_message. End with hangup_call after goodbye.',
    `Directory:\n${people}`,
    profile.instructions ?? '',
  ].join('\n');
}

/** The outbound server that answers every call handed to it by the `socket` application. */
export function createSecretaryServer(options: SecretaryOptions): OutboundServer {
  const logger = options.logger ?? silentLogger;
  return createOutboundServer(options.server ?? {}, async (call) => {
    const domainUuid = call.channel.domainUuid;
    const secretaryUuid = call.channel.getVariable('secretary_uuid');
    const tenant = domainUuid ? await options.tenants.get(domainUuid) : undefined;
    const profile = (tenant?.secretaries as Record<string, SecretaryProfile> | undefined)?.[secretaryUuid ?? ''];
    if (!tenant || !profile) {
      logger.warn({ uuid: call.uuid, domainUuid, secretaryUuid }, 'no secretary configured for this call');
      await call.hangup('UNALLOCATED_NUMBER');
      return;
    }
    const takeMessage = defineTool({
      name: 'take_message',
      description: 'Take a message for someone who cannot answer now.',
      parameters: {
        type: 'object',
        properties: {
          for: { type: 'string', description: 'Who the message is for.' },
          text: { type: 'string', description: 'The message, in the caller\u2019s words.' },
          callback_number: { type: 'string', description: 'A number to call back, if given.' },
        },
        required: ['for', 'text'],
      },
      handler: async (args) => {
        await options.onMessage?.({ domainUuid: tenant.domainUuid, callerIdNumber: call.channel.callerIdNumber, for: args.for, text: args.text, callbackNumber: args.callback_number });
        return { saved: true };
      },
    });
    const session = await startRealtimeSession(call, {
      provider: options.provider(profile, call),
      instructions: secretaryInstructions(profile),
      greeting: `Greet the caller: "${profile.greeting}"`,
      voice: profile.voice,
      language: profile.language,
      tools: [transferCallTool({ allowed: profile.directory.map((d) => d.extension) }), takeMessage, hangupCallTool()],
      fallback: profile.operator ? { transfer: profile.operator } : undefined,
      media: options.media,
      logger,
    });
    options.onSession?.(session, call);
  });
}
