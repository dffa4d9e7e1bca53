/**
 * `freeswitch-voice-ai`: the command-line tool shipped with the package — `dialplan`, `doctor`,
 * `simulator`, `demo`. {@link run} parses the arguments (commander), runs the command and
 * returns the exit code; every failure is one line on stderr, never a stack trace.
 */
import { createRequire } from 'node:module';
import { Command, CommanderError } from 'commander';
import { demoCommand } from './commands/demo.js';
import { dialplanCommand } from './commands/dialplan.js';
import { doctorCommand } from './commands/doctor.js';
import { simulatorCommand } from './commands/simulator.js';
import { CliError, oneLine } from './errors.js';
import { type CliContext, type Io, processIo } from './io.js';

function version(): string {
  try {
    return (createRequire(import.meta.url)('freeswitch-voice-ai/package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** Builds the program (exposed for tests of the help texts). */
export function buildProgram(ctx: CliContext): Command {
  const program = new Command('freeswitch-voice-ai')
    .description('Voice AI on FreeSWITCH/FusionPBX: install the dialplan, check a deployment, simulate a switch, run the demo.')
    .version(version(), '-v, --version')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => ctx.io.out(text.trimEnd()),
      writeErr: (text) => ctx.io.err(text.trimEnd()),
      outputError: (text, write) => write(`freeswitch-voice-ai: ${oneLine(text.replace(/^error: /, ''))}`),
    })
    .addHelpText(
      'after',
      `
Environment: ESL_HOST, ESL_PORT, ESL_PASSWORD (FreeSWITCH's event socket), ESL_SERVER_HOST,
ESL_SERVER_PORT (where FreeSWITCH's socket application reaches the service), RTP_PORT_MIN/MAX.
Run "freeswitch-voice-ai <command> --help" for a command's options.`,
    );
  dialplanCommand(program, ctx.io);
  doctorCommand(program, ctx);
  simulatorCommand(program, ctx.io);
  demoCommand(program, ctx.io);
  for (const sub of program.commands) sub.exitOverride().configureOutput(program.configureOutput());
  return program;
}

/** Runs the CLI with `argv` (without `node` and the script); resolves with the exit code. */
export async function run(argv: readonly string[], io: Io = processIo): Promise<number> {
  const ctx: CliContext = { io, exitCode: 0 };
  const program = buildProgram(ctx);
  try {
    if (argv.length === 0) {
      program.outputHelp({ error: true });
      return 2;
    }
    await program.parseAsync([...argv], { from: 'user' });
    return ctx.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 1 ? 2 : error.exitCode;
    io.err(`freeswitch-voice-ai: ${oneLine(error)}`);
    if (process.env.FREESWITCH_VOICE_AI_DEBUG && error instanceof Error && error.stack) io.err(error.stack);
    return error instanceof CliError ? error.exitCode : 1;
  }
}
