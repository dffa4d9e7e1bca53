/**
 * What a session measures, turn by turn, in bounded memory: one {@link TurnMetrics} per answer
 * (what triggered it, the caller's end of speech to the first answer frame sent, the provider's
 * time to first byte, the vendor's usage, interruptions, tools), the last transcript lines, and
 * the ids of interrupted answers (whose late audio is dropped). A call of any length keeps at
 * most a fixed number of each.
 *
 * @module
 */
import type { ProviderUsage } from './provider.js';

/** What made the assistant answer. */
export type TurnTrigger = 'caller' | 'greeting' | 'say' | 'reply' | 'tool' | 'provider';

/** Measurements of one answer; the session emits them as `metrics` when the answer ends. */
export interface TurnMetrics {
  /** 1, 2, ... in the order answers ended. */
  readonly turn: number;
  /** The provider's id of the answer, when it gives one. */
  readonly responseId?: string;
  /** What started the answer. */
  readonly trigger: TurnTrigger;
  /**
   * Caller turns: from the caller's end of speech (as the provider's VAD signalled it) to the
   * first frame of the answer sent to the caller, ms.
   */
  readonly endOfSpeechToFirstAudioMs?: number;
  /** From the trigger (end of speech, or the session's request) to the provider's first audio byte, ms. */
  readonly providerFirstByteMs?: number;
  /** Answer audio received from the provider, ms. */
  readonly audioMs: number;
  /** The caller interrupted it. */
  readonly interrupted: boolean;
  /** The provider's final status (`completed`, `cancelled`, `interrupted`...), or `ended` when the session ended first. */
  readonly status?: string;
  /** Names of the tools it called. */
  readonly toolCalls: readonly string[];
  /** Tokens, as the vendor reported them for this answer. */
  readonly usage?: ProviderUsage;
}

/** One line of the session's transcript. */
export interface TranscriptLine {
  /** Ms since the session started. */
  readonly atMs: number;
  /** Who spoke. */
  readonly role: 'user' | 'assistant';
  /** What was said. */
  readonly text: string;
}

/** Limits of what a session keeps. */
export interface SessionMemoryLimits {
  /** Transcript lines kept (the latest). Default 200. */
  transcriptLines?: number;
  /** Barge-in latencies kept (the latest). Default 100. */
  bargeIns?: number;
}

interface OpenTurn {
  responseId: string | undefined;
  trigger: TurnTrigger;
  triggeredAt: number;
  firstByteAt?: number;
  firstFrameAt?: number;
  audioMs: number;
  interrupted: boolean;
  toolCalls: string[];
  usage?: ProviderUsage;
  /** The provider is done but the first frame has not left yet: finished when it does. */
  doneStatus?: { status: string | undefined };
}

/** A set that forgets its oldest members beyond `limit`. */
export class BoundedSet<T> {
  private readonly items = new Set<T>();
  constructor(private readonly limit: number) {}
  add(item: T): void {
    this.items.delete(item);
    this.items.add(item);
    if (this.items.size > this.limit) this.items.delete(this.items.values().next().value as T);
  }
  has(item: T): boolean {
    return this.items.has(item);
  }
  get size(): number {
    return this.items.size;
  }
}

/** Appends to `list`, dropping the oldest beyond `limit`; returns how many were dropped. */
export function pushBounded<T>(list: T[], item: T, limit: number): number {
  list.push(item);
  const over = list.length - limit;
  if (over > 0) list.splice(0, over);
  return Math.max(0, over);
}

const UNKNOWN = '\0unknown';

/**
 * Follows answers from trigger to end. The session tells it what happens; it calls `emit` with
 * each answer's {@link TurnMetrics} when the provider says the answer is done.
 */
export class TurnTracker {
  /** Answers measured so far. */
  turns = 0;
  /** Answers interrupted by the caller. */
  interruptions = 0;
  /** Tokens reported by the vendor over the whole session. */
  readonly usage: { inputTokens: number; outputTokens: number; totalTokens: number } = { inputTokens: 0, outputTokens: 0, totalTokens: 0 };
  /** Answers interrupted: their late audio and tool calls are dropped. */
  readonly cancelled = new BoundedSet<string>(32);
  private pending: OpenTurn | undefined;
  private readonly open = new Map<string, OpenTurn>();
  /** The answer whose audio came last. */
  private current: OpenTurn | undefined;

  constructor(private readonly emit: (metrics: TurnMetrics) => void) {}

