/**
 * The calls the secretary places to people before an announced transfer come back to its own
 * outbound server (`originate ... &socket(<server> async full)` with `voice_ai_consult` set to
 * the leg's uuid). This registry hands each arriving leg to the transfer waiting for it — a
 * transfer registers before it originates, so the connection may come before or after the
 * originate's result.
 */
import type { OutboundCall } from 'freeswitch-voice-ai';

/** The channel variable that marks a consult leg; its value is the leg's uuid. */
export const CONSULT_VARIABLE = 'voice_ai_consult';

interface Pending {
  resolve(call: OutboundCall): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout | undefined;
}

/** What {@link ConsultRegistry.expect} returns. */
export interface ExpectedConsult {
  /** Resolves with the leg once it connects. */
  readonly arrival: Promise<OutboundCall>;
  /** Starts the clock: rejects when the leg has not connected within `timeoutMs` (call it once the originate answered). */
  arm(timeoutMs: number): void;
  /** Gives up (the arrival rejects); a leg that still connects is hung up. */
  cancel(reason?: string): void;
}

/** Consult legs expected by transfers in progress. */
export class ConsultRegistry {
  private readonly pending = new Map<string, Pending>();

  /** Legs being waited for. */
  get size(): number {
    return this.pending.size;
  }

  /** Registers the leg `uuid` before originating it. */
  expect(uuid: string): ExpectedConsult {
    let entry!: Pending;
    const arrival = new Promise<OutboundCall>((resolve, reject) => {
      entry = { resolve, reject, timer: undefined };
    });
    arrival.catch(() => {});
    this.pending.set(uuid, entry);
    const settle = (): void => {
      if (entry.timer) clearTimeout(entry.timer);
      if (this.pending.get(uuid) === entry) this.pending.delete(uuid);
    };
    void arrival.then(settle, settle);
    return {
      arrival,
      arm: (timeoutMs) => {
        if (this.pending.get(uuid) !== entry || entry.timer) return;
        entry.timer = setTimeout(() => entry.reject(new Error(`the person answered but the call never reached this server within ${timeoutMs} ms`)), timeoutMs);
      },
      cancel: (reason = 'cancelled') => entry.reject(new Error(reason)),
    };
  }

  /** A consult leg connected: hands it to its transfer, or hangs it up when nobody waits for it. */
  arrived(call: OutboundCall): boolean {
    const uuid = call.channel.getVariable(CONSULT_VARIABLE) ?? call.uuid;
    const entry = this.pending.get(uuid);
    if (!entry) {
      void call.hangup('NORMAL_CLEARING').catch(() => {});
      return false;
    }
    entry.resolve(call);
    return true;
  }
}
