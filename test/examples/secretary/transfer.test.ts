import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../examples/secretary/db/open.js';
import type { SqlClient } from '../../../examples/secretary/db/sql-client.js';
import { SqlSecretaryStore } from '../../../examples/secretary/db/sql-store.js';
import { ACME, ANA, speech, startSecretary } from './harness.js';

let db: SqlClient;
let store: SqlSecretaryStore;
beforeAll(async () => {
  db = await openDatabase();
  store = new SqlSecretaryStore(db);
}, 60_000);
afterAll(async () => db.close());

const askForMaria = { heard: 'Maria in sales, please.', say: 'One moment.', tool: { name: 'transfer_call', args: { to: 'Maria in sales', reason: 'an invoice' } } };
const vars = { domain_uuid: ACME, secretary_uuid: ANA };

describe('secretary: announced transfer', () => {
  it('puts the caller on hold, rings Maria, briefs her, and bridges when she accepts', async () => {
    const t = await startSecretary({
      store,
      caller: [askForMaria],
      consult: [{ heard: 'Yes, put him through.', say: 'Connecting you now.', tool: { name: 'accept_transfer' } }],
      phones: [{ user: '1001', domain: 'acme.example.com', ringMs: 300, speech: speech([1800, 400]) }],
    });
    try {
      const caller = t.call(vars, speech([1500, 400]));
      const recorded = t.nextRecord();
      const bridge = await t.sim.waitForCommand((c) => c.line.startsWith('api uuid_bridge'), 20_000);
      const [originate] = t.commands('bgapi originate');
      expect(originate!.line).toMatch(new RegExp(`voice_ai_consult=[0-9a-f-]{36},voice_ai_caller_uuid=${caller.uuid}.*originate_timeout=20.*\\}user/1001@acme.example.com '&socket\\(127.0.0.1:${t.port} async full\\)'$`));
      const consultUuid = bridge.line.split(' ')[3]!;
      expect(bridge.line).toBe(`api uuid_bridge ${caller.uuid} ${consultUuid}`);
      expect(t.commands('sendmsg').some((c) => c.headers['execute-app-arg'] === 'local_stream://moh')).toBe(true);
      expect(t.commands('api uuid_break').map((c) => c.line)).toContain(`api uuid_break ${caller.uuid}`);
      await recorded;
      const [record] = t.calls;
      expect(record).toMatchObject({ outcome: 'transferred', transfer: { number: '1001', name: 'Maria Silva', department: 'sales', mode: 'announced' } });
      expect(record!.summary).toMatch(/John Doe \(5511988887777\) called ACME; asked for Maria in sales; was introduced and transferred to Maria Silva \(sales\), 1001/);
      expect(record!.transcript.map((l) => `${l.role}: ${l.text}`)).toEqual([
        'assistant: Good morning, ACME, this is Ana. How can I help you?',
        'user: Maria in sales, please.',
        'assistant: One moment.',
      ]);
      expect(record!.turnLatenciesMs).toHaveLength(1);
      expect(t.transcript).toContain('consult user: Yes, put him through.');
      // FreeSWITCH bridges after answering +OK: wait for it.
      await expect.poll(() => t.sim.channels.get(caller.uuid)?.partner).toBe(consultUuid);
      expect(t.sim.channels.get(caller.uuid)?.variables.get('hangup_after_bridge')).toBe('true');
      // The two stay up, bridged, until one hangs up; then both are gone.
      t.sim.hangup(consultUuid);
      await expect.poll(() => t.sim.channels.size).toBe(0);
    } finally {
      await t.stop();
    }
  });
});
