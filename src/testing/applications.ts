/**
 * Built-in simulated applications: `answer`, `set`, `export`, `unset`, `sleep`, `echo`,
 * `playback` (tones and silence last as long as they would; files end at once).
 *
 * @module
 */
import type { SimulatedChannel } from './channel-model.js';
import type { ApplicationHandler } from './switch-core.js';

/**
 * The applications the simulator knows besides `park`, `hangup` (built into the core) and those
 * passed in the options. An unknown application completes at once with `_none_`.
 */
export const BUILTIN_APPLICATIONS: Readonly<Record<string, ApplicationHandler>> = {
  answer: ({ channel, core }) => core.answer(channel),
  set: ({ channel, data }) => setFromData(channel, data),
  export: ({ channel, data }) => setFromData(channel, data),
  unset: ({ channel, data }) => channel.setVariable(data, undefined),
  sleep: ({ data }) => ({ durationMs: Number(data) || 0 }),
  echo: () => ({ durationMs: Infinity }),
  playback: ({ channel, data }) => {
    const ms = playbackMs(data);
    const started = Date.now();
    return {
      durationMs: ms,
      onEnd: (how) => {
        const played = how === 'done' ? ms : Math.min(Date.now() - started, ms);
        const samples = String(Math.round(played * 8));
        channel.setVariable('playback_last_offset_pos', samples);
        channel.setVariable('playback_seconds', String(Math.floor(played / 1000)));
        channel.setVariable('playback_ms', String(Math.round(played)));
        channel.setVariable('playback_samples', samples);
        return how === 'hangup' && ms === Infinity ? 'PLAYBACK ERROR' : 'FILE PLAYED';
      },
    };
  },
};

/**
 * How long `playback` of `path` lasts in the simulator: `tone_stream://%(on,off,..)` plays its
 * tones (`;loops=N`, -1 forever), `silence_stream://N` N ms; files end at once.
 */
export function playbackMs(path: string): number {
  const loops = /;loops=(-?\d+)/.exec(path);
  if (loops?.[1] === '-1') return Infinity;
  const silence = /^silence_stream:\/\/(-?\d+)/.exec(path);
  if (silence) return Number(silence[1]) < 0 ? Infinity : Number(silence[1]);
  let ms = 0;
  if (path.startsWith('tone_stream://')) for (const m of path.matchAll(/%\((\d+),(\d+)/g)) ms += Number(m[1]) + Number(m[2]);
  return ms * (loops ? Math.max(1, Number(loops[1])) : 1);
}

function setFromData(channel: SimulatedChannel, data: string): void {
  const eq = data.indexOf('=');
  if (eq > 0) channel.setVariable(data.slice(0, eq), data.slice(eq + 1));
}
