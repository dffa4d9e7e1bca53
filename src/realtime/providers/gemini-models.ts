/**
 * The Gemini Live models, in one place, with the date the list was checked. Google retires Live
 * models on short notice (`gemini-live-2.5-flash-preview`, the old default here, was shut down on
 * 2025-12-09 and every call then failed to connect): when this list changes, the default and a
 * test change with it, and a model known to be retired is refused when the provider is
 * constructed instead of failing on each call.
 *
 * Sources: Google's "Gemini deprecations" page and the model pages of the Gemini API
 * documentation, as of {@link GEMINI_LIVE_MODELS_CHECKED}.
 *
 * @module
 */

/** When the lists below were last checked against Google's pages (ISO date). */
export const GEMINI_LIVE_MODELS_CHECKED = '2026-12-07';

/** A Live model Google serves on the Gemini Developer API, as of {@link GEMINI_LIVE_MODELS_CHECKED}. */
export interface GeminiLiveModel {
  /** The model id (without `models/`). */
  readonly name: string;
  /** `stable` (GA) or `preview`. */
  readonly stage: 'stable' | 'preview';
  /** Release date (ISO date, or month when Google gives only the month). */
  readonly released: string;
  /** Announced shutdown date (ISO), when there is one. */
  readonly shutdown?: string;
}

/** Native-audio Live models served as of {@link GEMINI_LIVE_MODELS_CHECKED}. */
export const GEMINI_LIVE_MODELS: readonly GeminiLiveModel[] = [
  { name: 'gemini-3.8-live', stage: 'stable', released: '2026-09-15' },
  { name: 'gemini-3.8-live-extended-thinking', stage: 'stable', released: '2026-09-15' },
  { name: 'gemini-3.1-flash-live-preview', stage: 'preview', released: '2026-03' },
];

/** Live models Google has shut down: asking for one is a configuration error. */
export const RETIRED_GEMINI_LIVE_MODELS: Readonly<Record<string, { readonly shutdown: string; readonly replacement: string }>> = {
  'gemini-live-2.5-flash-preview': { shutdown: '2025-12-09', replacement: 'gemini-3.8-live' },
  'gemini-2.0-flash-live-001': { shutdown: '2025-12-09', replacement: 'gemini-3.8-live' },
};

/**
 * The default model: Google's stable low-latency voice-agent model ("the default option for
 * most low-latency voice agent experiences"), no reasoning delay.
 */
export const DEFAULT_GEMINI_LIVE_MODEL = 'gemini-3.8-live';

/** `models/x` → `x`. */
export function bareModelName(model: string): string {
  return model.startsWith('models/') ? model.slice('models/'.length) : model;
}
