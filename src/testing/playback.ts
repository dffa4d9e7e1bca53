/**
 * The simulated `playback` application, as mod_dptools' `playback_function` and
 * `switch_ivr_play_file` behave:
 *
 * - it lasts as long as what it plays ({@link playbackPlan}: tones, silence, a WAV it can read,
 *   otherwise {@link PlaybackOptions.defaultMs}), on the switch's clock;
 * - each file fires `PLAYBACK_START` and `PLAYBACK_STOP` (`Playback-File-Path`,
 *   `Playback-File-Type` for tone and local streams, `Playback-Status: done|break`);
 * - `uuid_break` stops the file playing (in a `file_string://` the next one starts);
 *   `uuid_break <uuid> all` stops the whole playback; either way the application completes with
 *   `FILE PLAYED`, as FreeSWITCH reports a broken playback;
 * - a DTMF digit in `playback_terminators` (default `*`; `any`, `none`) stops it and sets
 *   `playback_terminator_used`; other digits are delivered (the `DTMF` event) while it plays on;
 * - a hangup ends it with `PLAYBACK ERROR` (`Playback-Status: done`);
 * - at the end of each file `playback_last_offset_pos`, `playback_samples`, `playback_ms` and
 *   `playback_seconds` say how much was played.
 *
 * @module
 */
import type { SimulatedChannel } from './channel-model.js';
import type { HeaderPairs } from './event-templates.js';
import { type PlaybackOptions, type PlaybackSegment, playbackPlan } from './playback-plan.js';
import type { ClockTimer } from './simulator-clock.js';
import type { ApplicationHandler, ApplicationResult, SwitchCore } from './switch-core.js';

/** The `playback` application, with file lengths decided by `options`. */
export function playbackApplication(options: PlaybackOptions = {}): ApplicationHandler {
  return ({ channel, data, core, appUuid }) => new Playback(core, channel, appUuid, playbackPlan(data, channel.variables, options)).begin();
}

/** `on_dtmf` of mod_dptools: the digits that stop a playback, from `playback_terminators`. */
export function playbackTerminators(channel: SimulatedChannel): string {
  const value = channel.variables.get('playback_terminators') ?? '*';
  if (value.toLowerCase() === 'any') return '1234567890*#';
  if (value.toLowerCase() === 'none') return '';
  return value;
}

/** One running playback: which file plays since when, and the timer that ends it. */
class Playback {
  private index = 0;
  private startedAt = 0;
  private timer: ClockTimer | undefined;

  constructor(
    private readonly core: SwitchCore,
    private readonly channel: SimulatedChannel,
    private readonly appUuid: string,
    private readonly segments: PlaybackSegment[],
  ) {}

  begin(): ApplicationResult {
    // playback_function clears the terminator of an earlier playback before it plays.
    this.channel.setVariable('playback_terminator_used', undefined);
    const total = this.segments.reduce((sum, s) => sum + s.ms, 0);
    this.startSegment(0);
    const result: ApplicationResult = {
      onEnd: (how) => this.end(how),
      onDtmf: (digit) => this.dtmf(digit),
      onBreak: (all) => this.break(all),
    };
    // Nothing to wait for: the core completes it at once (and `end` walks through every file).
    if (total === 0) return { ...result, durationMs: 0 };
    this.schedule();
    return { ...result, durationMs: Infinity };
  }

  private get current(): PlaybackSegment {
    return this.segments[this.index]!;
  }

  private get last(): boolean {
    return this.index >= this.segments.length - 1;
  }

  private startSegment(index: number): void {
    this.index = index;
    this.startedAt = this.core.clock.now();
    this.event('PLAYBACK_START', []);
  }

  /** Arms the end of the current file (zero-length files in between pass at once). */
  private schedule(): void {
    while (this.current.ms === 0 && !this.last) this.next();
    if (!Number.isFinite(this.current.ms)) return;
    this.timer = this.core.later(this.current.ms, () => {
      this.timer = undefined;
      if (this.last) this.core.finishApp(this.channel, this.appUuid);
      else {
        this.next();
        this.schedule();
      }
    });
  }

  /** The current file played to its end (or was broken): the next one starts. */
  private next(status: 'done' | 'break' = 'done'): void {
    this.stopSegment(status);
    this.startSegment(this.index + 1);
  }

  private stopSegment(status: 'done' | 'break', how: 'done' | 'break' | 'hangup' = status): void {
    const segment = this.current;
    const elapsed = this.core.clock.now() - this.startedAt;
    const played = how === 'done' && Number.isFinite(segment.ms) ? segment.ms : Math.max(0, Math.min(elapsed, segment.ms));
    const samples = Math.round((played * segment.rate) / 1000);
    const variables: [string, string][] = [
      ['playback_last_offset_pos', String(samples)],
      ['playback_seconds', String(Math.floor(samples / segment.rate))],
      ['playback_ms', String(Math.floor(samples / (segment.rate / 1000)))],
      ['playback_samples', String(samples)],
    ];
    for (const [name, value] of variables) this.channel.setVariable(name, value);
    this.event('PLAYBACK_STOP', [['Playback-Status', status]]);
  }

  private event(name: 'PLAYBACK_START' | 'PLAYBACK_STOP', extra: HeaderPairs): void {
    const s = this.current;
    const bottom: HeaderPairs = [...(s.fileType ? ([['Playback-File-Type', s.fileType]] as HeaderPairs) : []), ['Playback-File-Path', s.path], ...extra, ...s.params];
    this.core.channelEvent(name, this.channel, { bottom });
  }

  /** `uuid_break`: the file playing stops; unless `all` (or it was the last), the next one plays. */
  private break(all: boolean): boolean {
    if (all || this.last) return true;
    this.core.cancel(this.timer);
    this.next('break');
    this.schedule();
    return false;
  }

  /** A digit in `playback_terminators` stops the whole playback. */
  private dtmf(digit: string): boolean {
    if (!playbackTerminators(this.channel).includes(digit)) return false;
    this.channel.setVariable('playback_terminator_used', digit);
    return true;
  }

  /** The application ends: the last `PLAYBACK_STOP`, and `Application-Response`. */
  private end(how: 'done' | 'break' | 'hangup'): string {
    this.core.cancel(this.timer);
    if (how === 'done') while (!this.last) this.next();
    // A hangup is not a break: FreeSWITCH reports `done` and the playback failed.
    this.stopSegment(how === 'break' ? 'break' : 'done', how);
    return how === 'hangup' ? 'PLAYBACK ERROR' : 'FILE PLAYED';
  }
}
