/**
 * The load side of the calls-per-core benchmarks (`bench/media.ts`, `bench/ws-media.ts`): every
 * call sends one frame per 20 ms in its own slot of the period (ten 2 ms slots: real calls start
 * at random moments, not all in one burst), and the media process in `child` measures a window
 * once the load has run for a second.
 */
import type { ChildProcess } from 'node:child_process';

/** Slots of the 20 ms period. */
const SLOTS = 10;
/** Load before the measured window, ms. */
const WARM_UP_MS = 1000;

/**
 * Runs `send(call)` for each of `n` calls every 20 ms, then, after the warm-up, calls
 * `onWindow()`, asks `child` to measure (`{ measure: true }`) and waits for its answer; stops the
 * load and kills `child`. Resolves with the answer and the window's length, s.
 */
export async function measureUnderLoad<T>(child: ChildProcess, n: number, send: (call: number) => void, onWindow: () => void): Promise<{ result: T; seconds: number }> {
  const start = performance.now();
  let tick = 0;
  let running = true;
  const loop = (): void => {
    if (!running) return;
    for (let i = tick % SLOTS; i < n; i += SLOTS) send(i);
    tick++;
    setTimeout(loop, Math.max(0, start + tick * (20 / SLOTS) - performance.now()));
  };
  loop();
  await new Promise((r) => setTimeout(r, WARM_UP_MS));
  onWindow();
  const t0 = performance.now();
  child.send({ measure: true });
  const result = await new Promise<T>((r) => child.once('message', (m) => r(m as T)));
  const seconds = (performance.now() - t0) / 1000;
  running = false;
  child.kill();
  return { result, seconds };
}
