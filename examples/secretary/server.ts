/**
 * The secretary's outbound server: FreeSWITCH's `socket` application connects here for every
 * call. Three kinds arrive — a doctor's probe, a consult leg of an announced transfer (routed to
 * the transfer waiting for it), and callers (the secretary answers them).
 */
import type { AddressInfo } from 'node:net';
import {
  type AsyncESLClient,
  type CallTransportOptions,
  createOutboundServer,
  type Logger,
  type OutboundCall,
  type OutboundServer,
  type OutboundServerOptions,
  type RealtimeSession,
  silentLogger,
} from 'freeswitch-voice-ai';
import { handleCaller, type UnknownCallPolicy } from './call-handler.js';
import { ConsultRegistry, CONSULT_VARIABLE } from './consults.js';
import { answerDoctorProbe, isDoctorProbe } from './doctor-probe.js';
import type { MessageHook } from './messages.js';
import type { Secretary } from './profile.js';
import type { ProviderFactory, SecretaryRuntime, SessionRole } from './runtime.js';
import type { CallRecord, SecretaryStore } from './store.js';

/** Options of {@link createSecretaryServer}. */
export interface SecretaryServerOptions {
  /** Tenants, secretaries, directory; where messages and call records go. */
  store: SecretaryStore;
  /** The connected event-socket client of a tenant's FreeSWITCH (e.g. an `EslClientPool`'s `forDomain`). */
  esl: (secretary: Secretary) => Promise<AsyncESLClient>;
  /** Builds each conversation's provider (see providers.ts). */
  provider: ProviderFactory;
  /** Called with every stored message (email, tickets...); a webhook poster is in messages.ts. */
  onMessage?: MessageHook | readonly MessageHook[];
  /** Called with every saved call record. */
  onCall?: (record: CallRecord) => void;
  /** Called with each session as it starts (logs, metrics). */
  onSession?: (session: RealtimeSession, call: OutboundCall, role: SessionRole) => void;
  /** Calls of unknown tenants or secretaries. */
  unknownCall?: UnknownCallPolicy;
  /**
   * Where FreeSWITCH reaches this server for the calls it places to people (announced
   * transfers): `host:port`. Default: our address on the caller's connection and our port.
   */
  socketAddress?: string;
  server?: OutboundServerOptions;
  media?: CallTransportOptions;
  /** The clock business hours are evaluated with. Default: now. */
  now?: () => Date;
  logger?: Logger;
}

/** The outbound server that answers every call handed to it. */
export function createSecretaryServer(options: SecretaryServerOptions): OutboundServer {
  const logger = options.logger ?? silentLogger;
  let server: OutboundServer;
  const rt: SecretaryRuntime = {
    store: options.store,
    esl: options.esl,
    provider: options.provider,
    consults: new ConsultRegistry(),
    socketAddress: (call) => {
      if (options.socketAddress) return options.socketAddress;
      const host = (call.localAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
      const port = (server.address() as AddressInfo | null)?.port ?? options.server?.port ?? 8022;
      return `${host.includes(':') ? `[${host}]` : host}:${port}`;
    },
    media: options.media,
    messageHooks: options.onMessage === undefined ? [] : Array.isArray(options.onMessage) ? options.onMessage : [options.onMessage as MessageHook],
    onSession: options.onSession,
    onCall: options.onCall,
    now: options.now ?? (() => new Date()),
    logger,
  };
  server = createOutboundServer({ logger, ...options.server }, async (call) => {
    if (isDoctorProbe(call)) return answerDoctorProbe(call);
    if (call.channel.getVariable(CONSULT_VARIABLE) !== undefined) {
      rt.consults.arrived(call);
      return;
    }
    await handleCaller(call, rt, options.unknownCall);
  });
  return server;
}
