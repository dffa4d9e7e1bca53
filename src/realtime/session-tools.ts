/**
 * Running the model's tool calls for a session: each handler with an `AbortSignal`, its result
 * sent back to the provider, and the side effects a handler asked for (`afterSpeech`: hang up,
 * transfer) run only once the assistant's last words have played out — and not at all when the
 * caller interrupts first or the vendor withdraws the call.
 *
 * @module
 */
import type { OutboundCall } from '../esl/outbound-call.js';
import type { Logger } from '../logger.js';
import type { AssistantSpeech } from './assistant-speech.js';
import type { ProviderToolCall, RealtimeProvider } from './provider.js';
import type { AfterSpeechOptions, ToolRegistry } from './tools.js';

/** How long side effects wait for the assistant's farewell (`RealtimeSessionOptions.afterSpeech`). */
export interface AfterSpeechTiming {
  /** The assistant must stay silent this long before the action runs (an answer to the tool's result may follow), ms. Default 800. */
  graceMs?: number;
  /** The action runs after this long even if the assistant is still speaking, ms. Default 15 000. */
  maxWaitMs?: number;
}

/** What a {@link ToolRunner} needs from its session. */
export interface ToolRunnerHost {
  readonly call: OutboundCall;
  readonly provider: RealtimeProvider;
  readonly tools: ToolRegistry;
  readonly speech: AssistantSpeech;
  readonly logger: Logger;
  readonly timing: AfterSpeechTiming;
  /** A result is ready (before it is sent). */
  onResult(call: ProviderToolCall, result: unknown): void;
  /** A result was sent: an answer to it is due. */
  onResultSent(call: ProviderToolCall): void;
  /** A side effect asked to end the session. */
  endSession(reason: 'tool-hangup' | 'transferred', hangupCause?: string): void;
  /** A side effect failed. */
  onError(error: Error, call: ProviderToolCall): void;
  /** The session has ended. */
  readonly ended: boolean;
}

interface SideEffect {
  readonly action: () => unknown;
  readonly options: AfterSpeechOptions;
  readonly hangupCause?: string;
}

/** Runs a session's tool calls. */
export class ToolRunner {
  /** Handlers running or side effects waiting, by call id. */
  private readonly active = new Map<string, AbortController>();

  constructor(private readonly host: ToolRunnerHost) {}

  /** Calls running or waiting to act. */
  get pending(): number {
    return this.active.size;
  }

  /** Runs one call: the handler, its result to the provider, then its side effects after the farewell. */
  async run(call: ProviderToolCall): Promise<void> {
    const host = this.host;
    const abort = new AbortController();
    this.active.set(call.id, abort);
    const effects: SideEffect[] = [];
    try {
      const result = await host.tools.run(call.name, call.args, {
        call: host.call,
        signal: abort.signal,
        afterSpeech: (action, options = {}) => void effects.push({ action, options }),
        hangupAfterSpeech: (cause = 'NORMAL_CLEARING') => void effects.push({ action: () => {}, options: { endSession: 'tool-hangup' }, hangupCause: cause }),
      });
      if (abort.signal.aborted || host.ended) return;
      host.onResult(call, result);
      host.provider.sendToolResult(call.id, result);
      host.onResultSent(call);
      if (effects.length === 0) return;
      const waited = await host.speech
        .untilSilent({ graceMs: host.timing.graceMs ?? 800, maxWaitMs: host.timing.maxWaitMs ?? 15_000, signal: abort.signal })
        .then(() => true, () => false);
      if (!waited || host.ended) {
        host.logger.debug({ tool: call.name }, 'tool side effect cancelled (interrupted, withdrawn or call ended)');
        return;
      }
      this.active.delete(call.id);
      for (const effect of effects) await this.act(call, effect);
    } finally {
      if (this.active.get(call.id) === abort) this.active.delete(call.id);
    }
  }

  /** Aborts the handlers and pending side effects of `ids` (all when omitted): a barge-in, a withdrawal, the end. */
  cancel(ids?: Iterable<string>): void {
    for (const id of ids ?? [...this.active.keys()]) {
      this.active.get(id)?.abort();
      this.active.delete(id);
    }
  }

  private async act(call: ProviderToolCall, effect: SideEffect): Promise<void> {
    try {
      await effect.action();
    } catch (error) {
      this.host.onError(error instanceof Error ? error : new Error(String(error)), call);
      return;
    }
    if (effect.options.endSession) this.host.endSession(effect.options.endSession, effect.hangupCause);
  }
}
