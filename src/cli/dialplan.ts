/**
 * The dialplan extension that hands calls to the secretary, as FusionPBX stores it: the rows of
 * `v_dialplan_details` (what its Dialplan Manager edits) and the `dialplan_xml` FreeSWITCH runs,
 * rendered from the same list so the two never disagree. `sql()` writes both for a domain.
 */
import type { NumberPattern } from './number-pattern.js';

/** What the extension does. */
export interface DialplanSpec {
  /** `dialplan_name` / `<extension name>`, e.g. `voice_ai_8000`. */
  name: string;
  number: NumberPattern;
  /** `secretary_uuid` to set; without it the secretary is found by the dialled number. */
  secretaryUuid: string | undefined;
  /** `host:port` of the secretary's outbound server. */
  socket: string;
  /** Where the call goes when the service is down or lets go of it: `transfer <fallback> XML <context>`. */
  fallback: string | undefined;
  /** `public` for inbound routes (DIDs); anything else is the domain's own context. */
  context: 'domain' | 'public';
  /** `absolute_codec_string` (PCMU: µ-law passthrough to the AI); `undefined`: leave the codec alone. */
  codec: string | undefined;
  /** `dialplan_order`: lower runs first. */
  order: number;
  /** `dialplan_uuid`. */
  uuid: string;
  description: string;
}

/** One row of `v_dialplan_details`. */
export interface DialplanDetail {
  tag: 'condition' | 'action';
  type: string;
  data: string;
  inline: boolean;
  order: number;
}

/** Stands for the domain's uuid / name until they are known (SQL fills them in from `v_domains`). */
export const DOMAIN_UUID = '{{domain_uuid}}';
export const DOMAIN_NAME = '{{domain_name}}';

/** `app_uuid` of the dialplans this CLI writes: `SELECT * FROM v_dialplans WHERE app_uuid = '...'` finds them. */
export const APP_UUID = '5d3e2a61-7f0b-4c8e-9a3d-2b6f1c0e9a47';

/** The condition and actions, in order (the rows FusionPBX's editor shows). */
export function dialplanDetails(spec: DialplanSpec): DialplanDetail[] {
  const rows: Omit<DialplanDetail, 'order'>[] = [
    { tag: 'condition', type: 'destination_number', data: spec.number.expression, inline: false },
    ...(spec.secretaryUuid ? [{ tag: 'action' as const, type: 'set', data: `secretary_uuid=${spec.secretaryUuid}`, inline: false }] : []),
    ...(spec.codec ? [{ tag: 'action' as const, type: 'set', data: `absolute_codec_string=${spec.codec}`, inline: false }] : []),
    { tag: 'action', type: 'answer', data: '', inline: false },
    { tag: 'action', type: 'socket', data: `${spec.socket} async full`, inline: false },
    ...(spec.fallback ? [{ tag: 'action' as const, type: 'transfer', data: `${spec.fallback} XML \${domain_name}`, inline: false }] : []),
  ];
  return rows.map((r, i) => ({ ...r, order: (i + 1) * 10 }));
}

/**
 * The extension's XML, as FusionPBX generates it from the details (for `public`, its leading
 * `call_direction` / `domain_uuid` / `domain_name` actions too). Attribute values are escaped.
 */
export function dialplanXml(spec: DialplanSpec, domain: { uuid: string; name: string } = { uuid: DOMAIN_UUID, name: DOMAIN_NAME }): string {
  const details = dialplanDetails(spec);
  const condition = details[0]!;
  const actions = details.slice(1);
  const lead: DialplanDetail[] =
    spec.context === 'public'
      ? [
          { tag: 'action', type: 'export', data: 'call_direction=inbound', inline: true, order: 0 },
          { tag: 'action', type: 'set', data: `domain_uuid=${domain.uuid}`, inline: true, order: 0 },
          { tag: 'action', type: 'set', data: `domain_name=${domain.name}`, inline: true, order: 0 },
        ]
      : [];
  const action = (a: DialplanDetail): string =>
    `\t\t<action application="${attr(a.type)}"${a.data === '' ? '' : ` data="${attr(a.data)}"`}${a.inline ? ' inline="true"' : ''}/>`;
  return [
    `<extension name="${attr(spec.name)}" continue="false" uuid="${attr(spec.uuid)}">`,
    `\t<condition field="${attr(condition.type)}" expression="${attr(condition.data)}">`,
    ...[...lead, ...actions].map(action),
    '\t</condition>',
    '</extension>',
  ].join('\n');
}

