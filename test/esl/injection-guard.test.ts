/**
 * The injection guard, proven over every public method that writes a string: each string the
 * method takes (object keys included) gets each byte FreeSWITCH ends a command line at, in turn;
 * the call must reject with EslInvalidArgumentError and not one byte may reach the switch.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EslInvalidArgumentError } from '../../src/errors.js';
import { AsyncESLClient } from '../../src/esl/client.js';
import type { OutboundCall } from '../../src/esl/outbound-call.js';
import { createOutboundServer, type OutboundServer } from '../../src/esl/outbound-server.js';
import { FreeSwitchSimulator, type SimulatedListener } from '../../src/testing/index.js';

/** The bytes at which `read_packet` / `strip_cr` end a line: NUL ends the whole header block. */
const LINE_ENDS = ['\0', '\n', '\r'] as const;

/** One string inside a method's arguments, and how to rebuild the arguments with it spoiled. */
interface Leaf {
  path: string;
  spoil: (bad: string) => unknown[];
}

/** Paths that are not sent on a command line or in a header: bodies (framed by length) and signals. */
const NOT_A_LINE = /(^|\.)(body|signal|timeout|jobTimeout)$/;

/** Objects whose keys are sent too (headers, channel variables), not option names. */
const RECORDS = new WeakSet<object>();
function record<T extends object>(value: T): T {
  RECORDS.add(value);
  return value;
}

/** Every string of `args` (values and object keys), each with a function that puts `bad` inside it. */
function leaves(args: unknown[]): Leaf[] {
  const out: Leaf[] = [];
  const spoilString = (s: string, bad: string): string => `${s.slice(0, 1)}${bad}${s.slice(1)}`;
  const walk = (value: unknown, path: string, rebuild: (v: unknown) => unknown[]): void => {
    if (NOT_A_LINE.test(path)) return;
    if (typeof value === 'string') {
      out.push({ path, spoil: (bad) => rebuild(spoilString(value, bad)) });
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => walk(item, `${path}[${i}]`, (v) => rebuild(value.map((x, j) => (j === i ? v : x)))));
    } else if (value !== null && typeof value === 'object') {
      const entries = Object.entries(value);
      entries.forEach(([key, item], i) => {
        const remake = (v: unknown): unknown => {
          const copy = Object.fromEntries(entries.map(([k, x], j) => [k, j === i ? v : x]));
          if (RECORDS.has(value)) RECORDS.add(copy);
          return copy;
        };
        walk(item, `${path}.${key}`, (v) => rebuild(remake(v)));
        if (!RECORDS.has(value)) return;
        out.push({
          path: `${path}{key ${key}}`,
          spoil: (bad) => rebuild(record(Object.fromEntries(entries.map(([k, x], j) => [j === i ? spoilString(k, bad) : k, x])))),
        });
      });
    }
  };
  args.forEach((arg, i) => walk(arg, `arg${i}`, (v) => args.map((a, j) => (j === i ? v : a))));
  return out;
}

/** A method call: its name, valid arguments (every string of which gets spoiled in turn), and bodies to leave alone. */
type Case<T> = [method: keyof T & string, args: unknown[], bodies?: string[]];

const UUID = '8d4c3a4e-1f0b-4b0e-9a3c-0d1e2f3a4b5c';

const CLIENT_CASES: Case<AsyncESLClient>[] = [
  ['api', ['status']],
  ['bgapi', ['status', { jobUuid: UUID }]],
  ['sendmsg', [UUID, { command: 'execute', headers: record({ 'execute-app-name': 'playback', 'execute-app-arg': 'a.wav' }), body: 'any' }]],
  ['execute', [UUID, 'playback', 'a.wav', { eventUuid: UUID }]],
  ['sendevent', ['CUSTOM', record({ 'Event-Subclass': 'app::x', 'X-A': 'v' }), 'body'], ['arg2']],
  ['subscribe', [['CHANNEL_ANSWER', 'app::x'], 'json']],
  ['subscribe', ['CHANNEL_ANSWER']],
  ['unsubscribe', [['CHANNEL_ANSWER']]],
  ['filter', ['Unique-ID', UUID]],
  ['filterDelete', ['Unique-ID', UUID]],
  ['log', ['debug']],
  ['uuidBroadcast', [UUID, 'ivr/a.wav', 'aleg']],
  ['uuidBreak', [UUID]],
  ['uuidBridge', [UUID, UUID]],
  ['uuidKill', [UUID, 'USER_BUSY']],
  ['uuidTransfer', [UUID, '9000', 'XML', 'default']],
  ['uuidGetvar', [UUID, 'domain_uuid']],
  ['uuidSetvar', [UUID, 'domain_uuid', 'd1']],
  ['uuidExists', [UUID]],
  [
    'originate',
    [{ dialString: 'user/1000', app: 'park', appArg: 'x', uuid: UUID, callerIdName: 'Ann', callerIdNumber: '100', variables: record({ domain_uuid: 'd1' }) }],
  ],
  ['originate', [{ dialString: 'user/1000', extension: '9000', dialplan: 'XML', context: 'default' }]],
];

