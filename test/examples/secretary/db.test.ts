import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, migrations, sqlFile } from '../../../examples/secretary/db/migrate.js';
import type { SqlClient } from '../../../examples/secretary/db/sql-client.js';
import { SqlSecretaryStore } from '../../../examples/secretary/db/sql-store.js';
import type { CallRecord } from '../../../examples/secretary/store.js';
import { DATABASES, requireServerInCi } from './databases.js';

const ACME = '11111111-2222-4333-8444-555555555555';
const GLOBEX = '66666666-7777-4888-9999-000000000000';
const ANA = 'dc923a2f-b88a-4a2f-8029-d6e0c06893c5';

requireServerInCi();

describe.each(DATABASES)('secretary database on $name', (kind) => {
  let db: SqlClient;
  let drop: () => Promise<void>;
  let store: SqlSecretaryStore;

  beforeAll(async () => {
    if (kind.skip) return;
    ({ db, drop } = await kind.open());
    store = new SqlSecretaryStore(db);
  }, 60_000);
  afterAll(async () => {
    if (!kind.skip) await drop();
  });

  it.skipIf(kind.skip)('applies every migration once; each file is idempotent on its own', async () => {
    const versions = (await db.query<{ version: string }>('SELECT version FROM v_voice_schema_migrations ORDER BY version')).map((r) => r.version);
    expect(versions).toEqual(migrations().map(([v]) => v));
    expect(await migrate(db)).toEqual([]);
    for (const [, sql] of migrations()) await db.exec(sql);
    await db.exec(sqlFile('sample-data.sql'));
    expect((await db.query('SELECT 1 FROM v_voice_secretaries')).length).toBe(2);
  });

  it.skipIf(kind.skip)('finds a secretary by secretary_uuid, by dialled extension, or by domain name', async () => {
    const ana = await store.findSecretary({ domainUuid: ACME, secretaryUuid: ANA });
    expect(ana).toMatchObject({
      uuid: ANA,
      domainUuid: ACME,
      domainName: 'acme.example.com',
      name: 'Ana',
      company: 'ACME',
      language: 'en-US',
      operatorExtension: '1000',
      fallbackAction: 'ticket',
      afterHoursAction: 'message',
      limits: { maxTurns: 20, silenceTimeoutMs: 30_000, maxDurationMs: 600_000 },
      transfer: { ringTimeoutSeconds: 30, musicOnHold: 'local_stream://moh', decisionTimeoutMs: 20_000 },
    });
    expect(ana!.hours).toMatchObject({ timezone: 'America/Sao_Paulo', weekly: { mon: ['08:00-18:00'] } });
    expect(ana!.hours!.holidays).toContainEqual({ date: '2026-12-25', name: 'Christmas' });
    expect(ana!.businessInfo.location).toContain('São Paulo');
    expect(ana!.handoffKeywords).toEqual(['atendente', 'humano', 'pessoa', 'operador', 'operator', 'human']);
    expect((await store.findSecretary({ domainUuid: ACME, extension: '8000' }))?.uuid).toBe(ANA);
    expect((await store.findSecretary({ domainName: 'globex.example.com', extension: '8000' }))?.company).toBe('Globex');
  });

  it.skipIf(kind.skip)('answers undefined for an unknown or disabled tenant or secretary, and for ids that are not uuids', async () => {
    expect(await store.findSecretary({ domainUuid: GLOBEX, secretaryUuid: ANA })).toBeUndefined(); // another tenant's secretary
    expect(await store.findSecretary({ domainUuid: ACME, secretaryUuid: '00000000-0000-4000-8000-000000000000' })).toBeUndefined();
    expect(await store.findSecretary({ domainUuid: 'not-a-uuid', secretaryUuid: ANA })).toBeUndefined();
    expect(await store.findSecretary({ domainUuid: ACME, secretaryUuid: "x' OR 1=1 --" })).toBeUndefined();
    expect(await store.findSecretary({ domainUuid: ACME })).toBeUndefined();
    await db.query('UPDATE v_voice_secretaries SET is_enabled = false WHERE voice_secretary_uuid = $1', [ANA]);
    expect(await store.findSecretary({ domainUuid: ACME, secretaryUuid: ANA })).toBeUndefined();
    await db.query('UPDATE v_voice_secretaries SET is_enabled = true WHERE voice_secretary_uuid = $1', [ANA]);
  });

  it.skipIf(kind.skip)("lists the secretary's destinations, then the tenant's visible, enabled extensions no destination covers", async () => {
    const ana = (await store.findSecretary({ domainUuid: ACME, secretaryUuid: ANA }))!;
    const directory = await store.directory(ana);
    expect(directory.map((d) => [d.name, d.number, d.type, d.source])).toEqual([
      ['Finance', '2000', 'ring_group', 'destinations'],
      ['John Carter', '1002', 'extension', 'destinations'],
      ['Maria Silva', '1001', 'extension', 'destinations'],
      ['Support', '5000', 'queue', 'destinations'],
      ['Reception', '1000', 'extension', 'extensions'],
      ['Paulo Souza', '1003', 'extension', 'extensions'],
    ]);
    const john = directory.find((d) => d.number === '1002')!;
    expect(john).toMatchObject({ aliases: ['john', 'johnny'], department: 'engineering', mode: 'announced', ringTimeoutSeconds: 20 });
    expect(john.hours).toMatchObject({ timezone: 'America/Sao_Paulo', weekly: { mon: ['10:00-16:00'] } });
    expect(directory.find((d) => d.number === '1003')).toMatchObject({ context: 'acme.example.com', mode: 'announced' });
  });

  it.skipIf(kind.skip)('stores a message and marks it delivered', async () => {
    const id = await store.saveMessage({
      domainUuid: ACME,
      secretaryUuid: ANA,
      conversationId: undefined,
      callUuid: 'not-a-uuid',
      company: 'ACME',
      recipient: 'Maria',
      destination: { id: 'd0000000-0000-4000-8000-000000000001', name: 'Maria Silva', number: '1001' },
      callerName: "Joe O'Brien",
      callbackNumber: '+55 11 98888-7777',
      reason: 'The order #12 arrived damaged; please call back.',
      urgency: 'high',
      takenAt: new Date('2026-12-07T13:30:00Z'),
    });
    const [row] = await db.query<Record<string, unknown>>('SELECT * FROM v_voice_taken_messages WHERE voice_taken_message_uuid = $1', [id]);
    expect(row).toMatchObject({ recipient: 'Maria', caller_name: "Joe O'Brien", urgency: 'high', status: 'new', call_uuid: null, transfer_destination_uuid: 'd0000000-0000-4000-8000-000000000001' });
    await store.markDelivered(id);
    const [after] = await db.query<Record<string, unknown>>('SELECT status, delivered_at FROM v_voice_taken_messages WHERE voice_taken_message_uuid = $1', [id]);
    expect(after!.status).toBe('delivered');
    expect(after!.delivered_at).toBeInstanceOf(Date);
  });

  it.skipIf(kind.skip)('stores a call record with its transcript, in order', async () => {
    const record: CallRecord = {
      id: 'c0000000-0000-4000-8000-000000000001',
      domainUuid: ACME,
      secretaryUuid: ANA,
      callUuid: 'e0000000-0000-4000-8000-000000000001',
      callerIdNumber: '5511988887777',
      callerIdName: 'John Doe',
      startedAt: new Date('2026-12-07T13:30:00Z'),
      endedAt: new Date('2026-12-07T13:30:42Z'),
      outcome: 'transferred',
      summary: 'John Doe asked for Maria Silva (sales); she accepted the call.',
      transcript: [
        { atMs: 120, role: 'assistant', text: 'Good morning, ACME.' },
        { atMs: 2400, role: 'user', text: 'Maria, please.' },
        { atMs: 3100, role: 'assistant', text: 'One moment.' },
      ],
      turnLatenciesMs: [640],
      transfer: { number: '1001', name: 'Maria Silva', department: 'sales', mode: 'announced' },
      provider: 'scripted',
    };
    await store.saveCall(record);
    const [call] = await db.query<Record<string, unknown>>('SELECT * FROM v_voice_conversations WHERE voice_conversation_uuid = $1', [record.id]);
    expect(call).toMatchObject({ outcome: 'transferred', final_action: 'transferred', duration_seconds: 42, total_turns: 1, transfer_extension: '1001', transfer_department: 'sales', turn_latencies_ms: [640], provider: 'scripted' });
    const lines = await db.query<Record<string, unknown>>('SELECT turn_number, role, content, offset_ms FROM v_voice_messages WHERE voice_conversation_uuid = $1 ORDER BY turn_number', [record.id]);
    expect(lines).toEqual([
      { turn_number: 1, role: 'assistant', content: 'Good morning, ACME.', offset_ms: 120 },
      { turn_number: 2, role: 'user', content: 'Maria, please.', offset_ms: 2400 },
      { turn_number: 3, role: 'assistant', content: 'One moment.', offset_ms: 3100 },
    ]);
  });
});

