/**
 * "Something happened, look again": what the simulated media (streams, `unicast`) use to let a
 * test wait for a condition without polling. Each wait ends at the next {@link Wakeups.wake} or
 * at its deadline.
 *
 * @module
 * @internal
 */

/** Pending waits, woken all at once when something happens. */
export class Wakeups {
  private readonly waiters = new Set<() => void>();

  /** Ends every pending wait. */
  wake(): void {
    for (const w of [...this.waiters]) w();
  }

  /** Resolves at the next {@link wake}, or after `ms` (never rejects). */
  next(ms = Infinity): Promise<void> {
    return new Promise<void>((resolve) => {
      const waiters = this.waiters;
      const timer = Number.isFinite(ms) ? setTimeout(done, ms) : undefined;
      function done(): void {
        clearTimeout(timer);
        waiters.delete(done);
        resolve();
      }
      waiters.add(done);
    });
  }

  /**
   * Resolves once `predicate` holds, checked now and at each wake; throws an `Error` with
   * `failure()` as its message when it still does not after `timeoutMs`.
   */
  async until(predicate: () => boolean, timeoutMs: number, failure: () => string): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (!predicate()) {
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(failure());
      await this.next(left);
    }
  }
}
