/**
 * `mod_audio_stream` and `mod_audio_fork` for the simulator: their API commands (parsed as
 * FreeSWITCH splits arguments, answered with the modules' texts), a simulated stream per call
 * ({@link SimulatedAudioStream}), the length of the raw files they write for the simulator's
 * `playback` (as long as their audio; each play recorded from its `PLAYBACK_START` /
 * `PLAYBACK_STOP`), and `uuid_broadcast` with FreeSWITCH's 5 lead frames.
 *
 * ```ts
 * const modules = new SimulatedAudioStreamModules();
 * const sim = new FreeSwitchSimulator({ api: modules.api, playback: modules.playback() });
 * modules.attach(sim);
 * // ... a call runs `uuid_audio_stream <uuid> start ws://... mono 8k {...}`:
 * const stream = await modules.waitForStream(uuid);
 * ```
 *
 * @module
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AudioStreamModule } from '../media/audio-stream-modules.js';
import { pcmFromLE } from '../media/pcm.js';
import type { SampleRate } from '../media/audio-format.js';
import { Resampler } from '../media/resampler.js';
import type { ApiResult } from './call-flows.js';
import { cleanupSeparated } from './dial-string.js';
import { SimulatedAudioStream, type SimulatedStreamParams } from './simulated-audio-stream.js';
import { API_COMMANDS, type ApiCommand, type ApiContext } from './switch-api.js';
import type { PlaybackOptions } from './playback-plan.js';
import type { SimulatedEvent } from './switch-core.js';
import { Wakeups } from './wakeups.js';

/** Options of {@link SimulatedAudioStreamModules}. */
export interface SimulatedAudioStreamOptions {
  /**
   * Which `mod_audio_fork` is loaded: `jambonz` (plays binary audio when started with
   * `true true <rate>`) or `drachtio` (discards it; rejects the bidirectional form's extra
   * arguments as metadata). Default `jambonz`.
   */
  fork?: 'jambonz' | 'drachtio';
  /** FreeSWITCH's temporary directory (`SWITCH_GLOBAL_dirs.temp_dir`). Default: a fresh one under the OS's, removed by {@link SimulatedAudioStreamModules.cleanup}. */
  tempDirectory?: string;
  /** `mod_audio_fork` joins two frames every this many (0: never). Default 50. */
  joinEvery?: number;
  /** Ms `uuid_broadcast` waits before playing (its 5 lead frames). Default 100. */
  leadFramesMs?: number;
}

/** A raw file FreeSWITCH played (one `.r8`/`.r16`/... file of a `playback`). */
export interface SimulatedFilePlayback {
  /** The channel it played on. */
  uuid: string;
  /** The file. */
  path: string;
  /** Its audio at 8 kHz (what the caller hears if it plays to the end). */
  samples: Int16Array;
  /** Its length, ms. */
  durationMs: number;
  /** `performance.now()` when it started. */
  startedAt: number;
  /** `performance.now()` when it ended, and how (`Playback-Status`). */
  endedAt?: number;
  /** `done` when it played to the end, `break` when stopped. */
  how?: 'done' | 'break';
}

const RAW = /\.r(8|16|24|32|48|64)$/;

/**
 * `switch_separate_string(buf, ' ', argv, max)`: splits on spaces outside single quotes into at
 * most `max` arguments (the last keeps the rest), then unquotes and unescapes each.
 */
export function separateArguments(text: string, max: number): string[] {
  const parts: string[] = [];
  let i = 0;
  while (i < text.length && parts.length < max) {
    const start = i;
    if (parts.length === max - 1) {
      parts.push(text.slice(start));
      break;
    }
    let inQuotes = false;
    for (; i < text.length; i++) {
      const ch = text[i]!;
      if (ch === '\\') i++;
      else if (ch === "'" && (inQuotes || text.indexOf("'", i + 1) !== -1)) inQuotes = !inQuotes;
      else if (ch === ' ' && !inQuotes) break;
    }
    parts.push(text.slice(start, i));
    i++;
  }
  return parts.map((p) => cleanupSeparated(p, ' '));
}

/** The modules, their streams, and what was played. */
export class SimulatedAudioStreamModules {
  /** Every stream started, in order (stopped ones included). */
  readonly streams: SimulatedAudioStream[] = [];
  /** Every raw file played, in order. */
  readonly playbacks: SimulatedFilePlayback[] = [];
  /** Pass to the simulator's `api` option. */
  readonly api: Record<string, ApiCommand>;
  /** Where the modules' files are written (a temporary directory unless given). */
  readonly tempDirectory: string;
  private readonly ownTemp: boolean;
  private readonly options: SimulatedAudioStreamOptions;
  private readonly callerAudio = new Map<string, Int16Array>();
  /** Streams attached to a channel, by `uuid/bug`. */
  private readonly attached = new Map<string, SimulatedAudioStream>();
  private readonly wakeups = new Wakeups();
  private forkFiles = 0;

