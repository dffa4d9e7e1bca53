/**
 * The `socket` dialplan application (mod_event_socket's outbound mode): the simulated switch
 * connects to an application's server, like `<action application="socket" data="127.0.0.1:8022
 * async full"/>` does, and the connection is then served like any other, controlling the channel.
 *
 * @module
 */
import { type Socket, connect } from 'node:net';
import type { SimulatedChannel } from './channel-model.js';
import type { ApplicationHandler, ApplicationResult } from './switch-core.js';

/** The parsed data of a `socket` application: `host:port [async] [full]`. */
export interface SocketTarget {
  host: string;
  port: number;
  async: boolean;
  full: boolean;
}

/** Parses `127.0.0.1:8022 async full` (`[v6]:port` too); `undefined` when it has no port. */
export function parseSocketTarget(data: string): SocketTarget | undefined {
  const words = data.trim().split(/\s+/);
  const where = words[0] ?? '';
  const m = /^\[?([^\]]*?)\]?:(\d+)$/.exec(where);
  if (!m) return undefined;
  const flags = new Set(words.slice(1).map((w) => w.toLowerCase()));
  return { host: m[1]!, port: Number(m[2]), async: flags.has('async'), full: flags.has('full') };
}

/** What the `socket` application needs from the simulator. */
export interface SocketAttach {
  /** Serves a connected socket as an outbound connection controlling `channel`; `onClose` runs when it closes. */
  attach(socket: Socket, channel: SimulatedChannel, target: SocketTarget, onClose: () => void): void;
  /** Told of every socket as soon as it starts connecting, so a shutdown can destroy one still dialling. */
  dialing?(socket: Socket): void;
}

/**
 * The `socket` application: connects, hands the connection to `host`, and runs until the
 * connection closes (then the dialplan continues; with nothing after `socket` the call hangs
 * up, as the recordings show). A refused connection ends the application at once.
 */
export function socketApplication(host: SocketAttach): ApplicationHandler {
  return ({ channel, data, core, appUuid }): ApplicationResult => {
    const target = parseSocketTarget(data);
    if (target === undefined) return { response: '-ERR invalid socket data' };
    const finish = (): void => {
      core.finishApp(channel, appUuid);
    };
    open(channel, target, host, finish);
    return { durationMs: Infinity };
  };
}

function open(channel: SimulatedChannel, target: SocketTarget, host: SocketAttach, finish: () => void): void {
  const socket = connect({ host: target.host, port: target.port });
  host.dialing?.(socket);
  let attached = false;
  socket.once('connect', () => {
    attached = true;
    if (channel.isDown) {
      socket.destroy();
      return;
    }
    host.attach(socket, channel, target, () => setImmediate(finish));
  });
  socket.on('error', () => {
    if (!attached) setImmediate(finish);
  });
}
