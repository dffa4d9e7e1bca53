/**
 * `freeswitch-voice-ai/testing`: a FreeSWITCH to test your bot against, in-process and over real
 * sockets. {@link FreeSwitchSimulator} speaks the Event Socket byte for byte as FreeSWITCH does
 * (checked against recordings of a real one): inbound connections with `api`, `bgapi`, events
 * and filters; calls placed into your outbound server through the dialplan's `socket`
 * application, with DTMF, playback that lasts as long as its file, transfers, bridges and
 * hangups; an XML dialplan and registered phones; `unicast` audio over UDP
 * ({@link SimulatedUnicast}) and WebSocket streams as `mod_audio_stream` and `mod_audio_fork`
 * send them ({@link SimulatedAudioStreamModules}). {@link ManualClock} plays long prompts
 * without waiting; {@link recordingOf} writes what a call heard as a WAV. For protocol work,
 * {@link CaptureRecorder} records a real FreeSWITCH conversation and {@link CaptureReplayServer}
 * replays it.
 *
 * @categoryDescription Simulator
 * Stable: {@link FreeSwitchSimulator}, its options and events, {@link ManualClock}. The parts it
 * is built from ({@link SwitchCore}, {@link SimulatedListener}, the command handlers, the
 * dialplan and channel models) are exported for custom hosts and are experimental.
 *
 * @categoryDescription Simulated media
 * Experimental. `unicast` audio over UDP, `mod_audio_stream` / `mod_audio_fork` streams, and a
 * call's audio as a WAV.
 *
 * @categoryDescription Recordings
 * Experimental. Recording a real FreeSWITCH's Event Socket traffic, and replaying recordings
 * (Event Socket and WebSocket media) as a server.
 *
 * @module freeswitch-voice-ai/testing
 */export { BUILTIN_APPLICATIONS, playbackMs } from './applications.js';
export { playbackApplication, playbackTerminators } from './playback.js';
export { DEFAULT_PLAYBACK_MS, type PlaybackOptions, playbackPlan, type PlaybackSegment } from './playback-plan.js';
export { type WavLength, wavLength } from './wav-duration.js';
export { wavSamples } from './wav-samples.js';
export {
  type ApiAnswer,
  type ApiResult,
  defaultOriginateRule,
  ORIGINATE_USAGE,
  type OriginateRule,
  type PlaceCallOptions,
  placeInboundCall,
  type RingPlan,
  transfer,
} from './call-flows.js';
export {
  type Capture,
  type CaptureReplayEvents,
  type CaptureReplayOptions,
  CaptureReplayServer,
  type CaptureStep,
  replayCapture,
  type ReplayMismatch,
} from './capture-replay.js';
export {
  type CallerProfile,
  type CallStateName,
  type ChannelInit,
  CHANNEL_STATES,
  type ChannelStateName,
  Q850,
  type RunningApp,
  SimulatedChannel,
} from './channel-model.js';
export { channelRow, writeCdrVariables } from './channel-records.js';
export { cleanupSeparated, parseDialString, type ParsedDialString, parseOriginateLine, separateBlank, separateChar } from './dial-string.js';
export {
  CALLING_SITES,
  type CallingSite,
  canonicalEventName,
  EVENT_NAMES,
  EventFactory,
  EVENTS_WITH_VARIABLES,
  type HeaderPairs,
  type SwitchIdentity,
} from './event-templates.js';
export { CommandReader, MAX_CONTENT_LENGTH, READ_PACKET_MAX_LEN, type ReadCommand, type ReceivedCommand } from './command-reader.js';
export { applyMessage, channelDataReply, type CommandHost, handleCommand } from './inbound-commands.js';
export { headerOf, type QueuedCommand, SimulatedListener, toReceivedCommand } from './listener.js';
export { CaptureRecorder, type CaptureRecorderEvents, type CaptureRecorderOptions } from './capture-recorder.js';
export { FreeSwitchSimulator, STOP_GRACE_MS } from './simulator.js';
export { type ClockTimer, ManualClock, realClock, type SimulatorClock } from './simulator-clock.js';
export type { CommandHook, CommandHookResult, FreeSwitchSimulatorEvents, FreeSwitchSimulatorOptions } from './simulator-options.js';
export { API_COMMANDS, type ApiCommand, type ApiContext, bridge, expandVariables, sendDtmf } from './switch-api.js';
export {
  type ApplicationHandler,
  type ApplicationResult,
  defaultDialplan,
  type Dialplan,
  type DialplanStep,
  type EventSink,
  type SimulatedEvent,
  SwitchCore,
  type SwitchCoreOptions,
} from './switch-core.js';
export { DEFAULT_SOCKET_PORT, parseSocketTarget, parseSocketTargets, type SocketAttach, socketApplication, type SocketTarget } from './outbound-socket.js';
export { type ReceivedDatagram, SimulatedUnicast, type SimulatedUnicastOptions, type UnicastParams, unicastParams } from './unicast-media.js';
export {
  type SimulatedAudioStreamOptions,
  SimulatedAudioStreamModules,
  type SimulatedFilePlayback,
  separateArguments,
} from './audio-stream-simulator.js';
export { SimulatedAudioStream, type SimulatedStreamBehaviour, type SimulatedStreamMessage, type SimulatedStreamParams } from './simulated-audio-stream.js';
export { clientFrame, replayWsRecording, type WsRecordedMessage, type WsRecording, type WsReplayOptions, type WsReplayResult } from './ws-recording-replay.js';
export { type PhoneBehavior, type SimulatedPhone, SimulatedPhones, USER_NOT_REGISTERED } from './phones.js';
export { findElements, parseXml, unescapeXml, XmlDialplan, type XmlElement } from './xml-dialplan.js';
export { type CallRecording, recordingOf, wavFile } from './call-recording.js';