  constructor(options: SimulatedAudioStreamOptions = {}) {
    this.options = options;
    this.ownTemp = options.tempDirectory === undefined;
    this.tempDirectory = options.tempDirectory ?? mkdtempSync(join(tmpdir(), 'fs-sim-'));
    this.api = {
      uuid_audio_stream: (args, ctx) => this.command('mod_audio_stream', args, ctx),
      uuid_audio_fork: (args, ctx) => this.command('mod_audio_fork', args, ctx),
      uuid_broadcast: (args, ctx) => {
        const result = API_COMMANDS.uuid_broadcast!(args, ctx) as ApiResult; // answers at once (only originate may answer later)
        const after = result.after;
        const lead = options.leadFramesMs ?? 100;
        return after && lead > 0 ? { body: result.body, after: () => ctx.core.later(lead, after) } : result;
      },
    };
  }

  /**
   * The simulator's `playback` option with the raw files' real lengths (L16 at the rate of the
   * extension); other files as `base` says.
   */
  playback(base: PlaybackOptions = {}): PlaybackOptions {
    return {
      ...base,
      durationOf: (path) => {
        const m = RAW.exec(path);
        if (m) {
          try {
            return (statSync(path).size / 2 / (Number(m[1]) * 1000)) * 1000;
          } catch {
            // not there: as any unknown file
          }
        }
        return base.durationOf?.(path);
      },
    };
  }

  /**
   * Follows the simulator's events so that a stream closes the moment its channel hangs up (as
   * the media bug closes in FreeSWITCH's hangup path), before the ESL connections hear of it.
   * Without it, a stream notices the hangup on its next 20 ms tick.
   */
  attach(sim: { on(event: 'event', listener: (event: SimulatedEvent) => void): unknown }): this {
    sim.on('event', (event) => {
      const get = (name: string): string | undefined => event.headers.find(([k]) => k === name)?.[1];
      const uuid = get('Unique-ID');
      if (event.name === 'CHANNEL_HANGUP') {
        for (const s of [...this.attached.values()]) if (s.uuid === uuid) s.hangup();
      } else if (event.name === 'PLAYBACK_START' || event.name === 'PLAYBACK_STOP') {
        const path = get('Playback-File-Path');
        if (uuid !== undefined && path !== undefined && RAW.test(path)) this.played(event.name, uuid, path, get('Playback-Status'));
      }
    });
    return this;
  }

  /** What the caller says on call `uuid` (8 kHz PCM), streamed once from the first frame; silence after. */
  setCallerAudio(uuid: string, samples: Int16Array): void {
    this.callerAudio.set(uuid, samples);
  }

  /** The stream attached to call `uuid` (the newest), if any. */
  stream(uuid: string): SimulatedAudioStream | undefined {
    return [...this.streams].reverse().find((s) => s.uuid === uuid);
  }

  /** Resolves with call `uuid`'s stream once it is started. */
  async waitForStream(uuid: string, timeoutMs = 5000): Promise<SimulatedAudioStream> {
    await this.wakeups.until(() => this.stream(uuid) !== undefined, timeoutMs, () => `no audio stream started on ${uuid} within ${timeoutMs} ms`);
    return this.stream(uuid)!;
  }

  /** The raw files played on call `uuid`. */
  playbacksOf(uuid: string): SimulatedFilePlayback[] {
    return this.playbacks.filter((p) => p.uuid === uuid);
  }

  /** Stops every stream and removes the temporary directory (when it is ours). */
  cleanup(): void {
    for (const s of this.attached.values()) s.terminate();
    this.attached.clear();
    if (this.ownTemp) rmSync(this.tempDirectory, { recursive: true, force: true });
  }

