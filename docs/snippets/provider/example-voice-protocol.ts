/**
 * The protocol of "Example Voice", a made-up vendor standing in for yours: what its documentation
 * would publish. One WebSocket per call, `Authorization: Bearer <key>`; JSON text messages both
 * ways; the caller's audio as binary frames in the session's format.
 */
import type { JsonSchema } from 'freeswitch-voice-ai';

/** The audio formats it takes and speaks, by its names for them. */
export type ExampleAudio = 'mulaw_8000' | 'pcm16_16000';

/** What the client sends. */
export type ClientMessage =
  /** Opens the session; answered by `session.ready` (or `error`). */
  | { type: 'session.start'; instructions: string; voice?: string; language?: string; audio: ExampleAudio; tools: { name: string; description: string; parameters: JsonSchema }[] }
  /** A user turn as text: the model answers it. */
  | { type: 'text'; text: string }
  /** Stops the answer being spoken; the model keeps only the `heard_ms` the caller heard of it. */
  | { type: 'response.cancel'; heard_ms: number }
  /** The result of a tool call; the model goes on by itself. */
  | { type: 'tool.result'; call_id: string; output: string };

/** What the server sends. */
export type ServerMessage =
  | { type: 'session.ready'; audio: ExampleAudio }
  /** Its voice detector: the caller started / stopped speaking. */
  | { type: 'speech.started' }
  | { type: 'speech.stopped' }
  | { type: 'transcript'; role: 'user' | 'assistant'; text: string; response_id?: string }
  /** A chunk of an answer's audio (base64, in the session's format). */
  | { type: 'response.audio'; response_id: string; audio: string }
  /** The answer calls a tool. Until its `response.done` says `completed`, the answer may still be cancelled. */
  | { type: 'response.tool_call'; response_id: string; call_id: string; name: string; arguments: string }
  | { type: 'response.done'; response_id: string; status: 'completed' | 'cancelled'; usage?: { input_tokens: number; output_tokens: number } }
  | { type: 'error'; code: string; message: string; fatal: boolean };
