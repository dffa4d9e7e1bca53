/**
 * Test tooling: a FreeSWITCH simulator that speaks the Event Socket protocol over real TCP,
 * byte for byte as FreeSWITCH does, and a server that replays recorded conversations.
 *
 * @module
 */
export { CaptureReplayServer, type Capture, type CaptureStep } from './capture-replay.js';
export { type ChannelInit, type ChannelStateName, SimulatedChannel } from './channel.js';
export { cleanupSeparated, parseDialString, parseOriginateLine, type ParsedDialString, separateBlank, separateChar } from './dial-string.js';
export { CALLING_SITES, type CallingSite, EventFactory, type HeaderPairs } from './event-factory.js';
export { type SimulatedEvent, SimulatedListener } from './listener.js';
export {
  type CommandHookResult,
  FreeSwitchSimulator,
  type FreeSwitchSimulatorEvents,
  type FreeSwitchSimulatorOptions,
  type ReceivedCommand,
} from './simulator.js';
export { defaultOriginateRule, type EventSink, type OriginateRule, SwitchCore } from './switch-core.js';
