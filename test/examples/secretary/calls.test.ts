import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ProviderError, ScriptedProvider } from 'freeswitch-voice-ai';
import { JsonSecretaryStore } from '../../../examples/secretary/json-store.js';
import { webhookPoster } from '../../../examples/secretary/messages.js';
import { ACME, ANA, speech, startSecretary } from './harness.js';

const example = JSON.parse(readFileSync(new URL('../../../examples/secretary/tenants.example.json', import.meta.url), 'utf8'));
const store = () => JsonSecretaryStore.fromData(example);
const vars = { domain_uuid: ACME, secretary_uuid: ANA };
let stop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stop?.();
  stop = undefined;
});

describe('secretary: answering', () => {
  it('greets with the configured greeting and answers from the business info (tenants from the JSON file)', async () => {
    const s = store();
    const t = await startSecretary({
      store: s,
      caller: [{ heard: 'Where are you?', say: 'We are at Rua das Bigornas 100.', tool: { name: 'get_business_info', args: { topic: 'address' } } }],
    });
    stop = t.stop;
    t.call(vars, speech([1500, 400]));
    expect(await t.toolResult('get_business_info')).toEqual({ topic: 'location', info: 'Rua das Bigornas 100, São Paulo.' });
    expect(t.transcript[0]).toBe('caller assistant: Good morning, ACME, this is Ana. How can I help you?');
    const instructions = (t.sessions[0]!.session as unknown as { options: { instructions: string } }).options.instructions;
    expect(instructions).toContain('Open now (local time Monday 10:30, America/Sao_Paulo), until 18:00.');
    expect(instructions).toContain('- Maria Silva (also: maria) — department sales');
    expect(instructions).toContain('- Paulo Souza');
    expect(instructions).toMatch(/- Operator \(also: atendente, humano, pessoa, operador, operator, human/);
  });

  it('finds the secretary by the dialled extension when the dialplan sets no secretary_uuid', async () => {
    const t = await startSecretary({ store: store(), caller: [] });
    stop = t.stop;
    t.call({ domain_uuid: ACME }, speech([5000, 10]), '8000');
    await expect.poll(() => t.transcript[0]).toBe('caller assistant: Good morning, ACME, this is Ana. How can I help you?');
  });

  it('outside business hours says so, offers no transfer, takes a message and posts it to the webhook', async () => {
    const received: { body: string; signature: string | undefined }[] = [];
    const http = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push({ body, signature: req.headers['x-signature'] as string | undefined });
        res.writeHead(received.length === 1 ? 503 : 204).end(); // the first attempt fails: retried
      });
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/messages`;
    const poster = webhookPoster(url, { secret: 's3cret' });
    let done: () => void = () => {};
    const allPosted = new Promise<void>((r) => (done = r));
    const t = await startSecretary({
      store: store(),
      now: new Date('2026-12-12T15:00:00Z'), // Saturday noon in São Paulo
      caller: [{ heard: 'Tell Maria to call me.', say: 'I will let her know.', tool: { name: 'take_message', args: { for: 'maria', caller_name: 'John', message: 'Call me back.' } }, afterTool: 'Goodbye!' }],
      onMessage: (m) => void Promise.resolve(poster(m)).then(done),
    });
    stop = async () => (await t.stop(), await new Promise<void>((r) => http.close(() => r())));
    t.call(vars, speech([1500, 400]));
    await allPosted;
    const instructions = (t.sessions[0]!.session as unknown as { options: { instructions: string; tools: { name: string }[] } }).options;
    expect(instructions.instructions).toContain('Closed now (local time Saturday 12:00, America/Sao_Paulo). Opens Monday 2026-12-14 at 08:00.');
    expect(instructions.tools.map((x) => x.name)).toEqual(['take_message', 'get_business_info', 'hangup_call']);
    expect(received).toHaveLength(2);
    const body = JSON.parse(received[1]!.body);
    expect(body).toMatchObject({ event: 'message.taken', company: 'ACME', recipient: 'maria', destination: { name: 'Maria Silva', number: '1001' }, caller_name: 'John', callback_number: '5511988887777', message: 'Call me back.', urgency: 'normal' });
    expect(received[1]!.signature).toBe(`sha256=${createHmac('sha256', 's3cret').update(received[1]!.body).digest('hex')}`);
  });
});

describe('secretary: calls it cannot answer itself', () => {
  it('answers an unknown tenant with the prompt and the configured transfer, never a silent hangup', async () => {
    const t = await startSecretary({ store: store(), unknownCall: { prompt: 'ivr/ivr-not_available.wav', transfer: '1000' } });
    stop = t.stop;
    const caller = t.call({ domain_uuid: '00000000-0000-4000-8000-000000000000', secretary_uuid: ANA }, speech([5000, 10]));
    const transfer = await t.sim.waitForCommand((c) => c.line.startsWith('api uuid_transfer'), 5000);
    expect(transfer.line).toBe(`api uuid_transfer ${caller.uuid} 1000 XML acme.example.com`);
    expect(t.commands('sendmsg').some((c) => c.headers['execute-app-name'] === 'playback' && c.headers['execute-app-arg'] === 'ivr/ivr-not_available.wav')).toBe(true);
  });

  it('hangs up an unknown secretary with UNALLOCATED_NUMBER after the prompt when no transfer is configured', async () => {
    const t = await startSecretary({ store: store() });
    stop = t.stop;
    t.call({ domain_uuid: ACME, secretary_uuid: '00000000-0000-4000-8000-000000000000' }, speech([5000, 10]));
    const hangup = await t.sim.waitForCommand((c) => c.headers['call-command'] === 'hangup', 5000);
    expect(hangup.headers['hangup-cause']).toBe('UNALLOCATED_NUMBER');
    expect(t.commands('sendmsg').some((c) => c.headers['execute-app-arg'] === 'ivr/ivr-call_cannot_be_completed_as_dialed.wav')).toBe(true);
  });

  it("sends the caller to the operator when the AI provider fails", async () => {
    const t = await startSecretary({
      store: store(),
      provider: (role) => {
        if (role !== 'caller') return undefined;
        const p = new ScriptedProvider();
        p.connect = async () => {
          throw new ProviderError('the provider is down');
        };
        return p;
      },
    });
    stop = t.stop;
    const caller = t.call(vars, speech([5000, 10]));
    const transfer = await t.sim.waitForCommand((c) => c.line.startsWith('api uuid_transfer'), 5000);
    expect(transfer.line).toBe(`api uuid_transfer ${caller.uuid} 1000 XML acme.example.com`);
  });

  it("answers the doctor's probe by naming itself and hanging up", async () => {
    const t = await startSecretary({ store: store() });
    stop = t.stop;
    const probe = t.call({ voice_ai_doctor: 'token-1' }, speech([5000, 10]));
    await expect.poll(() => probe.isDown).toBe(true);
    expect(probe.variables.get('voice_ai_doctor_reply')).toBe('freeswitch-voice-ai secretary');
    expect(t.sessions).toHaveLength(0);
  });
});
