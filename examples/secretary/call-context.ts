/**
 * What the tools of one call share: the secretary, the call, its directory, where records go,
 * the clock, and — once started — the session. Built by the call handler, passed to each tool.
 */
import type { Logger, OutboundCall, RealtimeSession } from 'freeswitch-voice-ai';
import type { TransferDestination } from './destinations.js';
import type { Secretary } from './profile.js';
import type { CallRecorder } from './records.js';
import type { SecretaryStore } from './store.js';

/** One caller's call, as its tools see it. */
export interface CallContext {
  readonly secretary: Secretary;
  readonly call: OutboundCall;
  /** The secretary's destinations and the tenant's directory, with the operator. */
  readonly directory: readonly TransferDestination[];
  readonly store: SecretaryStore;
  readonly record: CallRecorder;
  /** The clock business hours are evaluated with. */
  readonly now: () => Date;
  readonly logger: Logger;
  /** The caller's session, once created. */
  session: RealtimeSession | undefined;
  /** The caller goes on hold / comes back (the silence timeout pauses; hanging up on hold is abandoning). */
  setHold(on: boolean): void;
}

/**
 * Resolves once the assistant's queued speech has been played (at once when nothing is
 * queued), or after `timeoutMs`: what a tool with a side effect on the call (hold, transfer)
 * waits for, so the caller hears the whole sentence first.
 */
export function speechDone(session: RealtimeSession | undefined, timeoutMs = 8000): Promise<void> {
  const media = session?.media;
  if (!media || media.queuedMs === 0) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      media.off('drained', done);
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    media.once('drained', done);
  });
}
