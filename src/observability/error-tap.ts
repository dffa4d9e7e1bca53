/**
 * A tap on the SDK's one error path: every failure reported through `reportError` (emitted to
 * listeners or logged) is also shown to the observers here — how metrics count errors by code
 * without listening to `error` events, which would change who sees them.
 *
 * @module
 */

/** Sees each reported error, with the fields it was reported with. */
export type ReportedErrorObserver = (error: Error, fields: object) => void;

const observers = new Set<ReportedErrorObserver>();

/** Calls `observer` with every error reported from now on; returns the function that stops it. */
export function tapReportedErrors(observer: ReportedErrorObserver): () => void {
  observers.add(observer);
  return () => observers.delete(observer);
}

/** @internal Called by `reportError` for each error it reports. */
export function notifyReportedError(error: Error, fields: object): void {
  if (observers.size === 0) return;
  for (const observe of observers) {
    try {
      observe(error, fields);
    } catch {
      // An observer must never change how the error itself is reported.
    }
  }
}
