import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutboundServer, type OutboundCall } from 'freeswitch-voice-ai';
import { FreeSwitchSimulator } from 'freeswitch-voice-ai/testing';
import { dialplanDetails, dialplanSql, dialplanXml, type DialplanSpec, sqlLiteral } from '../../src/cli/dialplan.js';
import { numberPattern, rangeAlternatives } from '../../src/cli/number-pattern.js';
import type { SqlClient } from '../../examples/secretary/db/sql-client.js';
import { DATABASES, requireServerInCi } from '../examples/secretary/databases.js';
import { runCli } from './run-cli.js';

const SECRETARY = 'dc923a2f-b88a-4a2f-8029-d6e0c06893c5';
const spec = (over: Partial<DialplanSpec> = {}): DialplanSpec => ({
  name: 'voice_ai_8000',
  number: numberPattern('8000'),
  secretaryUuid: SECRETARY,
  socket: '127.0.0.1:8022',
  fallback: '1000',
  context: 'domain',
  codec: 'PCMU',
  order: 5,
  uuid: '0f8d6a6e-52f4-4f5e-9d56-3e1f0b8c2a11',
  description: 'Voice AI secretary',
  ...over,
});

describe('dialplan: numbers and ranges', () => {
  it.each([
    ['8000', '8099'],
    ['8000', '8149'],
    ['0105', '0994'],
    ['1000', '1999'],
    ['1234', '5678'],
    ['7', '9'],
    ['5099', '5100'],
  ])('range %s-%s matches exactly the numbers in it', (lo, hi) => {
    const { expression } = numberPattern(`${lo}-${hi}`);
    const re = new RegExp(expression);
    const width = lo.length;
    for (let n = 0; n < 10 ** width; n++) {
      const text = String(n).padStart(width, '0');
      expect(re.test(text), `${text} vs ${expression}`).toBe(text >= lo && text <= hi);
    }
    expect(re.test(`${lo}0`)).toBe(false);
  });

  it('keeps ranges short and readable', () => {
    expect(rangeAlternatives('8000', '8999')).toEqual(['8\\d\\d\\d']);
    expect(numberPattern('8000-8099').expression).toBe('^(80\\d\\d)$');
    expect(numberPattern('8000-8149').expression).toBe('^(80\\d\\d|81[0-4]\\d)$');
    expect(numberPattern('^(8\\d{3})$')).toMatchObject({ expression: '^(8\\d{3})$', single: false, example: undefined });
    expect(() => numberPattern('80-9000')).toThrow(/same number of digits/);
    expect(() => numberPattern('9000-8000')).toThrow(/backwards/);
    expect(() => numberPattern('^(8')).toThrow(/regular expression/);
    expect(() => numberPattern('eight')).toThrow(/expected a number/);
  });
});

