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

describe('secretary: when the person cannot take the call', () => {
  it('comes back to the caller with the reason when Maria declines, and takes a message', async () => {
    const messages: string[] = [];
    const t = await startSecretary({
      store,
      caller: [
        { ...askForMaria, afterTool: 'Maria is in a meeting. Shall I take a message?' },
        {
          heard: 'Yes, please ask her to call me back.',
          say: 'I will pass it on.',
          tool: { name: 'take_message', args: { for: 'Maria', message: 'Please call back about the invoice.', urgency: 'high' } },
          afterTool: 'Goodbye!',
        },
      ],
      consult: [{ heard: 'I am in a meeting.', say: 'All right.', tool: { name: 'reject_transfer', args: { reason: 'in a meeting until 3' } } }],
      phones: [{ user: '1001', domain: 'acme.example.com', ringMs: 200, speech: speech([1800, 400]) }],
      onMessage: (m) => messages.push(`${m.destination?.name}: ${m.reason} (${m.urgency}, ${m.callbackNumber})`),
    });
    try {
      const caller = t.call(vars, speech([1500, 400], [4500, 400]));
      expect(await t.toolResult('transfer_call')).toEqual({
        ok: false,
        reason: 'declined',
        detail: 'in a meeting until 3',
        say_first: 'Thank you for holding.',
        offer: 'take a message',
      });
      expect(t.commands('api uuid_bridge')).toEqual([]);
      expect(t.commands('api uuid_break').map((c) => c.line)).toContain(`api uuid_break ${caller.uuid}`);
      expect(await t.toolResult('take_message')).toMatchObject({ saved: true, for: 'Maria Silva', callback_number: '5511988887777' });
      expect(messages).toEqual(['Maria Silva: Please call back about the invoice. (high, 5511988887777)']);
      const recorded = t.nextRecord();
      t.sim.hangup(caller.uuid);
      await recorded;
      expect(t.calls[0]).toMatchObject({ outcome: 'message' });
      expect(t.calls[0]!.summary).toContain('left a high message for Maria Silva: "Please call back about the invoice."');
      const [stored] = await db.query<Record<string, unknown>>('SELECT * FROM v_voice_taken_messages WHERE voice_conversation_uuid = $1', [t.calls[0]!.id]);
      expect(stored).toMatchObject({ recipient: 'Maria', callback_number: '5511988887777', urgency: 'high', status: 'delivered' });
      await expect.poll(() => t.sim.channels.size).toBe(0);
    } finally {
      await t.stop();
    }
  });

  it.each([
    ['no-answer' as const, { kind: 'no-answer', detail: 'Maria Silva did not answer within 1 seconds' }],
    ['busy' as const, { kind: 'busy', detail: 'Maria Silva is on another call' }],
  ])('says so when the phone gives %s, after the ring time', async (behavior, expected) => {
    await db.query("UPDATE v_voice_transfer_destinations SET ring_timeout_seconds = 1 WHERE name = 'Maria Silva'");
    const t = await startSecretary({ store, caller: [askForMaria], phones: [{ user: '1001', domain: 'acme.example.com', behavior }] });
    try {
      const caller = t.call(vars, speech([1500, 400]));
      expect(await t.toolResult('transfer_call')).toMatchObject({ ok: false, reason: expected.kind, detail: expected.detail });
      expect(t.commands('bgapi originate')[0]!.line).toContain('originate_timeout=1,');
      expect(t.commands('api uuid_break').map((c) => c.line)).toContain(`api uuid_break ${caller.uuid}`);
      expect(t.commands('api uuid_bridge')).toEqual([]);
      await expect.poll(() => t.sim.channels.size).toBe(1);
    } finally {
      await db.query("UPDATE v_voice_transfer_destinations SET ring_timeout_seconds = 20 WHERE name = 'Maria Silva'");
      await t.stop();
    }
  });

  it("does not ring a phone that is not registered, and says it is offline", async () => {
    const t = await startSecretary({ store, caller: [askForMaria] });
    try {
      t.call(vars, speech([1500, 400]));
      expect(await t.toolResult('transfer_call')).toEqual({ ok: false, reason: 'unreachable', detail: "Maria Silva's phone is not connected right now", offer: 'take a message' });
      expect(t.commands('api sofia_contact').map((c) => c.line)).toEqual(['api sofia_contact */1001@acme.example.com']);
      expect(t.commands('bgapi originate')).toEqual([]);
    } finally {
      await t.stop();
    }
  });

  it("does not ring someone outside their own hours (John: Monday, Wednesday, Friday)", async () => {
    const t = await startSecretary({ store, caller: [{ heard: 'Johnny please', say: 'One moment.', tool: { name: 'transfer_call', args: { to: 'Johnny' } } }], now: new Date('2026-12-08T13:30:00Z') });
    try {
      t.call(vars, speech([1500, 400]));
      expect(await t.toolResult('transfer_call')).toEqual({
        ok: false,
        reason: 'outside_hours',
        detail: 'John Carter: Closed now (local time Tuesday 10:30, America/Sao_Paulo). Opens Wednesday 2026-12-09 at 10:00.',
        offer: 'take a message',
      });
    } finally {
      await t.stop();
    }
  });

  it('stops ringing the person when the caller hangs up on hold; the call is recorded as abandoned', async () => {
    const t = await startSecretary({ store, caller: [askForMaria], phones: [{ user: '1001', domain: 'acme.example.com', behavior: 'no-answer' }] });
    try {
      const caller = t.call(vars, speech([1500, 400]));
      const originate = await t.sim.waitForCommand((c) => c.line.startsWith('bgapi originate'), 15_000);
      const consultUuid = /origination_uuid=([0-9a-f-]{36})/.exec(originate.line)![1]!;
      await expect.poll(() => t.sim.channels.has(consultUuid)).toBe(true);
      const recorded = t.nextRecord();
      t.sim.hangup(caller.uuid);
      await t.sim.waitForCommand((c) => c.line === `api uuid_kill ${consultUuid} ORIGINATOR_CANCEL`, 5000);
      await recorded;
      expect(t.calls[0]).toMatchObject({ outcome: 'abandoned' });
      expect(t.calls[0]!.summary).toContain('hung up on hold');
      await expect.poll(() => t.sim.channels.size).toBe(0);
    } finally {
      await t.stop();
    }
  });
});

describe('secretary: blind transfer', () => {
  it('sends the caller straight to a ring group (Finance, set to blind)', async () => {
    const t = await startSecretary({ store, caller: [{ heard: 'I have a question about a boleto.', say: 'Transferring you to Finance.', tool: { name: 'transfer_call', args: { to: 'boleto' } } }] });
    try {
      const caller = t.call(vars, speech([1500, 400]));
      const recorded = t.nextRecord();
      const transfer = await t.sim.waitForCommand((c) => c.line.startsWith('api uuid_transfer'), 15_000);
      expect(transfer.line).toBe(`api uuid_transfer ${caller.uuid} 2000 XML acme.example.com`);
      await recorded;
      expect(t.calls[0]).toMatchObject({ outcome: 'transferred', transfer: { number: '2000', name: 'Finance', mode: 'blind' } });
      expect(t.commands('bgapi originate')).toEqual([]);
    } finally {
      await t.stop();
    }
  });
});
