/**
 * Where the secretary's configuration and records live, behind one interface: FusionPBX's
 * PostgreSQL or embedded PGlite ({@link SqlSecretaryStore}), or a JSON file
 * ({@link JsonSecretaryStore}). Implement it over anything else.
 */
import type { TransferDestination } from './destinations.js';
import type { Secretary } from './profile.js';

/** How urgent a message is. */
export type Urgency = 'low' | 'normal' | 'high' | 'urgent';

/** A message a caller left for someone. */
export interface TakenMessage {
  domainUuid: string;
  secretaryUuid: string;
  /** The record of the call it was taken on. */
  conversationId: string | undefined;
  callUuid: string;
  /** The company of the secretary that took it. */
  company: string;
  /** Whom it is for, as the caller said it ("Maria", "sales"). */
  recipient: string | undefined;
  /** The destination that matched, if any. */
  destination: { id: string; name: string; number: string } | undefined;
  callerName: string | undefined;
  /** A number to call back: what the caller gave, else their caller ID. */
  callbackNumber: string | undefined;
  /** The message, in the caller's words. */
  reason: string;
  urgency: Urgency;
  takenAt: Date;
}

/** How a call ended for the secretary. */
export type CallOutcome = 'answered' | 'transferred' | 'message' | 'abandoned';

/** One transcript line. */
export interface TranscriptLine {
  /** Ms since the call started. */
  atMs: number;
  role: 'user' | 'assistant';
  text: string;
}

/** Everything kept about one call. */
export interface CallRecord {
  /** `voice_conversation_uuid`, chosen when the call starts (messages refer to it). */
  id: string;
  domainUuid: string;
  secretaryUuid: string;
  callUuid: string;
  callerIdNumber: string | undefined;
  callerIdName: string | undefined;
  startedAt: Date;
  endedAt: Date;
  outcome: CallOutcome;
  /** One or two sentences: who called, what for, what happened. */
  summary: string;
  transcript: TranscriptLine[];
  /** Per caller turn: ms from the caller stopping to the first audio of the answer. */
  turnLatenciesMs: number[];
  /** Where the caller went, when transferred. */
  transfer: { number: string; name: string; department: string | undefined; mode: 'announced' | 'blind' } | undefined;
  /** The provider's name (`openai`, `scripted`, ...). */
  provider: string;
}

/** Which secretary a call is for. */
export interface SecretaryQuery {
  /** The tenant (`domain_uuid`); or, when the channel has none, its domain name. */
  domainUuid?: string;
  domainName?: string;
  /** `secretary_uuid` from the dialplan. */
  secretaryUuid?: string;
  /** The number dialled: finds the secretary by its `extension` when no `secretary_uuid` is set. */
  extension?: string;
}

/** Configuration in, records out. */
export interface SecretaryStore {
  /** The enabled secretary the call is for, or `undefined` (unknown tenant or secretary). */
  findSecretary(query: SecretaryQuery): Promise<Secretary | undefined>;
  /** The secretary's destinations, then the tenant's visible extensions. */
  directory(secretary: Secretary): Promise<TransferDestination[]>;
  /** Stores a message; resolves with its id. */
  saveMessage(message: TakenMessage): Promise<string>;
  /** Marks a message delivered (the webhook took it). */
  markDelivered(messageId: string): Promise<void>;
  /** Stores a call's record and transcript. */
  saveCall(record: CallRecord): Promise<void>;
  close(): Promise<void>;
}
