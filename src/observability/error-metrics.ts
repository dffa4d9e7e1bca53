/**
 * Errors by code: every failure reported through the SDK's error path (`reportError`), whether
 * a listener took it or it was logged.
 *
 * @module
 */
import { CallHandlerError, VoiceAiError } from '../errors.js';
import { tapReportedErrors } from './error-tap.js';
import type { MetricFactory } from './prom.js';

/** `errors_total{code}`. */
export class ErrorMetrics {
  private readonly errors;

  constructor(f: MetricFactory) {
    this.errors = f.counter('errors_total', 'Failures reported by the SDK, by error code (VoiceAiError code, else the error name)', ['code']);
  }

  /** Counts reported errors until the returned function is called; `onHandlerFailed` hears of each failed call handler. */
  start(onHandlerFailed: (uuid: string) => void): () => void {
    return tapReportedErrors((error) => {
      this.errors.inc({ code: error instanceof VoiceAiError ? error.code : error.name || 'Error' });
      if (error instanceof CallHandlerError) onHandlerFailed(error.uuid);
    });
  }
}
