import type { TenantConfigSource } from 'freeswitch-voice-ai';

/** Your database client (pg, an ORM, ...); any object with such a `query` will do. */
declare const db: {
  query(sql: string, params: unknown[], options: { signal?: AbortSignal }): Promise<{ domain_name: string; esl_host: string | null } | undefined>;
};

const tenants: TenantConfigSource = {
  async get(domainUuid, signal) {
    const row = await db.query('SELECT domain_name, esl_host FROM v_domains WHERE domain_uuid = $1', [domainUuid], { signal });
    return row && { domainUuid, domainName: row.domain_name, esl: row.esl_host ? { host: row.esl_host } : undefined };
  },
};
