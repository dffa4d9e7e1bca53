/**
 * Issue 13, items 12 and 13 at the SDK level: headers the framing owns are refused, and a command
 * line over FreeSWITCH's 10 MiB cut (or over `maxCommandBytes`) is refused before a byte is
 * written. test/testing/command-reader.test.ts shows what each would do to the switch.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { EslCommandTooLargeError, EslInvalidArgumentError } from '../../src/errors.js';
import { AsyncESLClient, type AsyncESLClientOptions } from '../../src/esl/client.js';
import { DEFAULT_MAX_COMMAND_BYTES, FREESWITCH_MAX_BODY_BYTES, FREESWITCH_MAX_COMMAND_BYTES } from '../../src/esl/commands.js';
import type { OutboundCall } from '../../src/esl/outbound-call.js';
import { createOutboundServer, type OutboundServer } from '../../src/esl/outbound-server.js';
import { FreeSwitchSimulator, READ_PACKET_MAX_LEN, type SimulatedListener } from '../../src/testing/index.js';

let sim: FreeSwitchSimulator;
let client: AsyncESLClient | undefined;
let server: OutboundServer | undefined;

afterEach(async () => {
  await client?.close();
  await server?.close();
  client = undefined;
  server = undefined;
  await sim.stop();
});

async function connected(options: AsyncESLClientOptions = {}): Promise<{ client: AsyncESLClient; peer: SimulatedListener }> {
  sim = new FreeSwitchSimulator();
  const { port } = await sim.start();
  client = new AsyncESLClient({ host: '127.0.0.1', port, maxReconnectAttempts: 0, ...options });
  await client.connect();
  return { client, peer: sim.connectionList[0]! };
}

/** Resolves with the rejection of `p`, and the bytes that reached the switch meanwhile (after a sentinel round trip). */
async function refusal(peer: SimulatedListener, p: () => PromiseLike<unknown>, sentinel: () => Promise<unknown>): Promise<{ error: unknown; bytes: number }> {
  const before = peer.socket.bytesRead;
  const error = await Promise.resolve()
    .then(p)
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  await sentinel();
  return { error, bytes: peer.socket.bytesRead - before - 'api version\n\n'.length };
}

describe('item 12: headers the framing owns', () => {
  it('refuses Content-Length (any case) and names with ":" in sendevent and sendmsg, before writing', async () => {
    const { client, peer } = await connected();
    const sentinel = (): Promise<unknown> => client.api('version');
    const attempts: (() => Promise<unknown>)[] = [
      () => client.sendevent('CUSTOM', { 'Event-Subclass': 'app::x', 'Content-Length': 12 }),
      () => client.sendevent('CUSTOM', { 'Event-Subclass': 'app::x', 'content-LENGTH': '12' }, 'body'),
      () => client.sendevent('CUSTOM', { 'Content-Length:12': 'x' }),
      () => client.sendmsg('00000000-0000-0000-0000-000000000000', { command: 'execute', headers: { 'Content-Length': 0 } }),
      () => client.sendmsg('00000000-0000-0000-0000-000000000000', { command: 'hangup', headers: { 'Call-Command': 'execute' } }),
    ];
    for (const attempt of attempts) {
      const { error, bytes } = await refusal(peer, attempt, sentinel);
      expect(error).toBeInstanceOf(EslInvalidArgumentError);
      expect(bytes).toBe(0);
    }
  });

  it('keeps Content-Type yours on sendevent (mod_sofia reads it on NOTIFY and SEND_MESSAGE)', async () => {
    const { client } = await connected();
    const got = sim.waitForCommand((c) => c.line === 'sendevent SEND_MESSAGE');
    await client.sendevent('SEND_MESSAGE', { profile: 'internal', 'content-type': 'text/plain', user: '1000', host: 'd1' }, 'hi');
    expect((await got).headerList).toEqual([
      ['profile', 'internal'],
      ['content-type', 'text/plain'],
      ['user', '1000'],
      ['host', 'd1'],
      ['Content-Length', '2'],
    ]);
  });
});

