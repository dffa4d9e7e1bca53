import type { Socket } from 'node:net';
import { EslConnectionError, EslProtocolError, EslTimeoutError, ErrorCodes } from '../errors.js';
import { type Logger, redactCommand, silentLogger } from '../logger.js';
import { DEFAULT_MAX_COMMAND_BYTES, assertCommandSize } from './commands.js';
import { type EslEvent, parseJsonEvent, parsePlainEvent, parseXmlEvent } from './event.js';
import { type EslFrame, FrameParser, type FrameParserOptions } from './frame-parser.js';
import { MAX_JSON_EVENT_DEPTH, jsonNestingExceeds } from './json-headers.js';
import type { Headers } from './header-block.js';
import { EslReply } from './reply.js';

/** A `log/data` frame (after `log <level>`). */
export interface EslLogLine {
  /** Syslog-style level, 0 (console) .. 7 (debug). */
  level: number;
  /** `Text-Channel`. */
  channel: string | undefined;
  /** Source file, function and line in FreeSWITCH. */
  file: string | undefined;
  /** Function in FreeSWITCH that logged it. */
  func: string | undefined;
  /** Line in that source file. */
  line: number | undefined;
  /** `User-Data`: usually the channel uuid. */
  userData: string | undefined;
  /** The log text. */
  text: string;
}

/** What a connection reports upward. Called synchronously, in wire order. */
export interface ConnectionHandler {
  /** A `text/event-plain`, `text/event-json` or `text/event-xml` event, parsed. */
  onEvent(event: EslEvent): void;
  /** `auth/request`: FreeSWITCH asks for the password (inbound connections). */
  onAuthRequest?(): void;
  /** A `log/data` line. */
  onLog?(line: EslLogLine): void;
  /** `text/disconnect-notice`; `disposition` is `disconnect` or `linger`. */
  onDisconnectNotice?(disposition: string | undefined, text: string): void;
  /** `text/rude-rejection`: the peer's ACL refused us. */
  onRudeRejection?(text: string): void;
  /** A frame of a content type this library does not know (new FreeSWITCH versions add some). */
  onUnknownFrame?(frame: EslFrame): void;
  /** The socket closed; `error` says why when it was not a clean close. */
  onClose(error: Error | undefined): void;
}

/** Options of a {@link EslConnection}. */
export interface EslConnectionOptions extends FrameParserOptions {
  /** Default timeout of one command, in ms (0 = none). */
  readTimeout?: number;
  /**
   * Largest command line and headers {@link EslConnection.send} writes, in bytes; a larger
   * command is refused with `EslCommandTooLargeError` before anything is written. Never more
   * than FreeSWITCH's own cut, 10,485,760 bytes. Default {@link DEFAULT_MAX_COMMAND_BYTES} (1 MiB).
   */
  maxCommandBytes?: number;
  /**
   * Called with the size of each received chunk before it is parsed; an error returned closes
   * the connection with that error and the chunk is not parsed. The outbound server bounds what
   * a peer may send before its handshake completes with it.
   */
  admit?: (bytes: number) => Error | undefined;
  /** A pino-compatible logger. Default: `defaultLogger`. */
  logger?: Logger;
}

/** Per-command options. */
export interface CommandOptions {
  /** Overrides the connection's `readTimeout` for this command, in ms (0 = none). */
  timeout?: number;
  /** Aborts the wait (the reply is still consumed when it arrives, so later replies stay matched). */
  signal?: AbortSignal;
}

/** Counters of a connection, for monitoring. */
export interface ConnectionStats {
  /** Frames read (replies, events, logs, notices). */
  framesReceived: number;
  /** Events delivered. */
  eventsReceived: number;
  /** Events whose JSON/XML could not be decoded: dropped and counted. */
  malformedEvents: number;
  /**
   * JSON events with a header nested deeper than `MAX_JSON_EVENT_DEPTH` (32): delivered without
   * that header, and counted.
   */
  nestingCut: number;
  /** Frames of a content type we do not know: ignored and counted. */
  unknownFrames: number;
  /** Replies that arrived after their command timed out or was aborted: discarded. */
  lateReplies: number;
  /** Replies with no command waiting: discarded. */
  unexpectedReplies: number;
  /** Exceptions thrown by user handlers (reported, never allowed to break parsing). */
  handlerErrors: number;
}

interface PendingCommand {
  resolve: (reply: EslReply) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout | undefined;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  /** Timed out or aborted: its reply must still be consumed, then discarded. */
  abandoned: boolean;
}

const CLOSED_WHILE_WAITING =
  'the connection closed before FreeSWITCH replied; the command may or may not have run, and is not sent again';

