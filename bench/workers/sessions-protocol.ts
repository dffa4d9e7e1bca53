/**
 * What the three processes of `bench/sessions.ts` say to the orchestrator (over Node's IPC
 * channel), the traffic shape they share, and the per-call counts they report. Nothing here
 * runs on import.
 */
import { type ChildProcess, execFileSync, fork, spawn } from 'node:child_process';

/** Caller speech: 2 s on, 2 s off (100 frames each). */
export const SPEECH_FRAMES = 100;
export const SILENCE_FRAMES = 100;
/** The provider's VAD: the caller's turn ends after this much silence (OpenAI's default is 500 ms). */
export const END_OF_TURN_MS = 300;
/** Answers: 2–3 s, in 100 ms deltas, sent at 4× real time (one every 25 ms). */
export const ANSWER_MIN_MS = 2000;
export const ANSWER_SPREAD_MS = 1000;
export const DELTA_MS = 100;
export const DELTA_EVERY_MS = 25;
/** One turn in this many is a tool call (then the answer comes after the tool's result). */
export const TOOL_EVERY = 10;

/** A request from the orchestrator: `cmd` and its arguments; the child answers `{ id, result }` or `{ id, error }`. */
export interface Request {
  id: number;
  cmd: string;
  [k: string]: unknown;
}

/** One call's counts on the SDK's side, when its session ended. */
export interface SdkCallCounts {
  uuid: string;
  /** Caller datagrams the bridge received. */
  received: number;
  /** The jitter buffer: frames late, never arrived, dropped over its maximum, made up. */
  late: number;
  lost: number;
  overflow: number;
  concealed: number;
  /** Caller frames the bridge handed to the session (one per 20 ms). */
  framesToSession: number;
  /** Caller audio bytes given to the provider's `sendAudio`, and its calls. */
  bytesToProvider: number;
  sendAudioCalls: number;
  /** Audio deltas the provider emitted (messages with assistant audio). */
  deltasFromProvider: number;
  /** Answer frames the pacer sent to FreeSWITCH. */
  framesToCaller: number;
  /** Barge-ins (pacer flushes). */
  flushes: number;
  /** Tool calls run. */
  tools: number;
  endReason: string;
}

/** One call's counts on the caller's (the simulated FreeSWITCH's) side. */
export interface CallerCallCounts {
  uuid: string;
  /** Caller frames sent to the SDK. */
  sent: number;
  /** Answer frames received from the SDK. */
  received: number;
  /** Received datagrams that were not one 20 ms µ-law frame. */
  badSize: number;
}

/** One session's counts on the provider server's side, when its socket closed. */
export interface ProviderCallCounts {
  uuid: string;
  /** Caller audio bytes received (decoded from base64). */
  audioBytes: number;
  /** `input_audio_buffer.append` / `realtimeInput` messages. */
  audioMessages: number;
  /** Assistant audio deltas sent. */
  deltas: number;
  answers: number;
  toolCalls: number;
  bargeIns: number;
}

/** Whether `taskset` can pin processes here. */
export function canPin(): boolean {
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A child process running `file` with tsx (pinned to `core` with `taskset` when given: every thread it starts inherits the pin). */
export function startChild(file: URL, options: { core?: number; nodeFlags?: string[]; env?: NodeJS.ProcessEnv } = {}): ChildProcess {
  const execArgv = ['--import', 'tsx', ...(options.nodeFlags ?? [])];
  const env = { ...process.env, ...options.env };
  if (options.core === undefined) return fork(file, [], { execArgv, env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return spawn('taskset', ['-c', String(options.core), process.execPath, ...execArgv, new URL(file).pathname], { env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

/** Calls `cmd` on a child and resolves with its result (rejects with its error, or if it exits first). */
export function call<T>(child: ChildProcess, cmd: string, args: Record<string, unknown> = {}, timeoutMs = 120_000): Promise<T> {
  const id = ++requestIds;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`${cmd}: no answer within ${timeoutMs} ms`)), timeoutMs);
    const onMessage = (m: { id?: number; result?: unknown; error?: string }): void => {
      if (m.id !== id) return;
      if (m.error !== undefined) done(new Error(`${cmd}: ${m.error}`));
      else done(undefined, m.result as T);
    };
    const onExit = (code: number | null): void => done(new Error(`${cmd}: the child exited (${code})`));
    function done(error: Error | undefined, result?: T): void {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve(result as T);
    }
    child.on('message', onMessage);
    child.once('exit', onExit);
    child.send({ id, cmd, ...args });
  });
}
let requestIds = 0;

/** In a child: answers the orchestrator's requests with `handlers[cmd]`. */
export function serveRequests(handlers: Record<string, (request: Request) => unknown>): void {
  process.on('message', (m: Request) => {
    const handler = handlers[m.cmd];
    if (!handler) return void process.send!({ id: m.id, error: `unknown command ${m.cmd}` });
    Promise.resolve()
      .then(() => handler(m))
      .then(
        (result) => process.send!({ id: m.id, result }),
        (error: unknown) => process.send!({ id: m.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
      );
  });
  // The orchestrator is gone: so is this process.
  process.on('disconnect', () => process.exit(0));
  // Requests can come now (a cluster's primary waits for this).
  process.send?.({ childReady: true });
}
