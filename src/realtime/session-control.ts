/**
 * Mid-call control of a session: speaking a given text (interruptible or not), asking for an
 * answer, muting the caller, and the no-answer watchdog that asks again once and then falls
 * back. The session forwards its public methods here and tells it what the provider does.
 *
 * @module
 */
import { ProviderError, ProviderUnsupportedError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { RealtimeProvider } from './provider.js';
import type { TurnTracker, TurnTrigger } from './session-turns.js';
import { AnswerWatchdog, type WatchdogOptions } from './session-watchdog.js';

/** What {@link MidCallControl} needs from its session. */
export interface ControlHost {
  readonly provider: RealtimeProvider;
  readonly turns: TurnTracker;
  /** The session's logger (its lines carry the call's fields). */
  readonly logger: Logger;
  /** The watchdog gave up: the session falls back. */
  fail(error: ProviderError): void;
  /** The watchdog acted (`attempt` 1: asked again; 2: falls back). */
  noAnswer(info: { attempt: number; waitedMs: number }): void;
  /** The caller still hears the assistant (audio queued or arriving). */
  speaking(): boolean;
}

/** The answer of a `say(..., { interruptible: false })`, until it has played out. */
interface Unbreakable {
  /** The answer that was current when `say` was called (the say's answer is the next one). */
  readonly after: string | undefined;
  bound: boolean;
  responseId?: string;
  done?: boolean;
}

/** Mid-call control state and actions. */
export class MidCallControl {
  /** The caller's audio is withheld from the provider. */
  muted = false;
  private readonly watchdog: AnswerWatchdog;
  private readonly watch: WatchdogOptions;
  private unbreakable: Unbreakable | undefined;

  constructor(
    private readonly host: ControlHost,
    watchdog: WatchdogOptions | false | undefined,
  ) {
    this.watch = watchdog === false ? { noAnswerMs: 0 } : (watchdog ?? {});
    this.watchdog = new AnswerWatchdog(this.watch.noAnswerMs ?? 6000, (n) => this.onNoAnswer(n), () => host.speaking());
  }

  /** Barge-in is off: a non-interruptible `say` has not played out yet. */
  get protecting(): boolean {
    return this.unbreakable !== undefined;
  }

  /** An answer is due from now (a request was sent, or the caller's turn ended). */
  expectAnswer(trigger: TurnTrigger): void {
    this.host.turns.trigger(trigger);
    this.watchdog.arm();
  }

  /** Not the assistant's turn for now (the caller speaks, a tool runs). */
  hold(): void {
    this.watchdog.pause();
  }

  /** See `RealtimeSession.say`. */
  say(text: string, interruptible: boolean, currentResponse: string | undefined): void {
    const provider = this.host.provider;
    if (provider.capabilities.say === false) throw new ProviderUnsupportedError(provider.name, 'say');
    if (!interruptible) this.unbreakable = { after: currentResponse, bound: false };
    this.expectAnswer('say');
    provider.say(text);
  }

  /** See `RealtimeSession.generateReply`. */
  generateReply(instructions: string | undefined): void {
    this.expectAnswer('reply');
    this.host.provider.requestResponse({ instructions });
  }

  /** See `RealtimeSession.mute`; returns whether it changed anything. */
  mute(): boolean {
    if (this.muted) return false;
    this.muted = true;
    this.host.provider.pauseInput();
    return true;
  }

  /** Audio of an answer arrived. */
  audio(responseId: string | undefined): void {
    this.watchdog.answered();
    const say = this.unbreakable;
    if (say && !say.bound && (responseId === undefined || responseId !== say.after)) Object.assign(say, { bound: true, responseId });
  }

  /** The provider finished an answer. */
  responseDone(responseId: string | undefined): void {
    if (this.unbreakable?.bound && this.unbreakable.responseId === responseId) this.unbreakable.done = true;
  }

  /** Queued answers have played out. */
  drained(): void {
    if (this.unbreakable?.done) this.unbreakable = undefined;
  }

  /** The session ends. */
  stop(): void {
    this.watchdog.pause();
    this.unbreakable = undefined;
  }

  /** No answer came. The first time ask again; the second time in a row, fall back. */
  private onNoAnswer(attempt: number): void {
    const waitedMs = this.watch.noAnswerMs ?? 6000;
    this.unbreakable = undefined;
    this.host.noAnswer({ attempt, waitedMs });
    const provider = this.host.provider;
    if (attempt >= 2) {
      this.host.fail(new ProviderError(`${provider.name} gave no answer ${waitedMs} ms after it was due, twice`, 'no_answer'));
      return;
    }
    this.host.logger.warn({ waitedMs }, 'no answer from the provider: asking again');
    this.watchdog.arm();
    try {
      provider.requestResponse({ instructions: this.watch.reprompt });
    } catch (error) {
      if (!(error instanceof ProviderUnsupportedError)) throw error;
      provider.requestResponse({ instructions: 'Answer the caller.' });
    }
  }
}
