/**
 * `freeswitch-voice-ai simulator`: the FreeSWITCH simulator as a process — an event socket to
 * point a bot or `doctor` at, phones that answer, an optional XML dialplan, and calls placed on
 * demand (`--call 8000`, straight to a `socket` target or through the dialplan). Runs until
 * Ctrl-C (or `--duration`).
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { FreeSwitchSimulator, headerOf } from 'freeswitch-voice-ai/testing';
import { CliError } from '../errors.js';
import { hostPortOption, intOption, secondsOption } from '../options.js';
import type { Io } from '../io.js';

interface SimulatorOptions {
  host: string;
  port: string;
  password: string;
  phone: string[];
  dialplan?: string;
  call?: string;
  socket?: string;
  context: string;
  from: string;
  variable: string[];
  duration?: string;
  verbose?: boolean;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** Registers the command. */
export function simulatorCommand(program: Command, io: Io): void {
  program
    .command('simulator')
    .description('run the FreeSWITCH simulator: an event socket, phones that answer, calls placed to your bot (--call 8000)')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('-p, --port <port>', 'event socket port (0: any free one)', '8021')
    .option('--password <password>', 'event socket password', 'ClueCon')
    .option('--phone <user@domain>', 'register a phone that answers after 1 s (repeatable)', collect, [])
    .option('--dialplan <file>', 'a FreeSWITCH XML dialplan to route calls with (e.g. the output of "dialplan --include")')
    .option('--call <number>', 'place a call to this number once started')
    .option('--socket <host:port>', 'send that call straight to an outbound socket server (answer + socket <host:port> async full)')
    .option('--context <context>', "the call's dialplan context", 'default')
    .option('--from <number>', "the call's caller id number", '1000')
    .option('--variable <name=value>', 'a channel variable of the call, e.g. domain_uuid=... (repeatable)', collect, [])
    .option('--duration <seconds>', 'stop after this long (default: run until Ctrl-C)')
    .option('--verbose', 'print every command received')
    .addHelpText(
      'after',
      `
Examples:
  freeswitch-voice-ai simulator --port 8021 --phone 1001@acme.example.com
  freeswitch-voice-ai simulator --call 8000 --socket 127.0.0.1:8022 --variable domain_uuid=11111111-2222-4333-8444-555555555555`,
    )
    .action(async (o: SimulatorOptions) => {
      const port = intOption(o.port, '--port', 0, 65535)!;
      const duration = secondsOption(o.duration, '--duration');
      const variables: Record<string, string> = {};
      for (const v of o.variable) {
        const eq = v.indexOf('=');
        if (eq <= 0) throw new CliError(`--variable ${v}: expected name=value`);
        variables[v.slice(0, eq)] = v.slice(eq + 1);
      }
      const target = o.socket ? hostPortOption(o.socket, '--socket') : undefined;
      let dialplanXml: string | undefined;
      if (o.dialplan) {
        try {
          dialplanXml = readFileSync(o.dialplan, 'utf8');
        } catch (error) {
          throw new CliError(`--dialplan ${o.dialplan}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, 1);
        }
      }
      const sim = new FreeSwitchSimulator({ host: o.host, port, password: o.password, ...(dialplanXml !== undefined && { dialplanXml }) });
      const address = await sim.start();
      for (const p of o.phone) {
        const [user, domain] = p.split('@');
        if (!user || !domain) throw new CliError(`--phone ${p}: expected user@domain`);
        sim.phones.register({ user, domain });
      }
      io.out(`FreeSWITCH simulator: event socket on ${address.host}:${address.port} (password ${o.password === 'ClueCon' ? 'ClueCon' : '***'})${o.phone.length ? `; phones ${o.phone.join(', ')}` : ''}`);
      sim.on('event', (e) => {
        if (e.name !== 'CHANNEL_CREATE' && e.name !== 'CHANNEL_ANSWER' && e.name !== 'CHANNEL_HANGUP_COMPLETE' && e.name !== 'CHANNEL_BRIDGE') return;
        const cause = headerOf(e.headers, 'Hangup-Cause');
        io.out(`  ${e.name.padEnd(24)} ${headerOf(e.headers, 'Unique-ID')?.slice(0, 8)} ${headerOf(e.headers, 'Channel-Name') ?? ''}${cause ? ` ${cause}` : ''}`);
      });
      if (o.verbose) sim.on('command', (c) => io.out(`  > ${c.line.startsWith('auth ') ? 'auth ***' : c.line}`));
      if (o.call) {
        const call = target
          ? sim.callSocket(target, { destination: o.call, context: o.context, callerIdNumber: o.from, variables })
          : sim.placeCall({ destination: o.call, context: o.context, callerIdNumber: o.from, variables });
        io.out(`call ${call.uuid} from ${o.from} to ${o.call}${target ? ` → socket ${o.socket} async full` : ` in context ${o.context}`}`);
      }
      await new Promise<void>((resolve) => {
        const timer = duration ? setTimeout(() => stop(), duration * 1000) : undefined;
        const stop = (): void => {
          clearTimeout(timer);
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await sim.stop();
      io.out('simulator stopped');
    });
}
