/**
 * What a measured window of a benchmark's process cost, shared by `bench/media.ts` and
 * `bench/sessions.ts`: CPU of the whole process and of its JavaScript thread alone, the host's
 * steal time (a paused VM shows up as late ticks while using little CPU), garbage-collection
 * pauses, and an optional CPU profile of the window (load it in Chrome DevTools).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';

/** What {@link startWindow}'s `stop()` reports. */
export interface WindowSample {
  /** Share of one core used by the process (every thread), over the window. */
  cpu: number;
  /** Share of one core used by the JavaScript thread alone (Linux; NaN elsewhere). */
  main: number;
  /** Share of the VM's CPU time its host took (steal) during the window. */
  steal: number;
  /** GC pauses: ms per second, and the longest, ms. */
  gcMsPerS: number;
  gcMax: number;
  /** Length of the window, ms. */
  wallMs: number;
}

/**
 * The VM's CPU time stolen by its host, and all CPU time, in ticks (Linux `/proc/stat`; zeros
 * elsewhere): a run with steal is a noisy run, whatever the code did.
 */
export function hostTimes(): { steal: number; total: number } {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
    return { steal: f[7]!, total: f.reduce((a, b) => a + b, 0) };
  } catch {
    return { steal: 0, total: 0 };
  }
}

/** CPU time of the JavaScript thread alone, ms (Linux; NaN elsewhere): the rest is V8's GC and compiler threads. */
export function mainThreadCpuMs(): number {
  try {
    const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, at USER_HZ 100
  } catch {
    return Number.NaN;
  }
}

/** Starts measuring this process; `stop()` reports the window. */
export function startWindow(): { stop(): WindowSample } {
  const gc = { total: 0, max: 0 };
  const pauses = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gc.total += e.duration;
      gc.max = Math.max(gc.max, e.duration);
    }
  });
  pauses.observe({ entryTypes: ['gc'] });
  const cpu = process.cpuUsage();
  const main0 = mainThreadCpuMs();
  const steal0 = hostTimes();
  const t0 = performance.now();
  return {
    stop() {
      const used = process.cpuUsage(cpu);
      const wallMs = performance.now() - t0;
      const main = (mainThreadCpuMs() - main0) / wallMs;
      const host = hostTimes();
      const steal = (host.steal - steal0.steal) / Math.max(1, host.total - steal0.total);
      pauses.disconnect();
      return { cpu: (used.user + used.system) / 1000 / wallMs, main, steal, gcMsPerS: gc.total / (wallMs / 1000), gcMax: gc.max, wallMs };
    },
  };
}

/** The inspector's CPU profiler; `stop(dir, name)` writes `<dir>/<name>-<pid>.cpuprofile`. */
export function startProfile(): { stop(dir: string, name?: string): Promise<string> } {
  const session = new Session();
  session.connect();
  const post = (method: string): Promise<unknown> => new Promise((r, j) => session.post(method, (e, v) => (e ? j(e) : r(v))));
  const started = post('Profiler.enable').then(() => post('Profiler.start'));
  return {
    async stop(dir, name = 'media') {
      await started;
      const { profile } = (await post('Profiler.stop')) as { profile: unknown };
      session.disconnect();
      const file = join(dir, `${name}-${process.pid}.cpuprofile`);
      writeFileSync(file, JSON.stringify(profile));
      return file;
    },
  };
}

/**
 * The inspector's sampling heap profiler, counting what was allocated in the window even if it
 * was collected since (allocation sites of the garbage the GC works on); `stop(dir, name)`
 * writes `<dir>/<name>-<pid>.heapprofile` (load it in Chrome DevTools).
 */
export function startHeapProfile(): { stop(dir: string, name?: string): Promise<string> } {
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object): Promise<unknown> => new Promise((r, j) => session.post(method, params, (e, v) => (e ? j(e) : r(v))));
  const started = post('HeapProfiler.enable').then(() =>
    post('HeapProfiler.startSampling', { samplingInterval: 16384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true }),
  );
  return {
    async stop(dir, name = 'heap') {
      await started;
      const { profile } = (await post('HeapProfiler.stopSampling')) as { profile: unknown };
      session.disconnect();
      const file = join(dir, `${name}-${process.pid}.heapprofile`);
      writeFileSync(file, JSON.stringify(profile));
      return file;
    },
  };
}
