/**
 * Graceful shutdown of an outbound server: stop accepting, let calls finish until a deadline,
 * then hand the calls still up back to FreeSWITCH's dialplan — transferred to a fallback
 * extension, or released to the actions after `socket` — never hung up.
 *
 * @module
 */
import type { Logger } from '../logger.js';
import type { OutboundCall } from './outbound-call.js';

/** Where calls still up at the deadline go. */
export type TransferTarget = string | { extension: string; dialplan?: string; context?: string };

/** Options of {@link OutboundServer.shutdown}. */
export interface OutboundShutdownOptions {
  /** Ms calls in progress may go on before they are handed back. Default 30 000; 0 hands them back at once. */
  deadlineMs?: number;
  /**
   * Where calls still up at the deadline go: an extension (`'operator'`) in the call's own
   * context, or `{ extension, dialplan, context }` (`uuid_transfer`, or the `transfer`
   * application on a socket without `full`). Without it each call's socket is closed and
   * FreeSWITCH continues the dialplan after the `socket` action (put a fallback there, e.g.
   * `<action application="transfer" data="operator XML ${domain_name}"/>`). A failed transfer
   * falls back to that too.
   */
  transferTo?: TransferTarget;
  /** Ms to wait for the sockets to close after the hand-back before destroying them. Default 5000. */
  closeTimeoutMs?: number;
  /** Aborting it moves the deadline to now (a second SIGTERM). */
  signal?: AbortSignal;
}

/** What {@link OutboundServer.shutdown} did. */
export interface OutboundShutdownReport {
  /** Calls that ended by themselves before the deadline. */
  finished: number;
  /** Calls transferred to `transferTo` at the deadline. */
  transferred: number;
  /** Calls whose socket was closed so the dialplan continues after `socket` (no `transferTo`, or the transfer failed). */
  released: number;
  /** Transfers FreeSWITCH refused or that timed out (those calls were released instead). */
  transferFailures: number;
}

/** Ms a hand-back transfer may take. */
const TRANSFER_TIMEOUT_MS = 5000;

/** Resolves after `ms`, or at once when `signal` aborts. */
export function deadline(ms: number, signal?: AbortSignal): { promise: Promise<void>; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const promise = new Promise<void>((resolve) => {
    if (ms <= 0 || signal?.aborted) return resolve();
    timer = setTimeout(resolve, ms);
    onAbort = () => resolve();
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  return {
    promise,
    cancel: () => {
      clearTimeout(timer);
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    },
  };
}

/**
 * Hands calls back to the dialplan: each active call is transferred to `transferTo` (when
 * given) and its socket closed, so FreeSWITCH runs the transfer target or the actions after
 * `socket`. Never hangs a call up. Resolves once every transfer was answered.
 */
export async function handBackCalls(
  calls: Iterable<OutboundCall>,
  transferTo: TransferTarget | undefined,
  logger: Logger,
): Promise<Pick<OutboundShutdownReport, 'transferred' | 'released' | 'transferFailures'>> {
  const report = { transferred: 0, released: 0, transferFailures: 0 };
  await Promise.all(
    [...calls].map(async (call) => {
      if (!call.isActive) return;
      const log = call.logger ?? logger;
      if (transferTo !== undefined) {
        const target = typeof transferTo === 'string' ? { extension: transferTo } : transferTo;
        const context = target.context ?? call.channel.context ?? 'default';
        try {
          await call.transfer(target.extension, target.dialplan ?? 'XML', context, { timeout: TRANSFER_TIMEOUT_MS });
          report.transferred++;
          log.info({ extension: target.extension, context }, 'shutdown: call transferred back to the dialplan');
        } catch (error) {
          report.transferFailures++;
          report.released++;
          log.warn({ err: (error as Error).message }, 'shutdown: transfer failed; releasing the call to the dialplan after `socket`');
        }
      } else {
        report.released++;
        log.info({}, 'shutdown: call released to the dialplan after `socket`');
      }
      call.close();
    }),
  );
  return report;
}
