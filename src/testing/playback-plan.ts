/**
 * What a simulated `playback <data>` plays and for how long, parsed the way mod_dptools and
 * `switch_ivr_play_file` read it: `<path>@@<samples>` starts into the file, `file_string://a!b`
 * plays each file in turn, `{name=value,...}path` carries parameters, a relative path gets the
 * channel's `sound_prefix`; then each file's length: `tone_stream://` its tones (`;loops=N`,
 * -1 forever), `silence_stream://N` N ms (negative: forever), `local_stream://` forever, a WAV
 * the simulator can read its real length, anything else {@link PlaybackOptions.defaultMs}.
 *
 * @module
 */
import { basename, dirname, isAbsolute, join } from 'node:path';
import type { HeaderPairs } from './event-templates.js';
import { wavLength } from './wav-duration.js';

/** How the simulator decides how long a `playback` lasts. */
export interface PlaybackOptions {
  /**
   * Ms a file lasts when the simulator cannot know its length (a file it cannot read, not a
   * WAV, `say:`, a URL). Default {@link DEFAULT_PLAYBACK_MS}; 0 ends such a playback at once.
   */
  defaultMs?: number;
  /**
   * FreeSWITCH's `sounds_dir`: a relative path (`ivr/ivr-welcome.wav`) is looked up there, as
   * `<dir>/<rate>/<file>` first (FreeSWITCH's sound layout) then `<dir>/<file>`. Without it only
   * absolute paths are read.
   */
  soundsDir?: string;
  /** Your own lengths, asked first for every file: ms (`Infinity`: until broken), or `undefined` to let the simulator decide. */
  durationOf?: (path: string) => number | undefined;
}

/** The length of a file the simulator cannot know, by default: a short prompt. */
export const DEFAULT_PLAYBACK_MS = 1000;

/** One file of a playback. */
export interface PlaybackSegment {
  /** `Playback-File-Path`: the path as FreeSWITCH opens it (prefix applied, `@@` removed). */
  path: string;
  /** How long it plays, ms (`Infinity`: until broken or hung up). */
  ms: number;
  /** The rate `playback_samples` counts at (the file's own, or the channel's). */
  rate: number;
  /** `Playback-File-Type` (`tone_stream`, `local_stream`), when FreeSWITCH writes one. */
  fileType?: string;
  /** `{name=value}` parameters, merged into `PLAYBACK_START` / `PLAYBACK_STOP`. */
  params: HeaderPairs;
}

/**
 * The files `playback <data>` plays on a channel whose variables are `variables`, with their
 * lengths (see the module summary for the rules).
 */
export function playbackPlan(data: string, variables: ReadonlyMap<string, string>, options: PlaybackOptions = {}): PlaybackSegment[] {
  const rate = Number(variables.get('read_rate')) || 8000;
  // playback_function: `file@@N` starts N samples into the file.
  let file = data;
  let skipSamples = 0;
  const at = file.indexOf('@@');
  if (at !== -1) {
    skipSamples = Number.parseInt(file.slice(at + 2), 10) || 0;
    file = file.slice(0, at);
  }
  const parts = file.startsWith('file_string://') ? file.slice(14).split('!').filter((p) => p !== '') : [file];
  const prefix = variables.get('sound_prefix');
  return parts.map((part, i) => {
    const segment = resolveSegment(part, prefix, rate, options);
    if (i === 0 && skipSamples > 0 && Number.isFinite(segment.ms)) segment.ms = Math.max(0, segment.ms - (skipSamples * 1000) / segment.rate);
    return segment;
  });
}

function resolveSegment(part: string, prefix: string | undefined, channelRate: number, options: PlaybackOptions): PlaybackSegment {
  let path = part;
  const params: HeaderPairs = [];
  if (path.startsWith('{')) {
    const end = path.indexOf('}');
    if (end !== -1) {
      for (const pair of path.slice(1, end).split(',')) {
        const eq = pair.indexOf('=');
        if (eq > 0) params.push([pair.slice(0, eq), pair.slice(eq + 1)]);
      }
      path = path.slice(end + 1);
    }
  }
  const isUrl = path.includes('://');
  if (prefix && !isUrl && !isAbsolute(path)) path = `${prefix}/${path}`;
  const base = { path, rate: channelRate, params };
  const own = options.durationOf?.(path);
  if (own !== undefined) return { ...base, ms: Math.max(0, own) };
  if (path.startsWith('tone_stream://')) return { ...base, ms: toneMs(path), fileType: 'tone_stream' };
  if (path.startsWith('silence_stream://')) {
    const ms = Number.parseInt(path.slice(17), 10) || 0;
    return { ...base, ms: ms < 0 ? Infinity : ms };
  }
  if (path.startsWith('local_stream://')) return { ...base, ms: Infinity, fileType: 'local_stream' };
  const wav = isUrl ? undefined : findWav(path, channelRate, options.soundsDir);
  if (wav) return { ...base, ms: wav.ms, rate: wav.sampleRate };
  return { ...base, ms: Math.max(0, options.defaultMs ?? DEFAULT_PLAYBACK_MS) };
}

/** `tone_stream://%(on,off,hz)...;loops=N`: the sum of its on/off times, N times (-1: forever). */
function toneMs(path: string): number {
  const loops = /;loops=(-?\d+)/.exec(path);
  if (loops?.[1] === '-1') return Infinity;
  let ms = 0;
  for (const m of path.matchAll(/%\((\d+),(\d+)/g)) ms += Number(m[1]) + Number(m[2]);
  return ms * (loops ? Math.max(1, Number(loops[1])) : 1);
}

/** mod_sndfile's lookup: `<dir>/<rate>/<file>` first, then the path itself (under `soundsDir` when relative). */
function findWav(path: string, rate: number, soundsDir: string | undefined): ReturnType<typeof wavLength> {
  if (!/\.wav$/i.test(path)) return undefined;
  const full = isAbsolute(path) ? path : soundsDir === undefined ? undefined : join(soundsDir, path);
  if (full === undefined) return undefined;
  return wavLength(join(dirname(full), String(rate), basename(full))) ?? wavLength(full);
}