describe.each(DATABASES)('migrations over an existing voice-ai-ivr schema on $name', (kind) => {
  it.skipIf(kind.skip)("add the secretary's columns and keep the existing ones and rows", async () => {
    const { db, drop } = await kind.open({ sampleData: false, fusionpbxTables: true });
    try {
      // Start again from a voice-ai-ivr-shaped table: its base columns plus one of its own.
      await db.exec(`
        DROP TABLE v_voice_taken_messages, v_voice_messages, v_voice_conversations, v_voice_transfer_destinations, v_voice_secretaries, v_voice_schema_migrations CASCADE;
        CREATE TABLE v_voice_secretaries (
          voice_secretary_uuid UUID PRIMARY KEY DEFAULT gen_random_uuid(),
          domain_uuid UUID NOT NULL REFERENCES v_domains(domain_uuid) ON DELETE CASCADE,
          secretary_name VARCHAR(100) NOT NULL,
          company_name VARCHAR(200),
          personality_prompt TEXT NOT NULL DEFAULT '',
          processing_mode VARCHAR(20) DEFAULT 'turn_based',
          is_enabled BOOLEAN DEFAULT TRUE);
        INSERT INTO v_domains (domain_uuid, domain_name, domain_enabled) VALUES ('${ACME}', 'acme.example.com', true);
        INSERT INTO v_voice_secretaries (voice_secretary_uuid, domain_uuid, secretary_name, company_name, processing_mode)
          VALUES ('${ANA}', '${ACME}', 'Ana', 'ACME', 'realtime');`);
      await migrate(db);
      const [row] = await db.query<Record<string, unknown>>('SELECT * FROM v_voice_secretaries');
      expect(row).toMatchObject({ secretary_name: 'Ana', processing_mode: 'realtime', fallback_action: 'ticket', transfer_music_on_hold: 'local_stream://moh', after_hours_action: 'message' });
    } finally {
      await drop();
    }
  }, 60_000);
});
