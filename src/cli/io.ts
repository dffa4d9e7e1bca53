/**
 * Where the CLI writes: stdout for results (pipe them), stderr for guidance and errors. Commands
 * take an {@link Io} so tests run them in-process and read what they printed.
 */

/** The CLI's output streams. */
export interface Io {
  /** A result line (stdout). */
  out(text: string): void;
  /** Guidance, progress, errors (stderr). */
  err(text: string): void;
}

/** The process's stdout and stderr. */
export const processIo: Io = {
  out: (text) => void process.stdout.write(`${text}\n`),
  err: (text) => void process.stderr.write(`${text}\n`),
};
