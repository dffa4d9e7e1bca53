/**
 * The socket of one outbound call: the Event Socket connection over it, the handshake that
 * opens the session, and its end — closed by us once `CHANNEL_HANGUP_COMPLETE` is in after
 * FreeSWITCH's linger notice, or by the peer.
 *
 * @module
 */
import type { Socket } from 'node:net';
import type { Logger } from '../logger.js';
import type { CallState } from './call-state.js';
import type { ChannelData } from './channel-data.js';
import { type CommandOptions, EslConnection } from './connection.js';
import type { EslEvent } from './event.js';
import type { OutboundCallOptions } from './outbound-call-options.js';
import { outboundHandshake } from './outbound-handshake.js';
import type { EslReply } from './reply.js';

/** Ms we wait for `CHANNEL_HANGUP_COMPLETE` after the linger notice before closing anyway. */
const LINGER_GRACE_MS = 2000;

/** What the socket tells its call. */
export interface CallSocketHooks {
  /** Each event of the channel, in order. */
  onEvent(event: EslEvent): void;
  /** The socket closed (`error` when it broke). */
  onClose(error: Error | undefined): void;
}

/** The connection of one {@link OutboundCall}: handshake, commands, linger close. */
export class CallSocket {
  private readonly conn: EslConnection;
  private lingerNoticed = false;
  private lingerTimer: NodeJS.Timeout | undefined;

  /**
   * @param logger read at each line, so the call's fields appear once the handshake is done.
   * @param state read to close the socket once `CHANNEL_HANGUP_COMPLETE` is in after the linger notice.
   * @param admit see {@link OutboundCall}'s constructor.
   */
  constructor(
    socket: Socket,
    private readonly options: OutboundCallOptions,
    private readonly logger: () => Logger,
    private readonly state: CallState,
    hooks: CallSocketHooks,
    admit?: (bytes: number) => Error | undefined,
  ) {
    this.conn = new EslConnection(
      socket,
      {
        onEvent: (event) => {
          hooks.onEvent(event);
          if (this.lingerNoticed && this.state.hangupComplete) this.conn.end();
        },
        onDisconnectNotice: (disposition) => this.onDisconnectNotice(disposition),
        onClose: (error) => {
          if (this.lingerTimer) clearTimeout(this.lingerTimer);
          hooks.onClose(error);
        },
      },
      { ...options, readTimeout: options.readTimeout ?? 30_000, logger: delegate(logger), admit },
    );
  }

  /** Whether the socket has closed. */
  get closed(): boolean {
    return !this.conn.isOpen;
  }

  /** The peer's address (FreeSWITCH's). */
  get remoteAddress(): string | undefined {
    return this.conn.remoteAddress;
  }

  /** Our address as the peer connected to it. */
  get localAddress(): string | undefined {
    return this.conn.localAddress;
  }

  /** Counters of the connection (frames, events, drops). */
  get stats(): EslConnection['stats'] {
    return this.conn.stats;
  }

  /** Sends `connect`, `myevents`, `linger` (and the extra subscriptions); resolves with the channel data. */
  async handshake(timeout: number): Promise<ChannelData> {
    const channel = await outboundHandshake(this.conn, {
      linger: this.options.linger ?? 10,
      events: this.options.events ?? [],
      timeout,
      logger: this.logger(),
    });
    this.conn.stopAdmission();
    return channel;
  }

  /** Writes a serialised command and resolves with its reply. */
  send(command: string, options?: CommandOptions): Promise<EslReply> {
    return this.conn.send(command, options);
  }

  /** Closes the socket once what was written has gone. */
  end(): void {
    this.conn.end();
  }

  /** Destroys the socket at once. */
  destroy(error?: Error): void {
    this.conn.destroy(error);
  }

  /** After the linger notice nothing more is coming that we need: close once `CHANNEL_HANGUP_COMPLETE` is in. */
  private onDisconnectNotice(disposition: string | undefined): void {
    if (disposition !== 'linger') return;
    this.lingerNoticed = true;
    if (this.state.hangupComplete) return this.conn.end();
    this.lingerTimer = setTimeout(() => this.conn.end(), LINGER_GRACE_MS);
    this.lingerTimer.unref();
  }
}

/** A logger that writes through whatever `current()` is at each line. */
function delegate(current: () => Logger): Logger {
  return {
    debug: (o: object | string, m?: string) => current().debug(o as object, m),
    info: (o: object | string, m?: string) => current().info(o as object, m),
    warn: (o: object | string, m?: string) => current().warn(o as object, m),
    error: (o: object | string, m?: string) => current().error(o as object, m),
  };
}
