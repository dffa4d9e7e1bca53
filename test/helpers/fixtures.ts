import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `test/fixtures`: recordings of a real FreeSWITCH (ESL, RTP, WebSocket) and caller audio, kept unchanged. */
export const FIXTURES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

export type { Capture, CaptureStep } from '../../src/testing/capture-replay.js';
import type { Capture } from '../../src/testing/capture-replay.js';

/** Loads one ESL capture by file name (without `.json`). */
export function loadCapture(name: string): Capture {
  return JSON.parse(readFileSync(join(FIXTURES_DIR, 'esl', `${name}.json`), 'utf8')) as Capture;
}

/** Every ESL capture, by name. */
export function allCaptures(): Map<string, Capture> {
  const out = new Map<string, Capture>();
  for (const f of readdirSync(join(FIXTURES_DIR, 'esl')).sort()) {
    if (f.endsWith('.json')) out.set(f.slice(0, -5), loadCapture(f.slice(0, -5)));
  }
  return out;
}

/**
 * Every `recv` step of every capture, with its expected frame count (`inbound-rude-rejection`
 * records none; it holds the rejection and the disconnect notice).
 */
export function allRecvSteps(): { capture: string; index: number; bytes: Buffer; frames: number }[] {
  const out: { capture: string; index: number; bytes: Buffer; frames: number }[] = [];
  for (const [name, capture] of allCaptures()) {
    capture.steps.forEach((step, index) => {
      if (step.recv !== undefined && step.recv.length > 0) {
        out.push({ capture: name, index, bytes: Buffer.from(step.recv, 'utf8'), frames: step.frames ?? (name === 'inbound-rude-rejection' ? 2 : 0) });
      }
    });
  }
  return out;
}
