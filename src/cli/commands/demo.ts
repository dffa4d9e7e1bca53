/**
 * `freeswitch-voice-ai demo`: the virtual secretary on embedded defaults (simulator, PGlite,
 * scripted voices): a warm transfer and a message after hours, printed with their times, the
 * audio written to WAV files.
 */
import type { Command } from 'commander';
import { runDemo } from '../../../examples/secretary/demo.js';
import type { Io } from '../io.js';

/** Registers the command. */
export function demoCommand(program: Command, io: Io): void {
  program
    .command('demo')
    .description('run the virtual secretary on embedded defaults: a caller transferred to Maria after she accepts, another leaving a message after hours')
    .option('-o, --out <dir>', 'where to write the calls as WAV files', 'demo-audio')
    .action(async (options: { out: string }) => {
      await runDemo({ outDir: options.out, out: io.out });
    });
}