/** Raw commands `send` must refuse: each would be more, or less, than one command to FreeSWITCH. */
const RAW_INJECTIONS = [
  'api status\n\napi version\n\n', // two commands
  'sendevent CUSTOM\nX-A: a\0b\nContent-Length: 12\n\napi status\n\n', // NUL hides Content-Length
  'api status\rapi version\n\n', // a lone CR ends a line
  'sendevent CUSTOM\nContent-Length: 3\n\nab', // body shorter than said: swallows the next command
  'sendevent CUSTOM\nContent-Length: 1\nContent-Length: 1\n\nab', // two bodies
  'api status\n', // never ends
  '\n\n',
];

/** Public methods that take no string, or whose strings never reach the wire. */
const CLIENT_NO_STRINGS = ['constructor', 'connect', 'close', 'on', 'off', 'once', 'waitForEvent', 'events', 'noevents', 'nolog', 'showChannels', 'status', 'toJSON'];
/** Private helpers (TypeScript `private`: on the prototype all the same). */
const CLIENT_INTERNALS = [
  'write',
  'sendSafely',
  'expectOk',
  'writeJob',
  'recoverOriginate',
  'whenReady',
  'notifyReady',
  'ensureJobEvents',
  'onEvent',
  'establish',
  'onConnectionClose',
  'reconnect',
  'giveUp',
  'warnDefaultPassword',
];

const CALL_CASES: Case<OutboundCall>[] = [
  ['execute', ['playback', 'a.wav']],
  ['playback', ['a.wav']],
  ['bridge', ['user/1000']],
  ['sendDtmf', ['123']],
  ['hangup', ['USER_BUSY']],
  ['setVariable', ['domain_uuid', 'd1']],
  ['getVariable', ['domain_uuid']],
  ['transfer', ['9000', 'XML', 'default']],
  ['unicast', [{ localIp: '127.0.0.1', localPort: 4000, remoteIp: '127.0.0.1', remotePort: 4002 }]],
  ['sendmsg', [{ command: 'execute', headers: record({ 'execute-app-name': 'playback', 'execute-app-arg': 'a.wav' }), body: 'any' }]],
  ['api', ['status']],
  ['bgapi', ['status', { jobUuid: UUID }]],
  ['subscribe', [['CUSTOM', 'mod_audio_stream::connect']]],
];

const CALL_NO_STRINGS = [
  'constructor', 'handshake', 'on', 'off', 'once', 'waitForEvent', 'events', 'ended', 'answer', 'preAnswer', 'park', 'close', 'destroy',
];
const CALL_INTERNALS = ['send', 'assertActive', 'endedError', 'needsFull', 'onEvent', 'onDisconnectNotice', 'onClose'];

function methodsOf(proto: object): string[] {
  return Object.getOwnPropertyNames(proto).filter((n) => {
    const d = Object.getOwnPropertyDescriptor(proto, n)!;
    return typeof d.value === 'function';
  });
}

/** Runs `fn`, which must reject with EslInvalidArgumentError, and proves no byte went out. */
async function expectRefusedSilently(peer: SimulatedListener, fn: () => unknown, sentinel: () => Promise<unknown>, sentinelBytes: number, label: string): Promise<void> {
  const before = peer.socket.bytesRead;
  let result: unknown;
  try {
    result = fn();
  } catch (error) {
    result = Promise.reject(error);
  }
  const settled = await Promise.resolve((result as { accepted?: unknown })?.accepted ?? result).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(settled, label).toBeInstanceOf(EslInvalidArgumentError);
  // TCP keeps order: once the sentinel's reply is back, anything written before it has arrived.
  await sentinel();
  expect(peer.socket.bytesRead - before, `${label}: bytes that reached the switch`).toBe(sentinelBytes);
}

