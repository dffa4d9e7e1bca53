/**
 * `freeswitch-voice-ai dialplan`: the extension that sends calls to the secretary, as XML (for
 * FusionPBX's XML tab or a FreeSWITCH dialplan file) or as the SQL that installs it in
 * FusionPBX's `v_dialplans` for a domain; the steps that follow (cache, reloadxml, a test call)
 * go to stderr so the output can be piped.
 */
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { loadConfig } from 'freeswitch-voice-ai';
import { type DialplanSpec, dialplanSql, dialplanXml, dialplanDetails } from '../dialplan.js';
import { CliError } from '../errors.js';
import { hostPortOption, intOption } from '../options.js';
import { numberPattern } from '../number-pattern.js';
import type { Io } from '../io.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TOKEN = /^[\w*#+.@-]+$/;
const DOMAIN = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i;

interface DialplanOptions {
  number: string;
  secretary?: string;
  socket?: string;
  fallback?: string;
  public?: boolean;
  domain?: string;
  domainUuid?: string;
  name?: string;
  order: string;
  codec: string;
  sql?: boolean;
  include?: boolean;
  uuid?: string;
}

/** Registers the command. */
export function dialplanCommand(program: Command, io: Io): void {
  program
    .command('dialplan')
    .description("print the dialplan extension that hands calls to the secretary (XML, or SQL for FusionPBX's v_dialplans)")
    .requiredOption('-n, --number <number>', 'number, range or regex that reaches the secretary: 8000, 8000-8099, ^(8\\d{3})$')
    .option('-s, --secretary <uuid>', 'the secretary to answer (voice_secretary_uuid); without it, the one whose extension was dialled')
    .option('--socket <host:port>', 'where FreeSWITCH reaches the secretary (default: ESL_SERVER_HOST:ESL_SERVER_PORT)')
    .option('-f, --fallback <extension>', "where callers go if the secretary is down: transfer <extension> XML ${domain_name}")
    .option('-d, --domain <name>', 'the FusionPBX domain (required with --sql)')
    .option('--public', 'an inbound route (context public) instead of an extension of the domain')
    .option('--domain-uuid <uuid>', "the domain's uuid (XML for --public; --sql reads it from v_domains)")
    .option('--name <name>', 'extension name (default voice_ai_<number>)')
    .option('--order <n>', 'dialplan_order: lower runs first', '5')
    .option('--codec <codec>', 'absolute_codec_string (PCMU: µ-law passthrough to the AI), or "none"', 'PCMU')
    .option('--uuid <uuid>', 'dialplan_uuid (default: a new one)')
    .option('--sql', "print SQL that installs it in FusionPBX's v_dialplans and v_dialplan_details")
    .option('--include', 'wrap the XML in <include> for a file in FreeSWITCH dialplan/<context>/')
    .addHelpText(
      'after',
      `
Examples:
  freeswitch-voice-ai dialplan -n 8000 -s dc923a2f-b88a-4a2f-8029-d6e0c06893c5 -f 1000
  freeswitch-voice-ai dialplan -n 8000-8099 -d acme.example.com --sql | sudo -u postgres psql fusionpbx -v ON_ERROR_STOP=1`,
    )
    .action((options: DialplanOptions) => {
      const spec = buildSpec(options);
      if (options.sql) {
        if (!options.domain) throw new CliError('--sql needs --domain <name>: the FusionPBX domain to install the extension in');
        io.out(dialplanSql(spec, options.domain, dialplanDetails(spec).map(() => randomUUID())));
      } else {
        if (spec.context === 'public' && !(options.domainUuid && options.domain)) {
          throw new CliError('--public in XML needs --domain and --domain-uuid (the route sets them); or use --sql, which reads them from v_domains');
        }
        const xml = dialplanXml(spec, { uuid: options.domainUuid ?? '', name: options.domain ?? '' });
        io.out(options.include ? `<include>\n${xml.replace(/^/gm, '  ')}\n</include>` : xml);
      }
      io.err(nextSteps(spec, options));
    });
}