describe('dialplan: the XML', () => {
  it('is the extension FusionPBX stores, in the order of its details', () => {
    expect(dialplanXml(spec())).toBe(
      [
        '<extension name="voice_ai_8000" continue="false" uuid="0f8d6a6e-52f4-4f5e-9d56-3e1f0b8c2a11">',
        '\t<condition field="destination_number" expression="^8000$">',
        `\t\t<action application="set" data="secretary_uuid=${SECRETARY}"/>`,
        '\t\t<action application="set" data="absolute_codec_string=PCMU"/>',
        '\t\t<action application="answer"/>',
        '\t\t<action application="socket" data="127.0.0.1:8022 async full"/>',
        '\t\t<action application="transfer" data="1000 XML ${domain_name}"/>',
        '\t</condition>',
        '</extension>',
      ].join('\n'),
    );
    expect(dialplanDetails(spec()).map((d) => `${d.order} ${d.tag} ${d.type} ${d.data}`)).toEqual([
      '10 condition destination_number ^8000$',
      `20 action set secretary_uuid=${SECRETARY}`,
      '30 action set absolute_codec_string=PCMU',
      '40 action answer ',
      '50 action socket 127.0.0.1:8022 async full',
      '60 action transfer 1000 XML ${domain_name}',
    ]);
    const pub = dialplanXml(spec({ context: 'public', number: numberPattern('8000-8001') }), { uuid: 'u-1', name: 'acme.example.com' });
    expect(pub).toContain('expression="^(800[0-1])$"');
    expect(pub).toMatch(/call_direction=inbound" inline="true"\/>\n.*domain_uuid=u-1" inline="true"\/>\n.*domain_name=acme.example.com" inline="true"/);
  });

  it('routes a call in the simulator to the secretary, and to the fallback when the secretary is down', async () => {
    const server = createOutboundServer({ host: '127.0.0.1', port: 0, maxConnections: 2 }, () => {});
    const { port } = await server.listen();
    const xml = dialplanXml(spec({ socket: `127.0.0.1:${port}` }));
    const sim = new FreeSwitchSimulator({ dialplanXml: `<context name="acme.example.com">\n${xml}\n</context>` });
    await sim.start();
    try {
      const arrived = new Promise<OutboundCall>((resolve) => server.once('call', resolve));
      const channel = sim.placeCall({ destination: '8000', context: 'acme.example.com', variables: { domain_name: 'acme.example.com' } });
      const call = await arrived;
      expect([call.uuid, call.channel.getVariable('secretary_uuid'), channel.variables.get('absolute_codec_string'), channel.answered]).toEqual([
        channel.uuid, SECRETARY, 'PCMU', true,
      ]);
      call.close(); // the service lets go of the call: the dialplan goes on to the fallback
      await expect.poll(() => channel.profile.destinationNumber).toBe('1000');
      expect(channel.profile.context).toBe('acme.example.com');
      await server.close();
      const down = sim.placeCall({ destination: '8000', context: 'acme.example.com', variables: { domain_name: 'acme.example.com' } });
      await expect.poll(() => down.profile.destinationNumber).toBe('1000');
    } finally {
      await sim.stop();
      await server.close();
    }
  });
});

requireServerInCi();

describe.each(DATABASES)("dialplan --sql on $name with FusionPBX's tables", (kind) => {
  let db: SqlClient;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    if (!kind.skip) ({ db, drop } = await kind.open());
  }, 60_000);
  afterAll(async () => {
    if (!kind.skip) await drop();
  });

  it.skipIf(kind.skip)('installs v_dialplans and v_dialplan_details for the domain; running it again replaces them', async () => {
    const { stdout, code } = await runCli(['dialplan', '-n', '8000', '-s', SECRETARY, '-f', '1000', '-d', 'acme.example.com', '--sql', '--socket', '10.0.0.5:8022']);
    expect(code).toBe(0);
    await db.exec(stdout);
    const again = await runCli(['dialplan', '-n', '8000', '-s', SECRETARY, '-f', '1001', '-d', 'acme.example.com', '--sql', '--socket', '10.0.0.5:8022']);
    await db.exec(again.stdout);
    const rows = await db.query<Record<string, unknown>>(
      `SELECT p.*, d.domain_name FROM v_dialplans p JOIN v_domains d USING (domain_uuid) WHERE dialplan_name = 'voice_ai_8000'`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      domain_name: 'acme.example.com',
      dialplan_context: 'acme.example.com',
      dialplan_number: '8000',
      dialplan_continue: false,
      dialplan_enabled: true,
      dialplan_destination: true,
      app_uuid: '5d3e2a61-7f0b-4c8e-9a3d-2b6f1c0e9a47',
    });
    expect(Number(rows[0]!.dialplan_order)).toBe(5);
    expect(rows[0]!.dialplan_xml).toContain('<action application="socket" data="10.0.0.5:8022 async full"/>');
    expect(rows[0]!.dialplan_xml).toContain('data="1001 XML ${domain_name}"');
    const details = await db.query<Record<string, unknown>>(
      'SELECT dialplan_detail_tag AS tag, dialplan_detail_type AS type, dialplan_detail_data AS data FROM v_dialplan_details WHERE dialplan_uuid = $1 ORDER BY dialplan_detail_order',
      [rows[0]!.dialplan_uuid],
    );
    expect(details.map((d) => `${d.tag}:${d.type}:${d.data}`)).toEqual([
      'condition:destination_number:^8000$',
      `action:set:secretary_uuid=${SECRETARY}`,
      'action:set:absolute_codec_string=PCMU',
      'action:answer:',
      'action:socket:10.0.0.5:8022 async full',
      'action:transfer:1001 XML ${domain_name}',
    ]);
  });

  it.skipIf(kind.skip)("fills a public route's domain from v_domains, keeps regex backslashes, and fails on an unknown domain", async () => {
    const { stdout } = await runCli(['dialplan', '-n', '8000-8099', '--public', '-d', 'globex.example.com', '--sql', '--name', 'voice_ai_did']);
    await db.exec(stdout);
    const [row] = await db.query<Record<string, string>>(`SELECT dialplan_context, dialplan_xml, dialplan_number FROM v_dialplans WHERE dialplan_name = 'voice_ai_did'`);
    expect(row!.dialplan_context).toBe('public');
    expect(row!.dialplan_number).toBe('8000-8099');
    expect(row!.dialplan_xml).toContain('expression="^(80\\d\\d)$"');
    expect(row!.dialplan_xml).toContain('<action application="set" data="domain_uuid=66666666-7777-4888-9999-000000000000" inline="true"/>');
    expect(row!.dialplan_xml).toContain('data="domain_name=globex.example.com" inline="true"');
    const bad = await runCli(['dialplan', '-n', '8000', '-d', 'nowhere.example.com', '--sql']);
    await expect(db.exec(bad.stdout)).rejects.toThrow(/no FusionPBX domain named nowhere.example.com/);
    await db.exec('ROLLBACK'); // as psql -v ON_ERROR_STOP=1 would stop there; this connection goes on
  });

  it.skipIf(kind.skip)('escapes values: a literal comes back exactly as written', async () => {
    const evil = "x'); DROP TABLE v_domains; -- \\ ${domain_name} $$";
    const [row] = await db.query<{ v: string }>(`SELECT ${sqlLiteral(evil)} AS v`);
    expect(row!.v).toBe(evil);
    const sql = dialplanSql(spec({ description: evil }), 'acme.example.com', ['a0000000-0000-4000-8000-00000000000' + '1', ...Array.from({ length: 5 }, (_, i) => `b0000000-0000-4000-8000-00000000000${i}`)]);
    await db.exec(sql);
    const [stored] = await db.query<{ d: string }>(`SELECT dialplan_description AS d FROM v_dialplans WHERE dialplan_uuid = '0f8d6a6e-52f4-4f5e-9d56-3e1f0b8c2a11'`);
    expect(stored!.d).toBe(evil);
  });
});

