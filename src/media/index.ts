/**
 * Call audio: G.711, PCM, resampling, RTP, jitter buffer, pacing, ports, the UDP bridge and the
 * WebSocket transport behind one contract ({@link MediaTransport}). RTCP reports and werift-rtp
 * `RtpPacket` interop are in `freeswitch-voice-ai/rtcp` (they need the optional peer dependency
 * `werift-rtp`).
 *
 * @module
 */
export * from './answer-file-writers.js';
export * from './answer-sink.js';
export * from './audio-format.js';
export * from './audio-stream-modules.js';
export * from './binary-answer.js';
export * from './call-media.js';
export * from './file-answer.js';
export * from './g711.js';
export * from './jitter-buffer.js';
export * from './kernel-udp-stats.js';
export { InterarrivalJitter } from './jitter-estimator.js';
export { MediaClock, getMediaClock, type MediaClockOptions, type MediaClockStats, type TickHandler } from './media-clock.js';
export * from './media-transport.js';
export * from './pacer.js';
export * from './pcm.js';
export * from './port-allocator.js';
export * from './resampler.js';
export * from './rtp-bridge.js';
export * from './rtp-header.js';
export * from './rtp-sender.js';
export {
  defaultSharedMediaSocket,
  defaultUnicastPorts,
  UnicastPortPool,
  type UnicastPortPoolOptions,
} from './shared-media-defaults.js';
export * from './shared-media-socket.js';
export * from './stream-receiver.js';
export * from './telephone-event.js';
export * from './udp-send-errors.js';
export * from './wire-codec.js';
export * from './wire-transcoder.js';
export * from './ws-call-media.js';
export * from './ws-media-server.js';
export * from './ws-media-stream.js';
export * from './ws-media-transport.js';