  /** Something asked for an answer at `at` (a later trigger of the same kind replaces an unanswered one). */
  trigger(trigger: TurnTrigger, at = performance.now()): void {
    this.pending = { responseId: undefined, trigger, triggeredAt: at, audioMs: 0, interrupted: false, toolCalls: [] };
  }

  /** Whether audio of this answer must be dropped (it was interrupted). */
  isCancelled(responseId: string | undefined): boolean {
    return responseId !== undefined && this.cancelled.has(responseId);
  }

  /** A chunk of answer audio (`ms` long) came from the provider; `queuedMs` was waiting before it. */
  audio(responseId: string | undefined, ms: number, queuedMs: number, at = performance.now()): void {
    const turn = this.bind(responseId);
    if (turn.firstByteAt === undefined) {
      turn.firstByteAt = at;
      // Behind queued audio, the first frame leaves when that has been played.
      if (queuedMs > 0) turn.firstFrameAt = at + queuedMs;
    }
    turn.audioMs += ms;
    this.current = turn;
  }

  /** The first frame of an answer (after silence) left for the caller. */
  frameSent(at = performance.now()): void {
    const turn = this.current;
    if (!turn || turn.firstByteAt === undefined || turn.firstFrameAt !== undefined) return;
    turn.firstFrameAt = at;
    if (turn.doneStatus) this.finish(turn.responseId ?? UNKNOWN, turn, turn.doneStatus.status);
  }

  /** The model called a tool in this answer. */
  toolCall(responseId: string | undefined, name: string): void {
    this.bind(responseId).toolCalls.push(name);
  }

  /** The caller barged in on the current answer: it is cancelled. */
  bargeIn(): void {
    const turn = this.current;
    if (!turn) return;
    if (!turn.interrupted) this.interruptions++;
    turn.interrupted = true;
    if (turn.responseId !== undefined) this.cancelled.add(turn.responseId);
    if (turn.doneStatus) this.finish(turn.responseId ?? UNKNOWN, turn, turn.doneStatus.status);
  }

  /** The provider says the answer ended. */
  done(responseId: string | undefined, status: string | undefined, usage: ProviderUsage | undefined): void {
    const key = responseId ?? UNKNOWN;
    let turn = this.open.get(key);
    if (!turn && this.pending && !this.isCancelled(responseId)) turn = this.bind(responseId);
    if (usage) {
      this.usage.inputTokens += usage.inputTokens ?? 0;
      this.usage.outputTokens += usage.outputTokens ?? 0;
      this.usage.totalTokens += usage.totalTokens ?? 0;
    }
    if (!turn) return;
    turn.usage = usage;
    // Its audio is queued but not playing yet: the metrics wait for the first frame to leave.
    if (turn.firstByteAt !== undefined && turn.firstFrameAt === undefined && !turn.interrupted) turn.doneStatus = { status };
    else this.finish(key, turn, status);
  }

  /** The session ends: open answers are reported as they are. */
  close(): void {
    for (const [key, turn] of [...this.open]) this.finish(key, turn, turn.doneStatus ? turn.doneStatus.status : 'ended');
  }

  private bind(responseId: string | undefined): OpenTurn {
    const key = responseId ?? UNKNOWN;
    let turn = this.open.get(key);
    if (turn) return turn;
    turn = this.pending ?? { responseId, trigger: 'provider', triggeredAt: performance.now(), audioMs: 0, interrupted: false, toolCalls: [] };
    this.pending = undefined;
    turn.responseId = responseId;
    this.open.set(key, turn);
    if (this.open.size > 16) this.finish(this.open.keys().next().value!, this.open.values().next().value!, 'unknown');
    return turn;
  }

  private finish(key: string, turn: OpenTurn, status: string | undefined): void {
    this.open.delete(key);
    if (this.current === turn) this.current = undefined;
    const metrics: TurnMetrics = {
      turn: ++this.turns,
      ...(turn.responseId !== undefined && { responseId: turn.responseId }),
      trigger: turn.trigger,
      ...(turn.trigger === 'caller' && turn.firstFrameAt !== undefined && { endOfSpeechToFirstAudioMs: Math.round(turn.firstFrameAt - turn.triggeredAt) }),
      ...(turn.firstByteAt !== undefined && { providerFirstByteMs: Math.round(turn.firstByteAt - turn.triggeredAt) }),
      audioMs: Math.round(turn.audioMs),
      interrupted: turn.interrupted,
      ...(status !== undefined && { status }),
      toolCalls: turn.toolCalls,
      ...(turn.usage && { usage: turn.usage }),
    };
    this.emit(metrics);
  }
}
