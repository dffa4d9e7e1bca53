/**
 * The Event Socket layer: wire protocol, inbound client, outbound server.
 *
 * @module
 */
export * from './api-commands.js';
export { BackgroundJob, type BackgroundJobResult } from './background-jobs.js';
export { AsyncESLClient, type AsyncESLClientOptions, type BgapiOptions, type EslClientEvents } from './client.js';
export * from './commands.js';
export {
  type CommandOptions,
  type ConnectionHandler,
  type ConnectionStats,
  EslConnection,
  type EslConnectionOptions,
  type EslLogLine,
} from './connection.js';
export { EslEvent, type EventFormat, parseJsonEvent, parsePlainEvent, parseXmlEvent } from './event.js';
export {
  type EventHandler,
  EventRouter,
  type EventSelector,
  EventStream,
  type EventStreamOptions,
  type WaitForEventOptions,
} from './event-router.js';
export {
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_HEADER_BYTES,
  type EslFrame,
  FrameParser,
  type FrameParserOptions,
} from './frame-parser.js';
export { type Headers, LazyHeaders, MapHeaders } from './header-block.js';
export { LazyJsonHeaders, MAX_JSON_EVENT_DEPTH, jsonNestingExceeds } from './json-headers.js';
export * from './originate.js';
export { EslReply } from './reply.js';
export { urlDecode, urlEncode } from './url-codec.js';
export type { HangupInfo } from './call-state.js';
export { ChannelData, type ChannelCodec, type ChannelSwitchIdentity } from './channel-data.js';
export { type AllowList, compileAllowList } from './ip-allowlist.js';
export {
  type CallHandoff,
  type ExecuteCallOptions,
  OutboundCall,
  type OutboundCallEvents,
  type OutboundCallOptions,
  type UnicastOptions,
} from './outbound-call.js';
export {
  createOutboundServer,
  type OutboundCallHandler,
  OutboundServer,
  type OutboundServerEvents,
  type OutboundServerOptions,
  type OutboundServerStats,
  type RejectReason,
} from './outbound-server.js';
export { DEFAULT_MAX_HANDSHAKE_BYTES, DEFAULT_MAX_PENDING_HANDSHAKE_BYTES } from './handshake-budget.js';
export { type OutboundShutdownOptions, type OutboundShutdownReport, type TransferTarget } from './outbound-shutdown.js';
export {
  type EslNodeConfig,
  EslNode,
  type EslNodeEvents,
  type EslNodeHealth,
  type EslNodeIdentity,
  type EslNodeState,
} from './esl-node.js';
export {
  EslPool,
  type EslPoolEvents,
  type EslPoolOptions,
  type PoolCommandInfo,
  type PoolOriginateOptions,
  type RouteOptions,
} from './esl-pool.js';
export {
  OriginateLimiter,
  type OriginateLimiterOptions,
  type OriginateLimitMode,
  type OriginateRunOptions,
} from './originate-limiter.js';
