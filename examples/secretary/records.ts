/**
 * The record of one call: its transcript with times, the latency of each answer (the caller
 * stops speaking → the first audio of the answer goes out), what happened (answered,
 * transferred, message, abandoned), and a summary — saved when the call ends.
 */
import { randomUUID } from 'node:crypto';
import type { EndReason, OutboundCall, RealtimeProvider, RealtimeSession } from 'freeswitch-voice-ai';
import type { Secretary } from './profile.js';
import type { CallOutcome, CallRecord, TakenMessage, TranscriptLine } from './store.js';

/** Collects a call's record while it runs. */
export class CallRecorder {
  /** `voice_conversation_uuid`. */
  readonly id = randomUUID();
  readonly transcript: TranscriptLine[] = [];
  readonly turnLatenciesMs: number[] = [];
  private readonly startedAt: Date;
  private readonly t0 = performance.now();
  private transfer: CallRecord['transfer'];
  private message: (TakenMessage & { id: string }) | undefined;
  private requested: string | undefined;
  private holding = false;
  private heardAt: number | undefined;
  private userTurns = 0;

  constructor(
    private readonly secretary: Secretary,
    private readonly call: OutboundCall,
    private readonly providerName: string,
  ) {
    this.startedAt = new Date();
  }

  /** Ms since the call started. */
  get elapsedMs(): number {
    return Math.round(performance.now() - this.t0);
  }

  /** Caller turns so far. */
  get turns(): number {
    return this.userTurns;
  }

  /**
   * Follows a session: its transcript lines, and per answer the time from the caller's last
   * `speechStopped` to the first frame of the answer sent (the bridge's `talkspurtStart`).
   */
  attach(session: RealtimeSession, provider: RealtimeProvider): void {
    session.on('transcript', (line) => this.transcript.push({ atMs: this.elapsedMs, role: line.role, text: line.text }));
    provider.on('speechStopped', () => {
      this.userTurns++;
      this.heardAt = performance.now();
    });
    session.once('started', () => {
      session.media?.on('talkspurtStart', () => {
        if (this.heardAt === undefined) return;
        this.turnLatenciesMs.push(Math.round(performance.now() - this.heardAt));
        this.heardAt = undefined;
      });
    });
  }

  /** The caller asked for someone (for the summary). */
  noteRequest(who: string): void {
    this.requested = who;
  }

  /** The caller is on hold (hanging up now is abandoning). */
  noteHold(on: boolean): void {
    this.holding = on;
  }

  /** The caller was handed to someone. */
  noteTransfer(transfer: NonNullable<CallRecord['transfer']>): void {
    this.transfer = transfer;
  }

  /** The caller left a message. */
  noteMessage(message: TakenMessage & { id: string }): void {
    this.message = message;
  }

  /** The record, once the session ended for `reason`. */
  finish(reason: EndReason | 'unanswered', now = new Date()): CallRecord {
    const outcome: CallOutcome = this.transfer
      ? 'transferred'
      : this.message
        ? 'message'
        : reason === 'hangup' && (this.userTurns === 0 || this.holding)
          ? 'abandoned'
          : 'answered';
    return {
      id: this.id,
      domainUuid: this.secretary.domainUuid,
      secretaryUuid: this.secretary.uuid,
      callUuid: this.call.uuid,
      callerIdNumber: this.call.channel.callerIdNumber,
      callerIdName: this.call.channel.callerIdName,
      startedAt: this.startedAt,
      endedAt: now,
      outcome,
      summary: this.summary(outcome, now),
      transcript: this.transcript,
      turnLatenciesMs: this.turnLatenciesMs,
      transfer: this.transfer,
      provider: this.providerName,
    };
  }

  private summary(outcome: CallOutcome, now: Date): string {
    const c = this.call.channel;
    const who = c.callerIdName && c.callerIdName !== c.callerIdNumber ? `${c.callerIdName} (${c.callerIdNumber})` : (c.callerIdNumber ?? 'An unknown caller');
    const parts = [`${who} called ${this.secretary.company}`];
    if (this.requested) parts.push(`asked for ${this.requested}`);
    if (outcome === 'transferred' && this.transfer) {
      const dept = this.transfer.department ? ` (${this.transfer.department})` : '';
      parts.push(`${this.transfer.mode === 'announced' ? 'was introduced and transferred' : 'was transferred'} to ${this.transfer.name}${dept}, ${this.transfer.number}`);
    }
    if (this.message) parts.push(`left a ${this.message.urgency === 'normal' ? '' : `${this.message.urgency} `}message for ${this.message.destination?.name ?? this.message.recipient ?? this.secretary.company}: "${this.message.reason}"`);
    if (outcome === 'abandoned') parts.push(this.holding ? 'hung up on hold' : 'hung up before saying anything');
    const seconds = Math.round((now.getTime() - this.startedAt.getTime()) / 1000);
    return `${parts.join('; ')}. ${this.userTurns} caller turn${this.userTurns === 1 ? '' : 's'}, ${seconds} s.`;
  }
}
