/**
 * A call's audio as the simulated FreeSWITCH heard it: what its `unicast` sent to the
 * application (the caller) and what it received (the application's answers), laid on one
 * timeline and written as a stereo WAV file — left the caller, right the application. Needs the
 * simulator's `recordAudio` option.
 *
 * @module
 */
import { ulawDecode, alawDecode } from '../media/g711.js';
import { pcmFromLE, pcmToLE } from '../media/pcm.js';
import type { SimulatedUnicast } from './unicast-media.js';

/** Two time-aligned 8 kHz tracks. */
export interface CallRecording {
  /** What FreeSWITCH sent to the application (the caller's side). */
  caller: Int16Array;
  /** What FreeSWITCH received from the application and played to the caller. */
  application: Int16Array;
  /** Length, ms. */
  durationMs: number;
}

const FRAME = 160;

/** One datagram as 160 samples (comfort noise, `0xFF` × 320, is silence). */
function decodeFrame(data: Uint8Array, codec: string, native: boolean): Int16Array {
  if (data.length === 320 && data.every((b) => b === 0xff)) return new Int16Array(FRAME);
  if (native && codec === 'PCMU') return ulawDecode(data);
  if (native && codec === 'PCMA') return alawDecode(data);
  return pcmFromLE(data);
}

/** Lays a unicast session's frames on a 20 ms grid from its start. */
export function recordingOf(session: SimulatedUnicast, codec = 'PCMU'): CallRecording {
  const start = session.startedAt;
  const slot = (at: number): number => Math.max(0, Math.round((at - start) / 20));
  // A loop, not Math.max(...frames): a long call has more frames than a call may take arguments.
  let last = 0;
  for (const f of session.sentFrames) last = Math.max(last, slot(f.at));
  for (const f of session.received) last = Math.max(last, slot(f.at));
  const caller = new Int16Array((last + 1) * FRAME);
  const application = new Int16Array((last + 1) * FRAME);
  for (const f of session.sentFrames) caller.set(decodeFrame(f.data, codec, session.params.native).subarray(0, FRAME), slot(f.at) * FRAME);
  // Received frames arrive paced at 20 ms but with jitter: keep their order, one slot each.
  let next = 0;
  for (const f of session.received) {
    const at = Math.max(slot(f.at), next);
    if (at > last) break;
    application.set(decodeFrame(f.data, codec, session.params.native).subarray(0, FRAME), at * FRAME);
    next = at + 1;
  }
  return { caller, application, durationMs: (last + 1) * 20 };
}

/** A 16-bit PCM WAV file of one or more equally long 8 kHz tracks (interleaved). */
export function wavFile(tracks: readonly Int16Array[], sampleRate = 8000): Buffer {
  const channels = tracks.length;
  const frames = Math.max(0, ...tracks.map((t) => t.length));
  const interleaved = new Int16Array(frames * channels);
  for (let i = 0; i < frames; i++) for (let c = 0; c < channels; c++) interleaved[i * channels + c] = tracks[c]![i] ?? 0;
  const data = pcmToLE(interleaved);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8);
  header.write('fmt ', 12);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(channels, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * channels * 2, 28);
  header.writeUInt16LE(channels * 2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}
