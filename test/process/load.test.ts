import { describe, expect, it } from 'vitest';
import { runLoad } from '../../bench/load.js';

describe('load on loopback (bench/load.ts, small)', () => {
  it(
    'originates over two simulated FreeSWITCH nodes into two workers, audio both ways, and loses no call',
    async () => {
      const report = await runLoad({ nodes: 2, workers: 2, rate: 10, holdMs: 400, durationMs: 1000 });
      expect(report).toMatchObject({ originated: 10, originateFailures: 0, handled: 10, completed: 10, lost: 0, workerRestarts: 0 });
      expect(Object.keys(report.byNode).sort()).toEqual(['fs-0', 'fs-1']);
      expect(Object.keys(report.byWorker).sort()).toEqual(['0', '1']);
      expect(report.peakConcurrent).toBeGreaterThan(1);
      expect(report.framesInPerCall).toBeGreaterThan(5);
      expect(report.framesOutPerCall).toBeGreaterThan(5);
    },
    60_000,
  );
});
