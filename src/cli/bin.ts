/**
 * The `freeswitch-voice-ai` executable (the package's `bin`): runs the CLI and sets the exit
 * code; the process ends by itself once the command has released everything.
 */
import { run } from './main.js';

process.exitCode = await run(process.argv.slice(2));
