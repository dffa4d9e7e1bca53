/**
 * The simulator's side of command handling: logins, `api` / `bgapi` execution, event fan-out
 * to the connections, log lines, and what happens to a connection whose channel hangs up.
 *
 * @module
 */
import { commandReplyFrame, lingerNoticeFrame, logDataFrame } from '../esl/event-serializer.js';
import { type Logger, defaultLogger } from '../logger.js';
import { localStamp, nowMicros } from './event-templates.js';
import { type CommandHost, handleCommand, LOG_LEVELS } from './inbound-commands.js';
import { headerOf, type ReceivedCommand, type SimulatedListener } from './listener.js';
import type { ApiAnswer, ApiResult, OriginateRule } from './call-flows.js';
import { API_COMMANDS, type ApiCommand, type ApiContext } from './switch-api.js';
import type { SimulatedEvent, SwitchCore } from './switch-core.js';

/** The part of the simulator's options the host reads. */
export interface HostOptions {
  password?: string;
  users?: Record<string, string>;
  originateRule?: OriginateRule;
  api?: Record<string, ApiCommand>;
  version?: string;
  logger?: Logger;
}

/** Implements {@link CommandHost} for {@link FreeSwitchSimulator}. */
export class SimulatorHost implements CommandHost {
  /** What the api commands see. */
  readonly apiContext: ApiContext;
  private readonly api: Record<string, ApiCommand>;
  private readonly logger: Logger;

  constructor(
    readonly core: SwitchCore,
    private readonly sessions: ReadonlySet<SimulatedListener>,
    private readonly options: HostOptions,
    private readonly notify: (event: SimulatedEvent) => void,
    private readonly pump: (l: SimulatedListener) => void = () => {},
  ) {
    this.api = { ...API_COMMANDS, ...options.api };
    this.logger = options.logger ?? defaultLogger;
    this.apiContext = {
      core,
      originateRule: options.originateRule,
      version: options.version ?? '1.11.3-dev git simulator',
      log: (level, file, func, line, message) => this.log(level, file, func, line, message),
      backgroundJob: (command, args, jobUuid) => this.backgroundJob(command, args, jobUuid),
    };
  }

  /** Runs one command on a connection; a bug in a hook or handler answers `-ERR` instead of crashing. */
  run(l: SimulatedListener, command: ReceivedCommand): void {
    if (l.closed) return;
    try {
      // The listener thread handles the command: events fired meanwhile go out after its reply.
      l.blocking(() => handleCommand(this, l, command));
    } catch (error) {
      this.logger.error({ err: error, command: command.line }, 'simulator: command failed');
      l.write(commandReplyFrame(`-ERR simulator error: ${(error as Error).message}`.replace(/\n/g, ' ')));
    }
  }

  /** `auth` against the password, `userauth` against the `users` option. */
  checkLogin(user: string | undefined, password: string): boolean {
    if (user === undefined) return password === (this.options.password ?? 'ClueCon');
    const expected = this.options.users?.[user];
    return expected !== undefined && expected !== '' && expected === password;
  }

  /** Runs an api command and fires the `API` event FreeSWITCH fires for it. */
  runApi(command: string, args: string): ApiAnswer | undefined {
    const fn = this.api[command] ?? this.api[command.toLowerCase()];
    if (fn === undefined) return undefined;
    const result = fn(args, this.apiContext);
    this.core.fire('API', args === '' ? [['API-Command', command]] : [['API-Command', command], ['API-Command-Argument', args]]);
    return result;
  }

