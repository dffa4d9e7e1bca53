/**
 * The `socket` dialplan application (mod_event_socket's outbound mode, `socket_function`): the
 * simulated switch connects to an application's server, like `<action application="socket"
 * data="127.0.0.1:8022 async full"/>` does, and the connection is then served like any other,
 * controlling the channel.
 *
 * @module
 */
import { type Socket, connect } from 'node:net';
import type { SimulatedChannel } from './channel-model.js';
import type { ApplicationHandler, ApplicationResult, SwitchCore } from './switch-core.js';

/** The parsed data of a `socket` application: `host[:port][/path] [async] [full]`. */
export interface SocketTarget {
  /** The host as FreeSWITCH keeps it (`socket_host`); `[v6]` brackets are dropped to connect. */
  host: string;
  /** The port; 8084 when none is given, as in `socket_function`. */
  port: number;
  /** What follows a `/` after the port (`socket_path`), if anything. */
  path?: string;
  /** `async` mode: commands return at once while the channel runs its applications. */
  async: boolean;
  /** `full`: the connection may use the whole command set (`api`, `bgapi`, any channel's events), not only its channel's. */
  full: boolean;
}

/** `socket_function`'s default port. */
export const DEFAULT_SOCKET_PORT = 8084;

/**
 * Parses the data of `socket` as `socket_function` does: the first word is a `|`-separated list
 * of hosts tried in order, each `host[:port][/path]` (the port after the last `:`, 8084 when
 * absent), then the flags `async` and `full` in any case. Hosts left empty are skipped.
 */
export function parseSocketTargets(data: string): SocketTarget[] {
  const words = data.split(' ').filter((w) => w !== '');
  const flags = new Set(words.slice(1).map((w) => w.toLowerCase()));
  const out: SocketTarget[] = [];
  for (const entry of (words[0] ?? '').split('|')) {
    if (entry === '') continue;
    let host = entry;
    let port = DEFAULT_SOCKET_PORT;
    const colon = host.lastIndexOf(':');
    let rest: string | undefined;
    if (colon !== -1) {
      rest = host.slice(colon + 1);
      host = host.slice(0, colon);
      port = Number.parseInt(rest, 10) || 0;
    }
    let path: string | undefined;
    const where = rest ?? host;
    const slash = where.indexOf('/');
    if (slash !== -1) {
      path = where.slice(slash + 1);
      if (rest === undefined) host = host.slice(0, slash);
    }
    out.push({ host, port, ...(path !== undefined && { path }), async: flags.has('async'), full: flags.has('full') });
  }
  return out;
}

/** The first target of {@link parseSocketTargets}; `undefined` when the data names no host. */
export function parseSocketTarget(data: string): SocketTarget | undefined {
  return parseSocketTargets(data)[0];
}

/** What the `socket` application needs from the simulator. */
export interface SocketAttach {
  /**
   * Serves a connected socket as an outbound connection controlling `channel`; `onClose` runs when
   * it closes, `onConnect` once the application's `connect` command has been read.
   */
  attach(socket: Socket, channel: SimulatedChannel, target: SocketTarget, onClose: () => void, onConnect?: () => void): void;
  /** Told of every socket as soon as it starts connecting, so a shutdown can destroy one still dialling. */
  dialing?(socket: Socket): void;
}

/**
 * The `socket` application, as `socket_function` runs it: for each host in turn it sets
 * `socket_host` (and `socket_path`) and connects; a host that refuses passes to the next, and
 * when none answers the application ends at once (the dialplan goes on). Connected in `async`
 * mode, it waits for the application's `connect`, then parks the channel (`CHANNEL_PARK`) until
 * the connection closes or the call ends (`CHANNEL_UNPARK`); then the dialplan continues — with
 * nothing after `socket` the call hangs up, as outbound-extras.json shows.
 */
export function socketApplication(host: SocketAttach): ApplicationHandler {
  return ({ channel, data, core, appUuid }): ApplicationResult => {
    const targets = parseSocketTargets(data);
    if (targets.length === 0) return {};
    const finish = (): void => {
      core.finishApp(channel, appUuid);
    };
    open(channel, targets, host, core, appUuid, finish);
    return { durationMs: Infinity };
  };
}

function open(channel: SimulatedChannel, targets: SocketTarget[], host: SocketAttach, core: SwitchCore, appUuid: string, finish: () => void): void {
  const target = targets[0];
  if (target === undefined || channel.isDown) {
    setImmediate(finish);
    return;
  }
  if (target.path !== undefined) channel.setVariable('socket_path', target.path);
  channel.setVariable('socket_host', target.host);
  const socket = connect({ host: target.host.replace(/^\[(.*)\]$/, '$1'), port: target.port });
  host.dialing?.(socket);
  let attached = false;
  socket.once('connect', () => {
    attached = true;
    if (channel.isDown) {
      socket.destroy();
      return;
    }
    // In async mode socket_function waits for LFLAG_CONNECTED, then runs switch_ivr_park.
    const onConnect = (): void => {
      if (target.async) core.park(channel, appUuid);
    };
    host.attach(socket, channel, target, () => setImmediate(finish), onConnect);
  });
  socket.on('error', () => {
    if (!attached) open(channel, targets.slice(1), host, core, appUuid, finish);
  });
}
