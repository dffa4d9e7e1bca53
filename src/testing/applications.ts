/**
 * Built-in simulated applications: `answer`, `set`, `export`, `unset`, `sleep`, `echo`,
 * `transfer`, `endless_playback` (until the call ends: a break only restarts its file),
 * `verbose_events`, and `playback` (as long as what it plays: see {@link playbackApplication}).
 *
 * @module
 */
import { transfer } from './call-flows.js';
import type { SimulatedChannel } from './channel-model.js';
import { playbackApplication } from './playback.js';
import { type PlaybackOptions, playbackPlan } from './playback-plan.js';
import type { ApplicationHandler } from './switch-core.js';

/**
 * The applications the simulator knows besides `park`, `hangup` (built into the core) and those
 * passed in the options. An unknown application completes at once with `_none_`. `playback`
 * here uses the default {@link PlaybackOptions} (the simulator's `playback` option replaces it).
 */
export const BUILTIN_APPLICATIONS: Readonly<Record<string, ApplicationHandler>> = {
  answer: ({ channel, core }) => core.answer(channel),
  set: ({ channel, data }) => setFromData(channel, data),
  export: ({ channel, data }) => setFromData(channel, data),
  unset: ({ channel, data }) => channel.setVariable(data, undefined),
  sleep: ({ data }) => ({ durationMs: Number(data) || 0 }),
  echo: () => ({ durationMs: Infinity }),
  // mod_dptools' endless_playback_function: plays its file again and again while the channel is
  // up; a break only restarts the file, so only a hangup ends it (PLAYBACK ERROR). The simulator
  // fires no PLAYBACK_START/STOP for it.
  endless_playback: () => ({ durationMs: Infinity, onBreak: () => false, onEnd: (how) => (how === 'hangup' ? 'PLAYBACK ERROR' : 'FILE PLAYED') }),
  // `transfer <exten> [<dialplan> [<context>]]`: into the dialplan anew (what follows it never runs).
  transfer: ({ channel, data, core }) => {
    const [exten = '', dialplan, context] = data.split(' ').filter((w) => w !== '');
    transfer(core, channel, exten, dialplan, context ?? channel.profile.context);
  },
  // mod_dptools' verbose_events_function: sets CF_VERBOSE_EVENTS (its data is not read).
  verbose_events: ({ channel }) => {
    channel.verboseEvents = true;
  },
  playback: playbackApplication(),
};

/**
 * How long `playback` of a tone or silence stream lasts: `tone_stream://%(on,off,..)` plays its
 * tones (`;loops=N`, -1 forever), `silence_stream://N` N ms; 0 for anything else (a file's
 * length depends on the options: see {@link playbackPlan}).
 */
export function playbackMs(path: string): number {
  if (!path.startsWith('tone_stream://') && !path.startsWith('silence_stream://')) return 0;
  return playbackPlan(path, new Map())[0]!.ms;
}

function setFromData(channel: SimulatedChannel, data: string): void {
  const eq = data.indexOf('=');
  if (eq > 0) channel.setVariable(data.slice(0, eq), data.slice(eq + 1));
}
