/**
 * The simplest source: tenants in a JSON file, with the same field names as the database's
 * columns (so moving to PostgreSQL later is a copy). Messages and call records are kept in
 * memory and, when `recordsFile` is set, appended to it as JSON lines.
 *
 * ```json
 * { "tenants": [{ "domain_uuid": "...", "domain_name": "acme.example.com",
 *     "secretaries": [{ "voice_secretary_uuid": "...", "secretary_name": "Ana", "company_name": "ACME", ... }],
 *     "destinations": [{ "name": "Maria Silva", "aliases": ["maria"], "destination_number": "1001", ... }],
 *     "extensions": [{ "extension": "1003", "effective_caller_id_name": "Paulo Souza" }] }] }
 * ```
 */
import { randomUUID } from 'node:crypto';
import { appendFile, readFile } from 'node:fs/promises';
import { ConfigError, type Logger } from 'freeswitch-voice-ai';
import { type TransferDestination, destinationFromExtension, destinationFromRow, mergeDirectory } from './destinations.js';
import { type Secretary, secretaryFromRow } from './profile.js';
import type { CallRecord, SecretaryQuery, SecretaryStore, TakenMessage } from './store.js';

type Row = Record<string, unknown>;
interface Tenant {
  domain_uuid: string;
  domain_name?: string;
  secretaries?: Row[];
  destinations?: Row[];
  extensions?: Row[];
}

/** {@link SecretaryStore} over a JSON file. */
export class JsonSecretaryStore implements SecretaryStore {
  /** Messages taken, in order (also appended to `recordsFile`). */
  readonly messages: (TakenMessage & { id: string; delivered: boolean })[] = [];
  /** Call records, in order. */
  readonly calls: CallRecord[] = [];

  private constructor(
    private readonly tenants: Tenant[],
    private readonly options: { recordsFile?: string; logger?: Logger },
  ) {}

  /** Reads and checks the file. */
  static async open(path: string, options: { recordsFile?: string; logger?: Logger } = {}): Promise<JsonSecretaryStore> {
    let data: unknown;
    try {
      data = JSON.parse(await readFile(path, 'utf8'));
    } catch (error) {
      throw new ConfigError(`${path}: ${(error as Error).message}`, 'SECRETARY_TENANTS', path);
    }
    return JsonSecretaryStore.fromData(data, path, options);
  }

  /** From parsed JSON (`where` names it in errors). */
  static fromData(data: unknown, where = 'tenants', options: { recordsFile?: string; logger?: Logger } = {}): JsonSecretaryStore {
    const tenants = (data as { tenants?: unknown })?.tenants;
    if (!Array.isArray(tenants)) throw new ConfigError(`${where}: expected { "tenants": [...] }`, 'SECRETARY_TENANTS');
    tenants.forEach((t: Tenant, i) => {
      if (typeof t?.domain_uuid !== 'string') throw new ConfigError(`${where}: tenants[${i}].domain_uuid is missing`, 'SECRETARY_TENANTS');
      for (const [j, s] of (t.secretaries ?? []).entries()) {
        if (typeof s.voice_secretary_uuid !== 'string') throw new ConfigError(`${where}: tenants[${i}].secretaries[${j}].voice_secretary_uuid is missing`, 'SECRETARY_TENANTS');
      }
    });
    return new JsonSecretaryStore(tenants as Tenant[], options);
  }

  async findSecretary(q: SecretaryQuery): Promise<Secretary | undefined> {
    const tenant = this.tenants.find((t) => (q.domainUuid ? t.domain_uuid === q.domainUuid : t.domain_name === q.domainName));
    if (!tenant) return undefined;
    const enabled = (tenant.secretaries ?? []).filter((s) => s.is_enabled !== false);
    const row = q.secretaryUuid ? enabled.find((s) => s.voice_secretary_uuid === q.secretaryUuid) : enabled.find((s) => s.extension === q.extension);
    return row && secretaryFromRow({ ...row, domain_uuid: tenant.domain_uuid, domain_name: tenant.domain_name }, this.options.logger);
  }

  async directory(secretary: Secretary): Promise<TransferDestination[]> {
    const tenant = this.tenants.find((t) => t.domain_uuid === secretary.domainUuid);
    const destinations = (tenant?.destinations ?? [])
      .filter((d) => d.is_enabled !== false && (d.secretary_uuid === undefined || d.secretary_uuid === null || d.secretary_uuid === secretary.uuid))
      .map((d, i) => destinationFromRow({ transfer_destination_uuid: d.transfer_destination_uuid ?? `json-${i}`, ...d }, secretary, this.options.logger));
    const extensions = (tenant?.extensions ?? [])
      .filter((e) => e.enabled !== false && e.directory_visible !== false)
      .map((e) => destinationFromExtension(e, secretary));
    return mergeDirectory(destinations, extensions);
  }

  async saveMessage(message: TakenMessage): Promise<string> {
    const id = randomUUID();
    this.messages.push({ ...message, id, delivered: false });
    await this.append({ type: 'message', id, ...message });
    return id;
  }

  async markDelivered(messageId: string): Promise<void> {
    const m = this.messages.find((x) => x.id === messageId);
    if (m) m.delivered = true;
  }

  async saveCall(record: CallRecord): Promise<void> {
    this.calls.push(record);
    await this.append({ type: 'call', ...record });
  }

  async close(): Promise<void> {}

  private async append(entry: Record<string, unknown>): Promise<void> {
    if (this.options.recordsFile) await appendFile(this.options.recordsFile, `${JSON.stringify(entry)}\n`);
  }
}
