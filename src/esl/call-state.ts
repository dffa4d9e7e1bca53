/**
 * What a call's own events say about it: whether and why it hung up, its
 * `CHANNEL_HANGUP_COMPLETE` (billing variables), and whether the caller left this socket's
 * control (a transfer, the dialplan, a bridge).
 *
 * @module
 */
import type { EslEvent } from './event.js';

/**
 * How a call left the control of its socket (see {@link OutboundCall.handedOff}):
 * - `transfer`: a {@link OutboundCall.transfer} of this object succeeded;
 * - `dialplan`: the `socket` application ended while the channel is up (anyone's `uuid_transfer`,
 *   a redirect): the dialplan has the caller now;
 * - `bridge`: the channel is bridged to another leg (until it is unbridged).
 */
export type CallHandoff = 'transfer' | 'dialplan' | 'bridge';

/** A call's hangup: its cause and the event that told. */
export interface HangupInfo {
  /** `Hangup-Cause`, e.g. `NORMAL_CLEARING`. */
  cause: string;
  /** The `CHANNEL_HANGUP` (or `CHANNEL_HANGUP_COMPLETE`) that told. */
  event: EslEvent;
}

/** The hangup and hand-off state of one call, fed with the call's events. */
export class CallState {
  /** Set by the first `CHANNEL_HANGUP` (or a `CHANNEL_HANGUP_COMPLETE` without one). */
  hangup: HangupInfo | undefined;
  /** The `CHANNEL_HANGUP_COMPLETE`, once in. */
  hangupComplete: EslEvent | undefined;
  /** See {@link OutboundCall.handedOff}. */
  handoff: CallHandoff | undefined;

  /** Feeds one of the call's events; returns `true` when it is the call's hangup (once). */
  onEvent(event: EslEvent): boolean {
    switch (event.name) {
      case 'CHANNEL_HANGUP':
        if (this.hangup !== undefined) return false;
        this.hangup = { cause: event.hangupCause ?? 'NORMAL_CLEARING', event };
        return true;
      case 'CHANNEL_HANGUP_COMPLETE':
        this.hangupComplete = event;
        if (this.hangup === undefined) this.hangup = { cause: event.hangupCause ?? 'NORMAL_CLEARING', event };
        return false;
      case 'CHANNEL_EXECUTE_COMPLETE':
        // The `socket` application ends with the channel up only when the channel leaves it (a transfer).
        if (this.hangup === undefined && event.get('Application') === 'socket' && this.handoff !== 'transfer') this.handoff = 'dialplan';
        return false;
      case 'CHANNEL_BRIDGE':
        this.handoff ??= 'bridge';
        return false;
      case 'CHANNEL_UNBRIDGE':
        if (this.handoff === 'bridge') this.handoff = undefined;
        return false;
      default:
        return false;
    }
  }

  /** A transfer of this call succeeded: the dialplan has the caller, unless the call already hung up. */
  transferred(): void {
    if (this.hangup === undefined && this.handoff !== 'dialplan') this.handoff = 'transfer';
  }
}
