/**
 * The lifecycle events of {@link OutboundCall}, told apart from FreeSWITCH event names (which go
 * to the call's event router).
 *
 * @module
 */
import type { HangupInfo } from './call-state.js';
import type { EslEvent } from './event.js';

/** What {@link OutboundCall} emits (FreeSWITCH events use `on('CHANNEL_EXECUTE', ...)`). */
export interface OutboundCallEvents {
  /** `CHANNEL_HANGUP`: the call is over; pending executions have been rejected. */
  hangup: [info: HangupInfo];
  /** A DTMF digit from the caller. `durationMs` assumes FreeSWITCH's 8 kHz DTMF clock. */
  dtmf: [info: { digit: string; durationMs: number; event: EslEvent }];
  /**
   * The socket closed and everything of the call is released. `hangupComplete` is the
   * `CHANNEL_HANGUP_COMPLETE` (billing variables) when it arrived.
   */
  end: [info: { cause: string | undefined; hangupComplete: EslEvent | undefined; error: Error | undefined }];
  /** A handler of this call's events threw. Without a listener it is logged at `error`. */
  error: [error: Error];
}

/** A lifecycle event's name. */
export type CallLifecycleEvent = keyof OutboundCallEvents;

const LIFECYCLE = new Set<string>(['hangup', 'dtmf', 'end', 'error']);

/** Whether `name` is a lifecycle event (else it is a FreeSWITCH event name). */
export function isCallLifecycleEvent(name: string): name is CallLifecycleEvent {
  return LIFECYCLE.has(name);
}
