/**
 * What every call of one secretary server shares: the store, the FreeSWITCH event socket of each
 * tenant, the provider factory, the consult registry, hooks, the clock, the logger.
 */
import type { AsyncESLClient, CallTransportOptions, Logger, OutboundCall, RealtimeProvider, RealtimeSession } from 'freeswitch-voice-ai';
import type { ConsultRegistry } from './consults.js';
import type { MessageHook } from './messages.js';
import type { Secretary } from './profile.js';
import type { CallRecord, SecretaryStore } from './store.js';

/** Which conversation a provider is for: the caller, or the person briefed before a transfer. */
export type SessionRole = 'caller' | 'consult';

/** Builds the speech-to-speech provider of one conversation. */
export type ProviderFactory = (secretary: Secretary, call: OutboundCall, role: SessionRole) => RealtimeProvider;

/** Shared by every call of a server. */
export interface SecretaryRuntime {
  readonly store: SecretaryStore;
  /** The connected event-socket client of the FreeSWITCH a tenant lives on (originate, uuid_bridge). */
  readonly esl: (secretary: Secretary) => Promise<AsyncESLClient>;
  readonly provider: ProviderFactory;
  readonly consults: ConsultRegistry;
  /** Where FreeSWITCH reaches this server for consult legs (`host:port`), given a call it sent here. */
  readonly socketAddress: (call: OutboundCall) => string;
  readonly media: CallTransportOptions | undefined;
  readonly messageHooks: readonly MessageHook[];
  readonly onSession: ((session: RealtimeSession, call: OutboundCall, role: SessionRole) => void) | undefined;
  readonly onCall: ((record: CallRecord) => void) | undefined;
  /** The clock business hours are evaluated with (records use the real time). */
  readonly now: () => Date;
  readonly logger: Logger;
}
