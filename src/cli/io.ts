/**
 * Where the CLI writes: stdout for results (pipe them), stderr for guidance and errors. Commands
 * take an {@link Io} so tests run them in-process and read what they printed, and report back
 * through a {@link CliContext}.
 */

/** The CLI's output streams. */
export interface Io {
  /** A result line (stdout). */
  out(text: string): void;
  /** Guidance, progress, errors (stderr). */
  err(text: string): void;
}

/** What a command reports back to `run`: where it writes, and the exit code it sets. */
export interface CliContext {
  readonly io: Io;
  /** The process's exit code once the command is done (a failed `doctor` check sets 1). */
  exitCode: number;
}

/** The process's stdout and stderr. */
export const processIo: Io = {
  out: (text) => void process.stdout.write(`${text}\n`),
  err: (text) => void process.stderr.write(`${text}\n`),
};