/**
 * One Event Socket connection: bytes in through the {@link FrameParser}, frames out to a
 * {@link ConnectionHandler}, and commands matched to replies in FIFO order — the only order
 * FreeSWITCH answers in.
 *
 * A command that times out or is aborted keeps its place in the queue until its reply arrives
 * (which is then dropped), so a late reply can never be handed to the next command.
 */
export class EslConnection {
  /** Counters for monitoring. */
  readonly stats: ConnectionStats = {
    framesReceived: 0,
    eventsReceived: 0,
    malformedEvents: 0,
    nestingCut: 0,
    unknownFrames: 0,
    lateReplies: 0,
    unexpectedReplies: 0,
    handlerErrors: 0,
  };

  private readonly parser: FrameParser;
  private readonly logger: Logger;
  private readonly readTimeout: number;
  private readonly maxCommandBytes: number;
  private admit: ((bytes: number) => Error | undefined) | undefined;
  private readonly pending: PendingCommand[] = [];
  private pendingHead = 0;
  private closed = false;
  private closeError: Error | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly handler: ConnectionHandler,
    options: EslConnectionOptions = {},
  ) {
    this.logger = options.logger ?? silentLogger;
    this.readTimeout = options.readTimeout ?? 30_000;
    this.maxCommandBytes = options.maxCommandBytes ?? DEFAULT_MAX_COMMAND_BYTES;
    this.admit = options.admit;
    this.parser = new FrameParser((frame) => this.onFrame(frame), options);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      if (this.closed) return;
      const refused = this.admit?.(chunk.length);
      if (refused) return this.destroy(refused);
      const error = this.parser.push(chunk);
      if (error) this.destroy(error);
    });
    socket.on('error', (error) => {
      this.closeError ??= error;
    });
    socket.on('close', () => this.onSocketClose());
  }

  /** Stops calling the `admit` option (e.g. once a handshake is complete). */
  stopAdmission(): void {
    this.admit = undefined;
  }

  /** Bytes received and not yet parsed into a frame. */
  get bufferedBytes(): number {
    return this.parser.bufferedBytes;
  }

  /** Whether the socket is open. */
  get isOpen(): boolean {
    return !this.closed;
  }

  /** Commands written and not yet answered (including abandoned ones). */
  get pendingCount(): number {
    return this.pending.length - this.pendingHead;
  }

  /** Our side's address of the socket (how the peer reaches us). */
  get localAddress(): string | undefined {
    return this.socket.localAddress;
  }

  /** The remote address, e.g. `127.0.0.1`. */
  get remoteAddress(): string | undefined {
    return this.socket.remoteAddress;
  }

  /**
   * Writes a serialised command (see `commands.ts`) and resolves with its reply. Rejects with
   * {@link EslTimeoutError}, the signal's reason, or {@link EslConnectionError}; with
   * `EslCommandTooLargeError`, before writing, when its line and headers are over
   * `maxCommandBytes`.
   */
  send(command: string, options: CommandOptions = {}): Promise<EslReply> {
    try {
      assertCommandSize(command, this.maxCommandBytes);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.closed) {
      return Promise.reject(
        new EslConnectionError('not connected to FreeSWITCH', { code: ErrorCodes.ESL_NOT_CONNECTED, cause: this.closeError }),
      );
    }
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<EslReply>((resolve, reject) => {
      const slot: PendingCommand = { resolve, reject, timer: undefined, signal, onAbort: undefined, abandoned: false };
      const timeout = options.timeout ?? this.readTimeout;
      if (timeout > 0 && Number.isFinite(timeout)) {
        slot.timer = setTimeout(() => {
          this.abandon(slot, new EslTimeoutError(`no reply within ${timeout} ms to: ${redactCommand(firstLine(command))}`, timeout));
        }, timeout);
      }
      if (signal) {
        slot.onAbort = () => this.abandon(slot, signal.reason);
        signal.addEventListener('abort', slot.onAbort, { once: true });
      }
      this.pending.push(slot);
      this.logger.debug({ command: redactCommand(firstLine(command)) }, 'esl send');
      this.socket.write(command);
    });
  }

  /** Writes bytes that expect no reply (there are none in the protocol but `exit` races). */
  write(data: string): void {
    if (!this.closed) this.socket.write(data);
  }

  /** Closes the socket; pending commands reject with {@link EslConnectionError}. */
  destroy(error?: Error): void {
    if (error) this.closeError ??= error;
    if (error instanceof EslProtocolError) this.logger.warn({ err: error.message }, 'esl protocol error: closing');
    this.socket.destroy();
  }

  /** Half-closes after pending writes flush. */
  end(): void {
    this.socket.end();
  }

  private abandon(slot: PendingCommand, error: Error): void {
    if (slot.abandoned) return;
    slot.abandoned = true;
    this.release(slot);
    slot.reject(error);
  }

  private release(slot: PendingCommand): void {
    if (slot.timer) clearTimeout(slot.timer);
    if (slot.onAbort) slot.signal!.removeEventListener('abort', slot.onAbort);
    slot.timer = undefined;
    slot.onAbort = undefined;
  }

  private takeHead(): PendingCommand | undefined {
    if (this.pendingHead >= this.pending.length) return undefined;
    const slot = this.pending[this.pendingHead]!;
    this.pending[this.pendingHead++] = undefined as unknown as PendingCommand;
    if (this.pendingHead === this.pending.length) {
      this.pending.length = 0;
      this.pendingHead = 0;
    } else if (this.pendingHead > 1024 && this.pendingHead * 2 > this.pending.length) {
      this.pending.splice(0, this.pendingHead);
      this.pendingHead = 0;
    }
    return slot;
  }

  private onFrame(frame: EslFrame): void {
    this.stats.framesReceived++;
    try {
      this.dispatch(frame);
    } catch (error) {
      // A user handler threw: report it, keep parsing.
      this.stats.handlerErrors++;
      this.logger.error({ err: error }, 'esl handler threw');
    }
  }

  private dispatch(frame: EslFrame): void {
    switch (frame.contentType) {
      case 'command/reply':
      case 'api/response':
        return this.onReply(frame);
      case 'text/event-plain':
        return this.onEventBody(frame.body ? parsePlainEvent(frame.body) : undefined);
      case 'text/event-json': {
        const event = frame.body ? parseJsonEvent(frame.body) : undefined;
        if (event && jsonNestingExceeds(frame.body!)) {
          this.stats.nestingCut++;
          this.logger.warn({ maxDepth: MAX_JSON_EVENT_DEPTH }, 'esl JSON event nested too deep: delivered without the deep header');
        }
        return this.onEventBody(event);
      }
      case 'text/event-xml':
        return this.onEventBody(frame.body ? parseXmlEvent(frame.body) : undefined);
      case 'auth/request':
        return this.handler.onAuthRequest?.();
      case 'log/data':
        return this.handler.onLog?.(logLine(frame.headers, frame.body));
      case 'text/disconnect-notice':
        return this.handler.onDisconnectNotice?.(frame.headers.get('Content-Disposition'), frame.body?.toString('utf8') ?? '');
      case 'text/rude-rejection':
        return this.handler.onRudeRejection?.(frame.body?.toString('utf8') ?? '');
      default:
        this.stats.unknownFrames++;
        this.logger.debug({ contentType: frame.contentType }, 'esl frame of unknown content type ignored');
        return this.handler.onUnknownFrame?.(frame);
    }
  }

  private onReply(frame: EslFrame): void {
    const slot = this.takeHead();
    if (slot === undefined) {
      this.stats.unexpectedReplies++;
      this.logger.warn({ contentType: frame.contentType }, 'esl reply with no command waiting: discarded');
      return;
    }
    if (slot.abandoned) {
      this.stats.lateReplies++;
      return;
    }
    this.release(slot);
    slot.resolve(new EslReply(frame));
  }

  private onEventBody(event: EslEvent | undefined): void {
    if (event === undefined) {
      this.stats.malformedEvents++;
      this.logger.warn('esl event that could not be decoded: dropped');
      return;
    }
    this.stats.eventsReceived++;
    this.handler.onEvent(event);
  }

  private onSocketClose(): void {
    if (this.closed) return;
    this.closed = true;
    const error = new EslConnectionError(CLOSED_WHILE_WAITING, { cause: this.closeError });
    for (let slot = this.takeHead(); slot !== undefined; slot = this.takeHead()) {
      if (!slot.abandoned) {
        this.release(slot);
        slot.reject(error);
      }
    }
    this.handler.onClose(this.closeError);
  }
}

function firstLine(command: string): string {
  const nl = command.indexOf('\n');
  return nl === -1 ? command : command.slice(0, nl);
}

function logLine(headers: Headers, body: Buffer | undefined): EslLogLine {
  const line = headers.get('Log-Line');
  return {
    level: Number(headers.get('Log-Level') ?? 7),
    channel: headers.get('Text-Channel'),
    file: headers.get('Log-File'),
    func: headers.get('Log-Func'),
    line: line === undefined ? undefined : Number(line),
    userData: headers.get('User-Data') || undefined,
    text: body?.toString('utf8') ?? '',
  };
}
