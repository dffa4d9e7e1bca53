/**
 * Options, events and hook types of {@link FreeSwitchSimulator}.
 *
 * @module
 */
import type { Logger } from '../logger.js';
import type { OriginateRule } from './call-flows.js';
import type { SwitchIdentity } from './event-templates.js';
import type { ReceivedCommand, SimulatedListener } from './listener.js';
import type { PlaybackOptions } from './playback-plan.js';
import type { ManualClock, SimulatorClock } from './simulator-clock.js';
import type { ApiCommand } from './switch-api.js';
import type { ApplicationHandler, Dialplan, SimulatedEvent } from './switch-core.js';
import type { SimulatedUnicast } from './unicast-media.js';

/**
 * What a command hook decides: `'hang'` never answers the command (nor runs it), `'drop'` kills
 * the connection, `{ delayMs }` runs it late (the connection is blocked meanwhile, like a slow
 * `api`), `{ respond }` writes these bytes instead of the real answer; `undefined` runs it.
 */
export type CommandHookResult = 'hang' | 'drop' | { delayMs: number } | { respond: string | Buffer } | undefined;

/** A hook called with every command before it runs. */
export type CommandHook = (command: ReceivedCommand, connection: SimulatedListener) => CommandHookResult;

/** Options of {@link FreeSwitchSimulator}. */
export interface FreeSwitchSimulatorOptions {
  /** `event_socket.conf.xml` password. Default `ClueCon`. */
  password?: string;
  /** `userauth` accounts: `{ 'user@domain': 'password' }`. */
  users?: Record<string, string>;
  /** Address to listen on. Default `127.0.0.1`. */
  host?: string;
  /** Port; 0 (default) picks a free one. */
  port?: number;
  /** `apply-inbound-acl`: return false to reject a peer with `text/rude-rejection`. */
  acl?: (remoteAddress: string) => boolean;
  /** `FreeSWITCH-Hostname` of the events (shortcut for `identity.hostname`). */
  hostname?: string;
  /** Core-UUID, host names and addresses the events report. */
  identity?: SwitchIdentity;
  /** What calls run (default: contexts `default`/`public` answer and park). */
  dialplan?: Dialplan;
  /**
   * A FreeSWITCH XML dialplan (`<context>` elements, or a whole document) that routes calls
   * when `dialplan` is not given, and that `xml_locate dialplan ...` shows.
   */
  dialplanXml?: string;
  /** Modules `module_exists` says are loaded. Default: the usual FusionPBX set (`mod_sofia`, `mod_loopback`, `mod_local_stream`, ...). */
  modules?: readonly string[];
  /** Keep every frame each `unicast` sends (`SimulatedUnicast.sentFrames`), to write recordings. */
  recordAudio?: boolean;
  /**
   * How originates go before the built-in rules: fail before a channel exists (`{ cause }`), or
   * ring (`{ ring }`). Then `phones` decide for `user/...`, then `error/<CAUSE>` fails.
   */
  originateRule?: OriginateRule;
  /** Custom applications or overrides (`playback`, `sleep`, ...). */
  applications?: Record<string, ApplicationHandler>;
  /**
   * How long `playback` lasts: a WAV the simulator can read (absolute, or under `soundsDir`)
   * its real length, tones and silence theirs, anything else `defaultMs` (default 1000).
   */
  playback?: PlaybackOptions;
  /** Extra or replaced `api` commands. */
  api?: Record<string, ApiCommand>;
  /** Version string of `status`. */
  version?: string;
  /**
   * The time timed applications run on (`playback`, `sleep`, tones): default the real clock; a
   * {@link ManualClock} lets a test play a long prompt without waiting for it.
   */
  clock?: SimulatorClock;
  /** Ms an inbound client has to authenticate before FreeSWITCH drops it. Default 25 000. */
  authTimeoutMs?: number;
  /** Receives the simulator's own debug output. */
  logger?: Logger;
}

/** Events of {@link FreeSwitchSimulator}. */
export interface FreeSwitchSimulatorEvents {
  /** A connection was accepted (not fired for ACL rejections). */
  connection: [connection: SimulatedListener];
  /** A command arrived. */
  command: [command: ReceivedCommand, connection: SimulatedListener];
  /** The switch fired an event (whether or not a connection wanted it). */
  event: [event: SimulatedEvent];
  /** A connection closed. */
  disconnect: [connection: SimulatedListener];
  /** A channel's `unicast` started (its UDP socket is bound). */
  unicast: [uuid: string, session: SimulatedUnicast];
}