describe('AsyncESLClient: every string argument is guarded', () => {
  let sim: FreeSwitchSimulator;
  let client: AsyncESLClient;
  let peer: SimulatedListener;

  beforeAll(async () => {
    sim = new FreeSwitchSimulator();
    const { port } = await sim.start();
    client = new AsyncESLClient({ host: '127.0.0.1', port, maxReconnectAttempts: 0 });
    await client.connect();
    peer = sim.connectionList[0]!;
  });
  afterAll(async () => {
    await client.close();
    await sim.stop();
  });

  it('covers every public method of the client', () => {
    const classified = new Set(['send', ...CLIENT_CASES.map(([m]) => m), ...CLIENT_NO_STRINGS, ...CLIENT_INTERNALS]);
    expect(methodsOf(AsyncESLClient.prototype).filter((m) => !classified.has(m))).toEqual([]);
  });

  for (const [method, args, bodies = []] of CLIENT_CASES) {
    it(`${method}(${args.map((a) => JSON.stringify(a)).join(', ').slice(0, 60)}): NUL, LF and CR in each string`, async () => {
      const all = leaves(args).filter((leaf) => !bodies.includes(leaf.path));
      expect(all.length).toBeGreaterThan(0);
      const sentinel = (): Promise<unknown> => client.send('api version\n\n');
      for (const leaf of all) {
        for (const bad of LINE_ENDS) {
          const fn = (client[method] as (...a: unknown[]) => unknown).bind(client);
          await expectRefusedSilently(peer, () => fn(...leaf.spoil(bad)), sentinel, 'api version\n\n'.length, `${method} ${leaf.path} ${JSON.stringify(bad)}`);
        }
      }
    });
  }

  it('send(): refuses raw text that is not exactly one command', async () => {
    const sentinel = (): Promise<unknown> => client.send('api version\n\n');
    for (const raw of RAW_INJECTIONS) {
      await expectRefusedSilently(peer, () => client.send(raw), sentinel, 'api version\n\n'.length, `send ${JSON.stringify(raw)}`);
    }
    expect((await client.send('api status\r\n\r\n')).ok).toBe(true);
    expect((await client.send('sendevent CUSTOM\nEvent-Subclass: app::x\nContent-Length: 3\n\na\0b')).ok).toBe(true);
  });

  it('lets bodies carry any byte: they are framed by Content-Length', async () => {
    const got = sim.waitForCommand((c) => c.headers['Event-Subclass'] === 'app::body');
    await client.sendevent('CUSTOM', { 'Event-Subclass': 'app::body' }, 'a\0b\r\nc');
    // FreeSWITCH keeps an event body as a C string: what follows the NUL is read, then dropped.
    expect((await got).body).toBe('a');
    expect((await client.api('version')).ok).toBe(true);
  });
});

describe('OutboundCall: every string argument is guarded', () => {
  let sim: FreeSwitchSimulator;
  let server: OutboundServer;
  let call: OutboundCall;
  let peer: SimulatedListener;

  beforeAll(async () => {
    sim = new FreeSwitchSimulator();
    await sim.start();
    server = createOutboundServer({ host: '127.0.0.1', port: 0, maxConnections: 10 });
    const arrived = new Promise<OutboundCall>((resolve) => server.once('call', resolve));
    const { port } = await server.listen();
    const channel = sim.callSocket({ port });
    call = await arrived;
    peer = sim.connectionList.find((l) => l.sessionUuid === channel.uuid)!;
  });
  afterAll(async () => {
    await server.close();
    await sim.stop();
  });

  it('covers every public method of a call', () => {
    const classified = new Set([...CALL_CASES.map(([m]) => m), ...CALL_NO_STRINGS, ...CALL_INTERNALS]);
    expect(methodsOf(Object.getPrototypeOf(call) as object).filter((m) => !classified.has(m))).toEqual([]);
  });

  for (const [method, args] of CALL_CASES) {
    it(`${method}(${args.map((a) => JSON.stringify(a)).join(', ').slice(0, 60)}): NUL, LF and CR in each string`, async () => {
      const all = leaves(args);
      expect(all.length).toBeGreaterThan(0);
      const sentinel = (): Promise<unknown> => call.api('version');
      for (const leaf of all) {
        for (const bad of LINE_ENDS) {
          const fn = (call[method] as (...a: unknown[]) => unknown).bind(call);
          await expectRefusedSilently(peer, () => fn(...leaf.spoil(bad)), sentinel, 'api version\n\n'.length, `${method} ${leaf.path} ${JSON.stringify(bad)}`);
        }
      }
    });
  }
});