describe('item 13: command size', () => {
  it("refuses a command line over FreeSWITCH's 10,485,760-byte cut whatever maxCommandBytes says; exactly that many bytes go through as one command", async () => {
    const { client, peer } = await connected({ maxCommandBytes: 64 * 1024 * 1024 });
    expect(FREESWITCH_MAX_COMMAND_BYTES).toBe(READ_PACKET_MAX_LEN);
    // `api status <pad>\n\n`: the header block is the line and the blank line.
    const fits = `status ${'x'.repeat(FREESWITCH_MAX_COMMAND_BYTES - 'api status \n\n'.length)}`;
    const { error, bytes } = await refusal(peer, () => client.api(`${fits}x`), () => client.api('version'));
    expect(error).toBeInstanceOf(EslCommandTooLargeError);
    expect(error).toMatchObject({ code: 'ESL_COMMAND_TOO_LARGE', limit: FREESWITCH_MAX_COMMAND_BYTES, bytes: FREESWITCH_MAX_COMMAND_BYTES + 1 });
    expect(bytes).toBe(0);
    const before = sim.commands.length;
    expect((await client.api(fits, { timeout: 10_000 })).text).toMatch(/^UP /);
    expect(sim.commands.slice(before).map((c) => c.line.slice(0, 12))).toEqual(['api status x']);
  });

  it(`refuses a command over the default maxCommandBytes (${DEFAULT_MAX_COMMAND_BYTES}) before writing`, async () => {
    const { client, peer } = await connected();
    const { error, bytes } = await refusal(peer, () => client.api(`status ${'x'.repeat(DEFAULT_MAX_COMMAND_BYTES)}`), () => client.api('version'));
    expect(error).toMatchObject({ code: 'ESL_COMMAND_TOO_LARGE', limit: DEFAULT_MAX_COMMAND_BYTES });
    expect(bytes).toBe(0);
  });

  it('applies a lower maxCommandBytes to every command, bgapi and originate included', async () => {
    const { client, peer } = await connected({ maxCommandBytes: 100 });
    const long = 'x'.repeat(100);
    for (const attempt of [
      () => client.api(`echo ${long}`),
      () => client.bgapi(`echo ${long}`).accepted,
      () => client.originate({ dialString: 'loopback/9000', app: 'park', variables: { note: long } }),
      () => client.sendevent('CUSTOM', { 'Event-Subclass': 'app::x', 'X-Long': long }),
    ]) {
      const { error, bytes } = await refusal(peer, attempt, () => client.api('version'));
      expect(error).toMatchObject({ code: 'ESL_COMMAND_TOO_LARGE', limit: 100 });
      expect(bytes).toBe(0);
    }
    // A long payload in a body is not part of the command line.
    expect((await client.sendevent('CUSTOM', { 'Event-Subclass': 'app::x' }, long.repeat(10))).ok).toBe(true);
  });

  it('refuses a body over FreeSWITCH MAX_CONTENT_LENGTH (16 MiB), which would make it drop the connection', async () => {
    const { client, peer } = await connected();
    const { error, bytes } = await refusal(peer, () => client.sendevent('CUSTOM', {}, 'x'.repeat(FREESWITCH_MAX_BODY_BYTES + 1)), () => client.api('version'));
    expect(error).toMatchObject({ code: 'ESL_COMMAND_TOO_LARGE', argument: 'body', limit: FREESWITCH_MAX_BODY_BYTES });
    expect(bytes).toBe(0);
  });

  it('applies maxCommandBytes of the outbound server to its calls', async () => {
    sim = new FreeSwitchSimulator();
    await sim.start();
    server = createOutboundServer({ host: '127.0.0.1', port: 0, maxConnections: 5, maxCommandBytes: 200 });
    const arrived = new Promise<OutboundCall>((resolve) => server!.once('call', resolve));
    const { port } = await server.listen();
    const channel = sim.callSocket({ port });
    const call = await arrived;
    const peer = sim.connectionList.find((l) => l.sessionUuid === channel.uuid)!;
    const { error, bytes } = await refusal(peer, () => call.playback(`${'x'.repeat(300)}.wav`), () => call.api('version'));
    expect(error).toMatchObject({ code: 'ESL_COMMAND_TOO_LARGE', limit: 200 });
    expect(bytes).toBe(0);
  });
});