describe('dialplan: the command line', () => {
  it('prints XML on stdout and the next steps on stderr', async () => {
    const r = await runCli(['dialplan', '--number', '8000', '--secretary', SECRETARY, '--socket', '10.0.0.5:8022', '--include']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^<include>\n {2}<extension name="voice_ai_8000" continue="false"/);
    expect(r.stdout).toContain('data="10.0.0.5:8022 async full"');
    expect(r.stderr).toContain("fs_cli -x 'reloadxml'");
    expect(r.stderr).toContain('rm -f /var/cache/fusionpbx/dialplan.');
  });

  it.each([
    [['dialplan'], /required option '-n, --number <number>'/],
    [['dialplan', '-n', '8000', '-s', 'nope'], /--secretary nope: expected a uuid/],
    [['dialplan', '-n', '8000', '--socket', 'host'], /--socket host: expected host:port/],
    [['dialplan', '-n', '8000', '--sql'], /--sql needs --domain/],
    [['dialplan', '-n', '8000', '-f', '1000; rm -rf /'], /--fallback .*: expected an extension/],
    [['dialplan', '-n', '8000', '--public'], /--public in XML needs --domain and --domain-uuid/],
    [['dialpln'], /unknown command 'dialpln' \(Did you mean dialplan\?\)/],
  ])('%j fails with one line and exit code 2', async (argv, message) => {
    const r = await runCli(argv);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/^freeswitch-voice-ai: /);
  });
});
