/**
 * Issue 13, item 17: a password never reaches a log line, an error, `util.inspect` or
 * `JSON.stringify` — through connect, a wrong password, a reconnect and close.
 */
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { EslClientPool } from '../../src/config/client-pool.js';
import { loadConfig } from '../../src/config/env.js';
import { resolveEndpoint } from '../../src/config/tenants.js';
import { EslAuthError } from '../../src/errors.js';
import { AsyncESLClient } from '../../src/esl/client.js';
import { type Logger, redactCommand } from '../../src/logger.js';
import { FreeSwitchSimulator } from '../../src/testing/index.js';

/** Passwords with `:` in them, as the issue's `correct:horse` example. */
const PASSWORD = 'correct:horse:battery';
const USER_PASSWORD = 'staple:kn0b:xyzzy';
const WRONG = 'wr0ng:guess:plugh';
/** Pieces of the passwords that must never show (each part after a `:` too). */
const SECRETS = [PASSWORD, USER_PASSWORD, WRONG, 'horse', 'battery', 'kn0b', 'xyzzy', 'guess', 'plugh'];

function serialise(value: unknown): string {
  return `${JSON.stringify(value, (_key, v: unknown) =>
    v instanceof Error ? { ...v, name: v.name, message: v.message, stack: v.stack, cause: v.cause } : v,
  )} ${inspect(value, { depth: 20, showHidden: true })}`;
}

/** A pino-like logger that keeps every line, objects and errors (with causes) fully serialised. */
function recordingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const at =
    (level: string) =>
    (obj: object | string, msg?: string): void => {
      lines.push(`${level} ${typeof obj === 'string' ? obj : serialise(obj)} ${msg ?? ''}`);
    };
  return { logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }, lines };
}

function expectNoSecret(text: string, where: string): void {
  for (const secret of SECRETS) expect(text.includes(secret), `${where} shows ${JSON.stringify(secret)}: ${text.slice(0, 300)}`).toBe(false);
}

let sim: FreeSwitchSimulator | undefined;
const clients: AsyncESLClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await sim?.stop();
  sim = undefined;
});

describe('redactCommand', () => {
  it('hides a userauth password from the first ":" on, where FreeSWITCH splits it (parse_command)', () => {
    expect(redactCommand('userauth alice@example.com:correct:horse:staple')).toBe('userauth alice@example.com:***');
    expect(redactCommand('userauth alice:pw@example.com')).toBe('userauth alice:***');
    expect(redactCommand('USERAUTH alice@example.com:pw')).toBe('USERAUTH alice@example.com:***');
    expect(redactCommand('userauth nocolon')).toBe('userauth ***');
    expect(redactCommand('AUTH secret')).toBe('auth ***');
    expect(redactCommand('api status')).toBe('api status');
  });
});

describe('no password in logs, errors, inspect or JSON', () => {
  it('through connect, userauth, a wrong password, a reconnect and close', async () => {
    const { logger, lines } = recordingLogger();
    sim = new FreeSwitchSimulator({ password: PASSWORD, users: { 'alice@example.com': USER_PASSWORD }, logger });
    const { port } = await sim.start();
    const shown: string[] = [];
    const show = (label: string, value: unknown): void => {
      shown.push(`${label}: ${inspect(value, { depth: Infinity, showHidden: true })}`);
      shown.push(`${label} (customInspect: false): ${inspect(value, { depth: 4, customInspect: false })}`);
      shown.push(`${label} JSON: ${JSON.stringify(value)}`);
    };

    const client = new AsyncESLClient({ host: '127.0.0.1', port, password: PASSWORD, logger, reconnectDelay: 5 });
    clients.push(client);
    show('client before connect', client);
    await client.connect();
    show('client', client);
    const ready = new Promise<void>((resolve) => client.once('ready', resolve));
    sim.dropConnections();
    await ready;
    expect((await client.api('status')).ok).toBe(true);

    const alice = new AsyncESLClient({ host: '127.0.0.1', port, user: 'alice@example.com', password: USER_PASSWORD, logger });
    clients.push(alice);
    await alice.connect();
    show('userauth client', alice);

    const wrong = new AsyncESLClient({ host: '127.0.0.1', port, password: WRONG, logger });
    clients.push(wrong);
    const error = await wrong.connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EslAuthError);
    show('auth error', error);
    show('client with a wrong password', wrong);
    await client.close();
    show('closed client', client);

    // The logs did see the logins, redacted.
    expect(lines.some((l) => l.includes('auth ***'))).toBe(true);
    expect(lines.some((l) => l.includes('userauth alice@example.com:***'))).toBe(true);
    for (const line of lines) expectNoSecret(line, 'a log line');
    for (const text of shown) expectNoSecret(text, text.slice(0, text.indexOf(':')));
    expect(JSON.parse(JSON.stringify(client))).toMatchObject({ host: '127.0.0.1', port, password: '***' });
  });

  it('in loadConfig() results, tenant endpoints and the client pool', async () => {
    sim = new FreeSwitchSimulator({ password: PASSWORD });
    const { port } = await sim.start();
    const config = loadConfig({ ESL_PASSWORD: PASSWORD, ESL_PORT: String(port) });
    expect(config.esl.password).toBe(PASSWORD); // still there for the code that needs it
    expect({ ...config.esl }.password).toBe(PASSWORD);
    const endpoint = resolveEndpoint({ domainUuid: 'd1', esl: { password: USER_PASSWORD } }, config.esl);
    const pool = new EslClientPool({ defaults: config.esl });
    const client = await pool.getDefault();
    clients.push(client);
    for (const [label, value] of Object.entries({ config, endpoint, pool, client })) {
      expectNoSecret(inspect(value, { depth: Infinity, showHidden: true }), `inspect(${label})`);
      expectNoSecret(JSON.stringify(value), `JSON.stringify(${label})`);
    }
    expectNoSecret(inspect(pool, { depth: 6, customInspect: false }), 'inspect(pool, { customInspect: false })');
    expect(JSON.parse(JSON.stringify(config)).esl.password).toBe('***');
    await pool.close();
  });
});
