/**
 * Voice activity from audio energy: RMS per 20 ms frame against a threshold, with a start
 * delay and a hangover so short clicks and pauses between words do not flip the state.
 *
 * @module
 */
import { alawDecode, ulawDecode } from '../../media/g711.js';
import { pcmFromLE } from '../../media/pcm.js';
import type { AudioFormat } from '../audio-format.js';

/** Options of {@link EnergyVad}. */
export interface EnergyVadOptions {
  /** Level above which a frame counts as speech, dBFS. Default -40. */
  thresholdDb?: number;
  /** Speech must last this long to start a turn, ms. Default 60. */
  startMs?: number;
  /** Silence must last this long to end it, ms. Default 400. */
  hangoverMs?: number;
  /** Frame duration, ms. Default 20. */
  frameMs?: number;
}

/** What a frame changed. */
export type VadTransition = 'start' | 'stop' | undefined;

/** Level of 16-bit samples, dBFS (-Infinity for digital silence). */
export function levelDb(samples: Int16Array): number {
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i]! * samples[i]!;
  const rms = Math.sqrt(sum / Math.max(1, samples.length));
  return 20 * Math.log10(rms / 32768);
}

/** Tracks speech / silence frame by frame. */
export class EnergyVad {
  /** The caller is speaking. */
  speaking = false;
  private readonly threshold: number;
  private readonly startFrames: number;
  private readonly stopFrames: number;
  private above = 0;
  private below = 0;

  constructor(options: EnergyVadOptions = {}) {
    const frameMs = options.frameMs ?? 20;
    this.threshold = options.thresholdDb ?? -40;
    this.startFrames = Math.max(1, Math.round((options.startMs ?? 60) / frameMs));
    this.stopFrames = Math.max(1, Math.round((options.hangoverMs ?? 400) / frameMs));
  }

  /** Feeds one frame; returns `start` or `stop` when the state changes. */
  push(samples: Int16Array): VadTransition {
    if (levelDb(samples) > this.threshold) {
      this.above++;
      this.below = 0;
      if (!this.speaking && this.above >= this.startFrames) {
        this.speaking = true;
        return 'start';
      }
    } else {
      this.below++;
      this.above = 0;
      if (this.speaking && this.below >= this.stopFrames) {
        this.speaking = false;
        return 'stop';
      }
    }
    return undefined;
  }

  /** Feeds one frame as it travels (G.711 or little-endian PCM16 in `format`). */
  pushEncoded(frame: Uint8Array, format: AudioFormat | undefined): VadTransition {
    const encoding = format?.encoding;
    return this.push(encoding === 'mulaw' ? ulawDecode(frame) : encoding === 'alaw' ? alawDecode(frame) : pcmFromLE(frame));
  }

  /** Back to silence. */
  reset(): void {
    this.speaking = false;
    this.above = 0;
    this.below = 0;
  }
}