function buildSpec(o: DialplanOptions): DialplanSpec {
  const number = numberPattern(o.number);
  if (o.secretary !== undefined && !UUID.test(o.secretary)) throw new CliError(`--secretary ${o.secretary}: expected a uuid (voice_secretary_uuid)`);
  if (o.domainUuid !== undefined && !UUID.test(o.domainUuid)) throw new CliError(`--domain-uuid ${o.domainUuid}: expected a uuid`);
  if (o.uuid !== undefined && !UUID.test(o.uuid)) throw new CliError(`--uuid ${o.uuid}: expected a uuid`);
  if (o.domain !== undefined && !DOMAIN.test(o.domain)) throw new CliError(`--domain ${o.domain}: expected a domain name like acme.example.com`);
  if (o.fallback !== undefined && !TOKEN.test(o.fallback)) throw new CliError(`--fallback ${o.fallback}: expected an extension or number`);
  const codec = o.codec.toLowerCase() === 'none' ? undefined : o.codec;
  if (codec !== undefined && !/^[\w.,@-]+$/.test(codec)) throw new CliError(`--codec ${o.codec}: expected a codec string like PCMU or PCMU,PCMA`);
  const order = intOption(o.order, '--order', 0, 999)!;
  const name = o.name ?? `voice_ai_${number.label.replace(/[^\w-]+/g, '_').replace(/^_+|_+$/g, '') || 'secretary'}`;
  if (!/^[\w.-]+$/.test(name)) throw new CliError(`--name ${name}: use letters, digits, _ . -`);
  return {
    name,
    number,
    secretaryUuid: o.secretary,
    socket: socketTarget(o.socket),
    fallback: o.fallback,
    context: o.public ? 'public' : 'domain',
    codec,
    order,
    uuid: o.uuid ?? randomUUID(),
    description: `Voice AI secretary${o.secretary ? ` ${o.secretary}` : ''} (freeswitch-voice-ai)`,
  };
}

/** `host:port` from the option, else from ESL_SERVER_HOST/PORT (a wildcard host becomes 127.0.0.1). */
function socketTarget(given: string | undefined): string {
  if (given !== undefined) {
    hostPortOption(given, '--socket', ', e.g. 10.0.0.5:8022');
    return given;
  }
  const { host, port } = loadConfig().server;
  const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return `${reachable}:${port}`;
}

function nextSteps(spec: DialplanSpec, o: DialplanOptions): string {
  const context = spec.context === 'public' ? 'public' : (o.domain ?? '<your.domain>');
  const dial = spec.number.example ?? '<a number it matches>';
  const lines = o.sql
    ? ['Next:', `  1. Run the SQL:   ... --sql > ${spec.name}.sql && sudo -u postgres psql fusionpbx -v ON_ERROR_STOP=1 -f ${spec.name}.sql`]
    : [
        'Next:',
        '  1. Install it: FusionPBX → Dialplan → Dialplan Manager → Add (or run this command with --sql -d <domain>);',
        `     plain FreeSWITCH: save it with --include as dialplan/${spec.context === 'public' ? 'public' : 'default'}/00_${spec.name}.xml`,
      ];
  lines.push(
    "  2. Clear FusionPBX's dialplan cache for the context:",
    `       rm -f /var/cache/fusionpbx/dialplan.${context}            # file cache (the default)`,
    `       fs_cli -x 'memcache delete dialplan:${context}'           # if the cache method is memcache`,
    "  3. fs_cli -x 'reloadxml'",
    `  4. Check it end to end: freeswitch-voice-ai doctor --number ${dial} --context ${context}`,
    `     or a test call: fs_cli -x "originate loopback/${dial}/${context} &echo()"`,
  );
  return lines.join('\n');
}
