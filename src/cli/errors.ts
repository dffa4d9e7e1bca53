/**
 * The CLI's one kind of error: what went wrong and what to do, printed as one line, never a
 * stack trace.
 */

/** A failure the CLI reports as one line (`freeswitch-voice-ai: <message>`) with an exit code. */
export class CliError extends Error {
  override readonly name = 'CliError';

  /** `exitCode`: 2 for a usage mistake (a bad option), 1 for anything else. */
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

/** The message of anything thrown, on one line. */
export function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s*\n\s*/g, ' ').trim() || 'unknown error';
}
