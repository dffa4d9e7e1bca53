import { afterEach, describe, expect, it } from 'vitest';
import type { OutboundCall } from '../../src/esl/outbound-call.js';
import { type OutboundServer, createOutboundServer } from '../../src/esl/outbound-server.js';
import type { Logger } from '../../src/logger.js';
import { callLogFields, withLogFields } from '../../src/observability/call-log.js';
import { FreeSwitchSimulator } from '../../src/testing/index.js';

const DOMAIN = '11111111-2222-3333-4444-555555555555';

type Line = { level: string; fields: Record<string, unknown>; msg: string | undefined };
function recorder(): Logger & { lines: Line[] } {
  const lines: Line[] = [];
  const at =
    (level: string) =>
    (fields: object | string, msg?: string): void => {
      lines.push(typeof fields === 'string' ? { level, fields: {}, msg: fields } : { level, fields: fields as Record<string, unknown>, msg });
    };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

let sim: FreeSwitchSimulator;
let server: OutboundServer | undefined;
afterEach(async () => {
  await server?.close();
  await sim?.stop();
});

describe('call log fields', () => {
  it('every line the server and the call log about a call carries call_uuid, domain_uuid and node', async () => {
    sim = new FreeSwitchSimulator({ hostname: 'fs-7' });
    await sim.start();
    const logger = recorder();
    let handled: OutboundCall | undefined;
    server = createOutboundServer({ host: '127.0.0.1', port: 0, logger }, async (call) => {
      handled = call;
      call.logger.info({ step: 'greeting' }, 'my handler line');
      throw new Error('boom');
    });
    const { port } = await server.listen();
    const channel = sim.callSocket({ port }, { variables: { domain_uuid: DOMAIN } });
    // Nobody listens to `error`: the handler's failure is logged, through the call's logger.
    await until(() => logger.lines.some((l) => l.level === 'error'));
    // From the handshake on (before it the call's uuid is not known).
    const about = logger.lines.slice(logger.lines.findIndex((l) => l.msg === 'outbound call'));
    expect(about.length).toBeGreaterThan(3);
    expect(about.map((l) => l.msg)).toEqual(expect.arrayContaining(['outbound call', 'my handler line', expect.stringMatching(/^unhandled CallHandlerError/)]));
    for (const line of about) expect(line.fields).toMatchObject({ call_uuid: channel.uuid, domain_uuid: DOMAIN, node: 'fs-7' });
    expect(about.find((l) => l.msg === 'my handler line')!.fields.step).toBe('greeting');
    expect(callLogFields(handled!)).toEqual({ call_uuid: channel.uuid, domain_uuid: DOMAIN, node: 'fs-7' });
  });

  it("uses a pino-style child() when the logger has one, and otherwise merges (a line's own fields win)", () => {
    const base = recorder();
    const wrapped = withLogFields(base, { call_uuid: 'u', node: 'n' });
    wrapped.warn({ node: 'other', x: 1 }, 'm');
    wrapped.info('bare');
    expect(base.lines).toEqual([
      { level: 'warn', fields: { call_uuid: 'u', node: 'other', x: 1 }, msg: 'm' },
      { level: 'info', fields: { call_uuid: 'u', node: 'n' }, msg: 'bare' },
    ]);
    const children: object[] = [];
    const pinoLike = { ...recorder(), child: (b: object) => (children.push(b), recorder()) };
    withLogFields(pinoLike, { call_uuid: 'u' });
    expect(children).toEqual([{ call_uuid: 'u' }]);
    expect(callLogFields({ uuid: 'x' })).toEqual({ call_uuid: 'x' });
  });
});

async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 5));
}
