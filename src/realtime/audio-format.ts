/**
 * Audio formats on either side of a realtime session. They live in `media/` (the bridge and the
 * transports convert between them); this module re-exports them for the realtime side.
 *
 * @module
 */
export * from '../media/audio-format.js';
