/**
 * `freeswitch-voice-ai doctor`: checks a deployment end to end and prints each finding with its
 * fix; exits 1 when a check failed (warnings do not fail it).
 */
import type { Command } from 'commander';
import { loadConfig } from 'freeswitch-voice-ai';
import { runDoctor } from '../doctor/doctor.js';
import { formatFinding, tally } from '../doctor/report.js';
import { intOption } from '../options.js';
import type { CliContext } from '../io.js';

interface DoctorOptions {
  host?: string;
  port?: string;
  password?: string;
  serverHost?: string;
  serverPort?: string;
  number?: string;
  context: string;
  timeout: string;
  json?: boolean;
}


/** Registers the command. */
export function doctorCommand(program: Command, ctx: CliContext): void {
  program
    .command('doctor')
    .description("check a deployment: FreeSWITCH's event socket, the secretary's port, the dialplan, a test call through it, RTP ports, audio")
    .option('--host <host>', "FreeSWITCH's event socket host (default ESL_HOST)")
    .option('--port <port>', 'its port (default ESL_PORT)')
    .option('--password <password>', 'its password (default ESL_PASSWORD; prefer the variable: arguments are visible to other users)')
    .option('--server-host <host>', 'where the secretary listens (default ESL_SERVER_HOST)')
    .option('--server-port <port>', 'its port (default ESL_SERVER_PORT)')
    .option('-n, --number <number>', 'a number the dialplan sends to the secretary: checks the dialplan and places a test call to it')
    .option('-c, --context <context>', 'the dialplan context of that number (FusionPBX: the domain name)', 'default')
    .option('--timeout <ms>', 'ms to wait at each network step', '5000')
    .option('--json', 'print the findings as JSON')
    .addHelpText(
      'after',
      `
RTP_PORT_MIN, RTP_PORT_MAX and RTP_BIND_ADDRESS give the media ports checked.
Example:
  ESL_PASSWORD=... freeswitch-voice-ai doctor --number 8000 --context acme.example.com`,
    )
    .action(async (o: DoctorOptions) => {
      const config = loadConfig();
      const options = {
        esl: { host: o.host ?? config.esl.host, port: intOption(o.port, '--port', 1, 65535) ?? config.esl.port, password: o.password ?? config.esl.password },
        server: { host: o.serverHost ?? config.server.host, port: intOption(o.serverPort, '--server-port', 1, 65535) ?? config.server.port },
        rtp: { min: config.rtp.portMin, max: config.rtp.portMax, bindAddress: config.rtp.bindAddress },
        number: o.number,
        context: o.context,
        timeoutMs: intOption(o.timeout, '--timeout', 100, 120_000)!,
      };
      if (!o.json) {
        ctx.io.out(`freeswitch-voice-ai doctor: event socket ${options.esl.host}:${options.esl.port}, secretary ${options.server.host}:${options.server.port}, RTP ${options.rtp.bindAddress} ${options.rtp.min}-${options.rtp.max}`);
      }
      const findings = await runDoctor({ ...options, onFinding: (f) => !o.json && formatFinding(f).forEach((line) => ctx.io.out(line)) });
      if (o.json) ctx.io.out(JSON.stringify({ findings }, null, 2));
      else ctx.io.out(tally(findings));
      if (findings.some((f) => f.status === 'fail')) ctx.exitCode = 1;
    });
}
