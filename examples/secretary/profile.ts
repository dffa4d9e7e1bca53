/**
 * A secretary as the call flow uses it: everything a row of `v_voice_secretaries` (or an entry
 * of the JSON tenants file) configures, with defaults filled in and checked once.
 */
import { ConfigError, type Logger } from 'freeswitch-voice-ai';
import { type BusinessHours, parseBusinessHours } from './hours.js';

/** What to do when nobody can take the call: take a message, the operator's voicemail, or hang up. */
export type FallbackAction = 'ticket' | 'voicemail' | 'hangup';
/** Outside business hours: say so and take a message, voicemail, transfer to the operator, or hang up. */
export type AfterHoursAction = 'message' | 'voicemail' | 'transfer' | 'hangup';

/** One AI secretary of one tenant. */
export interface Secretary {
  /** `voice_secretary_uuid` (the `secretary_uuid` channel variable). */
  uuid: string;
  /** The tenant: FusionPBX's `domain_uuid`. */
  domainUuid: string;
  /** The tenant's domain name (`acme.example.com`): `user/1001@<domainName>`, the dialplan context. */
  domainName: string | undefined;
  /** The secretary's own name ("Ana"). */
  name: string;
  /** The company it answers for. */
  company: string;
  /** The extension that reaches it (when the dialplan sets no `secretary_uuid`). */
  extension: string | undefined;
  /** Extra instructions for the model (`personality_prompt`). */
  instructions: string;
  /** What it says. */
  messages: {
    greeting: string;
    farewell: string;
    fallback: string;
    transfer: string;
    afterHours: string;
    holdReturn: string;
  };
  /** BCP 47, e.g. `pt-BR`. */
  language: string;
  voice: string | undefined;
  /** `openai`, `gemini` or `scripted`. */
  provider: string;
  model: string | undefined;
  /** µ-law passthrough to the provider, or wideband PCM. */
  audioProfile: 'passthrough' | 'wideband';
  limits: {
    /** Caller turns before the secretary wraps up (takes a message or hands off). */
    maxTurns: number;
    /** Ms with nobody speaking before hanging up. */
    silenceTimeoutMs: number;
    /** Ms a call may last. */
    maxDurationMs: number;
  };
  /** Words that send the caller to the operator at once ("atendente", "operator"). */
  handoffKeywords: string[];
  /** The operator / reception extension. */
  operatorExtension: string | undefined;
  fallbackAction: FallbackAction;
  /** Topics the secretary can answer (services, hours, location, contact, prices, about). */
  businessInfo: Record<string, string>;
  /** `undefined`: always open. */
  hours: BusinessHours | undefined;
  afterHoursAction: AfterHoursAction;
  transfer: {
    /** Seconds a person's phone rings by default. */
    ringTimeoutSeconds: number;
    /** What the caller hears on hold (`local_stream://moh`). */
    musicOnHold: string;
    /** Extra instructions for briefing the person in an announced transfer. */
    briefing: string | undefined;
    /** Ms the person has to accept or decline once briefed. */
    decisionTimeoutMs: number;
  };
  /** Taken messages are also posted here (JSON). */
  webhookUrl: string | undefined;
}

/** A `v_voice_secretaries` row joined with its domain name (snake_case, as the query returns it). */
export type SecretaryRow = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined);
const num = (v: unknown, fallback: number): number => {
  const n = typeof v === 'string' ? Number(v) : typeof v === 'number' ? v : NaN;
  return Number.isFinite(n) && n > 0 ? n : fallback;
};
const oneOf = <T extends string>(v: unknown, allowed: readonly T[], fallback: T): T => (allowed.includes(v as T) ? (v as T) : fallback);

/**
 * Builds a {@link Secretary} from a row (or a JSON entry with the same snake_case fields). A
 * schedule that does not parse is logged and ignored (the secretary answers as if open): a
 * typo in the hours must not leave callers unanswered.
 */
export function secretaryFromRow(row: SecretaryRow, logger?: Logger): Secretary {
  const uuid = str(row.voice_secretary_uuid);
  const domainUuid = str(row.domain_uuid);
  if (!uuid || !domainUuid) throw new ConfigError('a secretary needs voice_secretary_uuid and domain_uuid', 'voice_secretary_uuid');
  const company = str(row.company_name) ?? str(row.secretary_name) ?? 'the company';
  const timezone = str(row.timezone) ?? 'America/Sao_Paulo';
  let hours: BusinessHours | undefined;
  try {
    hours = parseBusinessHours(row.business_hours, timezone, row.holidays, `secretary ${uuid} business_hours`);
  } catch (error) {
    logger?.warn({ secretary: uuid, err: (error as Error).message }, 'secretary: business hours ignored (always open)');
  }
  const info = row.business_info;
  const businessInfo: Record<string, string> = {};
  if (info && typeof info === 'object' && !Array.isArray(info)) {
    for (const [k, v] of Object.entries(info)) if (v !== null && v !== undefined && String(v).trim() !== '') businessInfo[k.toLowerCase()] = String(v);
  }
  return {
    uuid,
    domainUuid,
    domainName: str(row.domain_name),
    name: str(row.secretary_name) ?? 'the secretary',
    company,
    extension: str(row.extension),
    instructions: str(row.personality_prompt) ?? '',
    messages: {
      greeting: str(row.greeting_message) ?? `${company}, good day. How can I help you?`,
      farewell: str(row.farewell_message) ?? `Thank you for calling ${company}. Goodbye.`,
      fallback: str(row.fallback_message) ?? 'I am sorry, I cannot help with that. May I take a message?',
      transfer: str(row.transfer_message) ?? 'One moment, please.',
      afterHours: str(row.after_hours_message) ?? `${company} is closed right now.`,
      holdReturn: str(row.hold_return_message) ?? 'Thank you for holding.',
    },
    language: str(row.language) ?? 'pt-BR',
    voice: str(row.tts_voice_id),
    provider: str(row.realtime_provider) ?? 'openai',
    model: str(row.realtime_model),
    audioProfile: oneOf(row.audio_profile, ['passthrough', 'wideband'] as const, 'passthrough'),
    limits: {
      maxTurns: num(row.max_turns, 20),
      silenceTimeoutMs: num(row.silence_timeout_seconds, 30) * 1000,
      maxDurationMs: num(row.max_duration_seconds, 600) * 1000,
    },
    handoffKeywords: (str(row.handoff_keywords) ?? 'atendente,humano,pessoa,operador,operator,human')
      .split(',')
      .map((k) => k.trim().toLowerCase())
      .filter(Boolean),
    operatorExtension: str(row.transfer_extension),
    fallbackAction: oneOf(row.fallback_action, ['ticket', 'voicemail', 'hangup'] as const, 'ticket'),
    businessInfo,
    hours,
    afterHoursAction: oneOf(row.after_hours_action, ['message', 'voicemail', 'transfer', 'hangup'] as const, 'message'),
    transfer: {
      ringTimeoutSeconds: num(row.transfer_default_timeout, 30),
      musicOnHold: str(row.transfer_music_on_hold) ?? 'local_stream://moh',
      briefing: str(row.transfer_realtime_prompt),
      decisionTimeoutMs: num(row.transfer_realtime_timeout, 20) * 1000,
    },
    webhookUrl: str(row.webhook_url),
  };
}
