/**
 * The store over SQL: FusionPBX's tables (`v_domains`, `v_extensions`) and the secretary's
 * (`v_voice_*`), the same queries on PostgreSQL (`pg`) and PGlite.
 *
 * FusionPBX's booleans were text ('true'/'false') before they became `boolean`: every test of
 * one goes through `::text`, so both schemas work.
 */
import type { Logger } from 'freeswitch-voice-ai';
import { type TransferDestination, destinationFromExtension, destinationFromRow, mergeDirectory } from '../destinations.js';
import { type Secretary, secretaryFromRow } from '../profile.js';
import type { CallRecord, SecretaryQuery, SecretaryStore, TakenMessage } from '../store.js';
import type { SqlClient } from './sql-client.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const uuidOrNull = (v: string | undefined): string | null => (v !== undefined && UUID.test(v) ? v : null);
const TRUE = (column: string): string => `coalesce(${column}::text, 'true') IN ('true', 't')`;

/** {@link SecretaryStore} over a {@link SqlClient}. */
export class SqlSecretaryStore implements SecretaryStore {
  constructor(
    private readonly db: SqlClient,
    private readonly logger?: Logger,
  ) {}

  async findSecretary(query: SecretaryQuery): Promise<Secretary | undefined> {
    const domainUuid = uuidOrNull(query.domainUuid);
    const secretaryUuid = uuidOrNull(query.secretaryUuid);
    if (query.domainUuid !== undefined && domainUuid === null) return undefined;
    if (query.secretaryUuid !== undefined && secretaryUuid === null) return undefined;
    if (domainUuid === null && !query.domainName) return undefined;
    if (secretaryUuid === null && !query.extension) return undefined;
    const rows = await this.db.query(
      `SELECT s.*, d.domain_name
         FROM v_voice_secretaries s JOIN v_domains d ON d.domain_uuid = s.domain_uuid
        WHERE ${TRUE('s.is_enabled')} AND ${TRUE('d.domain_enabled')}
          AND ($1::uuid IS NULL OR s.domain_uuid = $1::uuid)
          AND ($2::text IS NULL OR d.domain_name = $2::text)
          AND CASE WHEN $3::uuid IS NOT NULL THEN s.voice_secretary_uuid = $3::uuid ELSE s.extension = $4::text END
        ORDER BY s.insert_date
        LIMIT 1`,
      [domainUuid, domainUuid === null ? (query.domainName ?? null) : null, secretaryUuid, query.extension ?? null],
    );
    return rows[0] === undefined ? undefined : secretaryFromRow(rows[0], this.logger);
  }

  async directory(secretary: Secretary): Promise<TransferDestination[]> {
    const destinations = await this.db.query(
      `SELECT * FROM v_voice_transfer_destinations
        WHERE domain_uuid = $1::uuid AND (secretary_uuid IS NULL OR secretary_uuid = $2::uuid) AND ${TRUE('is_enabled')}
        ORDER BY priority, name`,
      [secretary.domainUuid, secretary.uuid],
    );
    const extensions = await this.db.query(
      `SELECT extension, effective_caller_id_name, directory_first_name, directory_last_name, user_context, description
         FROM v_extensions
        WHERE domain_uuid = $1::uuid AND ${TRUE('enabled')} AND ${TRUE('directory_visible')}
        ORDER BY extension`,
      [secretary.domainUuid],
    );
    return mergeDirectory(
      destinations.map((row) => destinationFromRow(row, secretary, this.logger)),
      extensions.map((row) => destinationFromExtension(row, secretary)),
    );
  }

  async saveMessage(m: TakenMessage): Promise<string> {
    const rows = await this.db.query<{ id: string }>(
      `INSERT INTO v_voice_taken_messages
         (domain_uuid, voice_secretary_uuid, voice_conversation_uuid, call_uuid, recipient, transfer_destination_uuid,
          caller_name, callback_number, reason, urgency, insert_date)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       RETURNING voice_taken_message_uuid AS id`,
      [
        m.domainUuid,
        m.secretaryUuid,
        uuidOrNull(m.conversationId),
        uuidOrNull(m.callUuid),
        m.recipient ?? null,
        uuidOrNull(m.destination?.id),
        m.callerName ?? null,
        m.callbackNumber ?? null,
        m.reason,
        m.urgency,
        m.takenAt,
      ],
    );
    return rows[0]!.id;
  }

  async markDelivered(messageId: string): Promise<void> {
    await this.db.query(`UPDATE v_voice_taken_messages SET status = 'delivered', delivered_at = now() WHERE voice_taken_message_uuid = $1`, [messageId]);
  }

  async saveCall(r: CallRecord): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO v_voice_conversations
           (voice_conversation_uuid, domain_uuid, voice_secretary_uuid, call_uuid, caller_id_number, caller_id_name,
            start_time, end_time, duration_seconds, processing_mode, total_turns, final_action, transfer_extension,
            transfer_department, outcome, summary, turn_latencies_ms, provider)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'realtime', $10, $11, $12, $13, $11, $14, $15::jsonb, $16)`,
        [
          r.id,
          r.domainUuid,
          r.secretaryUuid,
          uuidOrNull(r.callUuid),
          r.callerIdNumber ?? null,
          r.callerIdName ?? null,
          r.startedAt,
          r.endedAt,
          Math.round((r.endedAt.getTime() - r.startedAt.getTime()) / 1000),
          r.transcript.filter((l) => l.role === 'user').length,
          r.outcome,
          r.transfer?.number ?? null,
          r.transfer?.department ?? null,
          r.summary,
          JSON.stringify(r.turnLatenciesMs),
          r.provider,
        ],
      );
      for (const [i, line] of r.transcript.entries()) {
        await tx.query(
          `INSERT INTO v_voice_messages (voice_conversation_uuid, domain_uuid, turn_number, role, content, offset_ms)
           VALUES ($1, $2, $3, $4, $5, $6)`,
          [r.id, r.domainUuid, i + 1, line.role, line.text, line.atMs],
        );
      }
    });
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
