/**
 * The start of an outbound socket session: `connect` (FreeSWITCH answers with the channel
 * data), `myevents`, `linger`, and optional extra subscriptions — in that order, each awaited,
 * because nothing may be sent before `connect`'s reply (FreeSWITCH never answers a command that
 * precedes it, which would shift every later reply by one).
 *
 * @module
 */
import { EslCommandError, EslTimeoutError } from '../errors.js';
import type { Logger } from '../logger.js';
import { ChannelData } from './channel-data.js';
import { buildCommand, eventCommand } from './commands.js';
import type { EslConnection } from './connection.js';

/** Handshake settings (see {@link OutboundCallOptions}). */
export interface HandshakeOptions {
  /** Seconds FreeSWITCH keeps the socket after hangup, or `false` for no `linger`. */
  linger: number | false;
  /** Extra events to subscribe to with `event plain` (needs `full`). */
  events: readonly string[];
  /** Ms for the whole handshake. */
  timeout: number;
  logger: Logger;
}

/** Runs the handshake on a fresh connection; resolves with the channel data. */
export async function outboundHandshake(conn: EslConnection, options: HandshakeOptions): Promise<ChannelData> {
  const abort = new AbortController();
  const timer = setTimeout(
    () => abort.abort(new EslTimeoutError(`the peer did not complete the outbound handshake within ${options.timeout} ms`, options.timeout)),
    options.timeout,
  );
  const signal = abort.signal;
  try {
    const reply = await conn.send(buildCommand('connect'), { signal, timeout: 0 });
    const data = new ChannelData(reply.headers);
    if (!data.uuid) throw new EslCommandError('the reply to connect carries no channel data (Unique-ID)', 'connect', reply.text);
    const myevents = await conn.send(buildCommand('myevents'), { signal, timeout: 0 });
    // `-ERR aready enabled.` (sic): a `myevents` was sent before; events flow either way.
    if (!myevents.ok && !/already|aready/.test(myevents.text)) throw new EslCommandError(`myevents refused: ${myevents.text}`, 'myevents', myevents.text);
    if (!data.fullControl) {
      if (options.linger !== false || options.events.length > 0) {
        options.logger.warn(
          { uuid: data.uuid },
          'outbound socket without "full": FreeSWITCH refuses linger/event/api on it; the events after hangup may be lost. Use `socket <host>:<port> async full`.',
        );
      }
      return data;
    }
    if (options.linger !== false) {
      const linger = await conn.send(buildCommand(`linger ${Math.max(1, Math.round(options.linger))}`), { signal, timeout: 0 });
      if (!linger.ok) options.logger.warn({ uuid: data.uuid, reply: linger.text }, 'linger refused');
    }
    if (options.events.length > 0) {
      const sub = await conn.send(eventCommand('plain', options.events), { signal, timeout: 0 });
      if (!sub.ok) throw new EslCommandError(`event subscription refused: ${sub.text}`, 'event', sub.text);
    }
    return data;
  } finally {
    clearTimeout(timer);
  }
}