/** An XML attribute value. */
function attr(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A PostgreSQL string literal (standard_conforming_strings on, which the script sets). */
export function sqlLiteral(text: string): string {
  if (text.includes('\0')) throw new RangeError('a SQL value cannot contain NUL');
  return `'${text.replace(/'/g, "''")}'`;
}

/** A SQL expression of `template` with the domain placeholders replaced from `d` (a `v_domains` row). */
function withDomain(template: string): string {
  let expr = sqlLiteral(template);
  if (template.includes(DOMAIN_UUID)) expr = `replace(${expr}, ${sqlLiteral(DOMAIN_UUID)}, d.domain_uuid::text)`;
  if (template.includes(DOMAIN_NAME)) expr = `replace(${expr}, ${sqlLiteral(DOMAIN_NAME)}, d.domain_name)`;
  return expr;
}

/**
 * The SQL that installs the extension for a FusionPBX domain, in one transaction: it fails with
 * a clear message when the domain does not exist, replaces an earlier extension of the same name
 * in that domain (so it can be run again), and writes `v_dialplans` (with `dialplan_xml`) and
 * `v_dialplan_details`.
 */
export function dialplanSql(spec: DialplanSpec, domainName: string, detailUuids: readonly string[]): string {
  const details = dialplanDetails(spec);
  if (detailUuids.length < details.length) throw new RangeError(`dialplanSql needs ${details.length} detail uuids`);
  const domain = sqlLiteral(domainName);
  const name = sqlLiteral(spec.name);
  const ours = `SELECT p.dialplan_uuid FROM v_dialplans p JOIN v_domains d ON d.domain_uuid = p.domain_uuid WHERE d.domain_name = ${domain} AND p.dialplan_name = ${name}`;
  const context = spec.context === 'public' ? sqlLiteral('public') : 'd.domain_name';
  const values = details
    .map((r, i) => `    (${sqlLiteral(detailUuids[i]!)}::uuid, ${sqlLiteral(r.tag)}, ${sqlLiteral(r.type)}, ${withDomain(r.data)}, ${r.inline ? "'true'" : 'NULL'}, ${r.order})`)
    .join(',\n');
  return `-- freeswitch-voice-ai dialplan: extension ${spec.name} (${spec.number.label}) for the FusionPBX domain ${domainName}
-- Run it with: sudo -u postgres psql fusionpbx -v ON_ERROR_STOP=1 -f this-file.sql
BEGIN;
SET LOCAL standard_conforming_strings = on;

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM v_domains WHERE domain_name = ${domain}) THEN
        RAISE EXCEPTION 'no FusionPBX domain named % (see: SELECT domain_name FROM v_domains)', ${domain};
    END IF;
END $$;

-- Replace an earlier extension of the same name in this domain.
DELETE FROM v_dialplan_details WHERE dialplan_uuid IN (${ours});
DELETE FROM v_dialplans WHERE dialplan_uuid IN (${ours});

INSERT INTO v_dialplans (domain_uuid, dialplan_uuid, app_uuid, hostname, dialplan_context, dialplan_name, dialplan_number,
                         dialplan_destination, dialplan_continue, dialplan_xml, dialplan_order, dialplan_enabled, dialplan_description, insert_date)
SELECT d.domain_uuid, ${sqlLiteral(spec.uuid)}::uuid, ${sqlLiteral(APP_UUID)}::uuid, NULL, ${context}, ${name}, ${sqlLiteral(spec.number.label)},
       ${spec.number.single}, false, ${withDomain(dialplanXml(spec))}, ${spec.order}, true, ${sqlLiteral(spec.description)}, now()
  FROM v_domains d WHERE d.domain_name = ${domain};

INSERT INTO v_dialplan_details (domain_uuid, dialplan_uuid, dialplan_detail_uuid, dialplan_detail_tag, dialplan_detail_type, dialplan_detail_data,
                                dialplan_detail_inline, dialplan_detail_group, dialplan_detail_order, dialplan_detail_enabled, insert_date)
SELECT d.domain_uuid, ${sqlLiteral(spec.uuid)}::uuid, v.detail_uuid, v.tag, v.type, v.data, v.inline, 0, v.ord, true, now()
  FROM v_domains d, (VALUES
${values}
  ) AS v (detail_uuid, tag, type, data, inline, ord)
 WHERE d.domain_name = ${domain};

COMMIT;
`;
}