  /** Runs a `bgapi` job; every connection subscribed to `BACKGROUND_JOB` gets the result. */
  backgroundJob(command: string, args: string | undefined, jobUuid: string): void {
    const answer = this.runApi(command, args ?? '');
    const finish = (result: ApiResult | undefined): void => {
      const body = result === undefined ? `-ERR ${command} Command not found!\n` : result.body;
      const headers: [string, string][] = [['Job-UUID', jobUuid], ['Job-Command', command]];
      if (args !== undefined) headers.push(['Job-Command-Arg', args]);
      this.core.fire('BACKGROUND_JOB', headers, body);
      result?.after?.();
    };
    if (answer instanceof Promise) void answer.catch((error: unknown) => ({ body: `-ERR ${(error as Error).message}\n` })).then(finish);
    else finish(answer);
  }

  /** A connection that waited for a slow `api` reads its next commands. */
  resume(l: SimulatedListener): void {
    this.pump(l);
  }

  /** The reply, the disconnect notice, then the socket closes. */
  goodbye(l: SimulatedListener, replyText: string): void {
    l.write(commandReplyFrame(replyText));
    l.close({ notice: true });
  }

  /** Hands an event to every connection that wants it. */
  fanOut(event: SimulatedEvent): void {
    this.notify(event);
    const destroyed = event.name === 'CHANNEL_DESTROY' ? headerOf(event.headers, 'Unique-ID') : undefined;
    for (const l of this.sessions) {
      // A connection controlling the channel (outbound, or `myevents <uuid>`) holds the session's
      // read lock until it ends (listener_run); the session is destroyed only then, so it never
      // sees that CHANNEL_DESTROY — the recordings end with the linger notice.
      if (destroyed !== undefined && l.sessionUuid === destroyed) continue;
      l.offer(event);
    }
    if (event.name === 'CHANNEL_HANGUP' || event.name === 'CHANNEL_HANGUP_COMPLETE') this.sessionDown(event);
  }

  /** A `log/data` line, formatted as FreeSWITCH's console writes it. */
  log(level: number, file: string, func: string, line: number, message: string, uuid?: string): void {
    const micros = nowMicros();
    const stamp = `${localStamp(micros)}.${String(micros % 1e6).padStart(6, '0')}`;
    const text = `${uuid ? `${uuid} ` : ''}${stamp} 99.00% [${LOG_LEVELS[level] ?? 'DEBUG'}] ${file}:${line} ${message}\n`;
    const frame = logDataFrame({ level, channel: uuid ? 3 : 0, file, func, line, userData: uuid ?? '', text });
    for (const l of this.sessions) if (l.authed && l.logLevel !== undefined && l.logLevel >= level) l.writeQueued(frame);
  }

  /**
   * A connection controlling a channel (`myevents <uuid>`, outbound) when it goes down: without
   * `linger`, FreeSWITCH leaves the read loop at once (`CHANNEL_HANGUP` is the last event that
   * makes it out) and says goodbye; with `linger`, the events flow until
   * `CHANNEL_HANGUP_COMPLETE`, then the linger notice, then after the delay the disconnect
   * notice and the socket closes.
   */
  private sessionDown(event: SimulatedEvent): void {
    const uuid = headerOf(event.headers, 'Unique-ID');
    for (const l of this.sessions) {
      if (l.closed || l.sessionEnded || uuid === undefined || l.sessionUuid !== uuid) continue;
      if (l.lingerSeconds === undefined) {
        l.sessionEnded = true;
        l.closeWhenFlushed({ notice: true });
      } else if (event.name === 'CHANNEL_HANGUP_COMPLETE') {
        l.sessionEnded = true;
        const name = headerOf(event.headers, 'Channel-Name') ?? '';
        l.writeQueued(lingerNoticeFrame({ uuid, name, lingerSeconds: l.lingerSeconds }));
        // read_packet gives up once the linger time is over; listener_run then says goodbye
        // (send_disconnect: `Content-Disposition: disconnect`, "Disconnected, goodbye.") and closes.
        // `linger` without a number (-1) waits for the client.
        if (l.lingerSeconds !== -1) l.later(Math.max(0, l.lingerSeconds) * 1000, () => l.close({ notice: true }));
      }
    }
  }
}