  /** `uuid_audio_stream` / `uuid_audio_fork`: start, stop, send_text (pause/resume answer +OK). */
  private command(module: AudioStreamModule, args: string, ctx: ApiContext): ApiResult {
    const fork = module === 'mod_audio_fork';
    const max = fork ? (this.options.fork === 'drachtio' ? 7 : 10) : 6;
    const argv = separateArguments(args.trim(), max);
    const usage = fork
      ? '<uuid> [start | stop | send_text | pause | resume | graceful-shutdown ] [wss-url | path] [mono | mixed | stereo] [8000 | 16000 | 24000 | 32000 | 64000] [bugname] [metadata]'
      : '<uuid> [start | stop | send_text | pause | resume | graceful-shutdown ] [wss-url | path] [mono | mixed | stereo] [8000 | 16000] [metadata]';
    if (argv.length < 2 || (argv[1] === 'start' && argv.length < 4)) return { body: `-USAGE: ${usage}\n` };
    const ok: ApiResult = { body: '+OK Success\n' };
    const failed: ApiResult = { body: '-ERR Operation Failed\n' };
    const channel = ctx.core.channels.get(argv[0]!);
    if (!channel) return failed;
    const defaultBug = fork ? 'audio_fork' : 'audio_stream';
    const isText = (a: string | undefined): boolean => a !== undefined && (a.startsWith('{') || a.startsWith('['));
    switch (argv[1]!.toLowerCase()) {
      case 'start': {
        const [, , url = '', mix, rateArg = '8k'] = argv;
        let bug = defaultBug;
        let metadata: string | undefined;
        let bidirectionalRate: number | undefined;
        if (fork) {
          if (argv.length > 9) {
            if (argv[5]) bug = argv[5];
            if (argv[6]) metadata = argv[6];
            if (argv[7] === 'true' && argv[8] === 'true' && Number(argv[9]) > 0) bidirectionalRate = Number(argv[9]);
          } else if (argv.length > 6) {
            bug = argv[5]!;
            metadata = argv[6];
          } else if (argv.length > 5) {
            if (isText(argv[5])) metadata = argv[5];
            else bug = argv[5]!;
          }
        } else {
          metadata = argv[5];
        }
        if (mix !== 'mono' && mix !== 'mixed' && mix !== 'stereo') return failed;
        const sampleRate = rateArg === '16k' ? 16000 : rateArg === '8k' ? 8000 : Number.parseInt(rateArg, 10);
        if (!/^wss?:\/\/[A-Za-z0-9.-]+(:\d+)?(\/|$)/.test(url) || !(sampleRate > 0) || sampleRate % 8000 !== 0) return failed;
        const key = `${channel.uuid}/${bug}`;
        if (this.attached.has(key)) return failed;
        const params: SimulatedStreamParams = { module, url, sampleRate, bug, metadata, bidirectionalRate };
        const stream = new SimulatedAudioStream(channel, params, ctx.core, {
          tempDirectory: this.tempDirectory,
          joinEvery: this.options.joinEvery ?? 50,
          callerAudio: (uuid) => this.callerAudio.get(uuid),
          nextForkFile: () => this.forkFiles++,
        }, () => {
          if (this.attached.get(key) === stream) this.attached.delete(key);
        });
        this.attached.set(key, stream);
        this.streams.push(stream);
        this.wakeups.wake();
        return ok;
      }
      case 'stop': {
        let bug = defaultBug;
        let text: string | undefined;
        if (fork) {
          if (argv.length > 3) [bug, text] = [argv[2]!, argv[3]];
          else if (argv.length > 2 && isText(argv[2])) text = argv[2];
          else if (argv.length > 2) bug = argv[2]!;
        } else text = argv[2];
        const stream = this.attached.get(`${channel.uuid}/${bug}`) ?? this.lastStopped(channel.uuid, bug);
        if (!stream) return failed;
        stream.stop(text);
        return ok;
      }
      case 'send_text': {
        if (argv.length < 3) return failed;
        let bug = defaultBug;
        let text: string | undefined = argv[2];
        if (fork && argv.length > 3) [bug, text] = [argv[2]!, argv[3]];
        const stream = this.attached.get(`${channel.uuid}/${bug}`);
        return stream?.sendText(text ?? '') ? ok : failed;
      }
      case 'pause':
      case 'resume':
      case 'graceful-shutdown':
        return this.attached.has(`${channel.uuid}/${fork && argv[2] ? argv[2] : defaultBug}`) ? ok : failed;
      default:
        return failed;
    }
  }

  /** A stream whose socket the server closed still has its bug: `stop` answers +OK (audio-stream-8k-server-close.json). */
  private lastStopped(uuid: string, bug: string): SimulatedAudioStream | undefined {
    const s = [...this.streams].reverse().find((x) => x.uuid === uuid && x.params.bug === bug);
    return s?.closed?.by === 'server' ? s : undefined;
  }

  /** A raw file starts or stops playing: recorded with its audio (as the caller hears it, at 8 kHz). */
  private played(name: 'PLAYBACK_START' | 'PLAYBACK_STOP', uuid: string, path: string, status: string | undefined): void {
    if (name === 'PLAYBACK_STOP') {
      const record = [...this.playbacks].reverse().find((p) => p.uuid === uuid && p.path === path && p.endedAt === undefined);
      if (record) {
        record.endedAt = performance.now();
        record.how = status === 'break' ? 'break' : 'done';
      }
      return;
    }
    const rate = Number(RAW.exec(path)![1]) * 1000;
    let raw: Buffer;
    try {
      raw = readFileSync(path);
    } catch {
      return;
    }
    let samples = Int16Array.from(pcmFromLE(raw));
    if (rate !== 8000 && [16000, 24000, 48000].includes(rate)) samples = Int16Array.from(new Resampler({ from: rate as SampleRate, to: 8000 }).process(samples));
    this.playbacks.push({ uuid, path, samples, durationMs: (raw.length / 2 / rate) * 1000, startedAt: performance.now() });
  }
}
