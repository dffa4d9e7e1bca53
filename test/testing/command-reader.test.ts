/**
 * The simulator reads commands as mod_event_socket's read_packet does, so the framing attacks
 * found against a real FreeSWITCH (issue 13, items 11-13) work against it the same way. These
 * tests speak raw bytes: they show the attacks *succeed* on the switch; the SDK-level tests
 * (test/esl/injection-guard.test.ts, test/esl/command-limits.test.ts) show the SDK refuses them.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CommandReader, FreeSwitchSimulator, READ_PACKET_MAX_LEN, type ReadCommand } from '../../src/testing/index.js';
import { RawEslClient, type RawFrame } from './raw-esl.js';

function read(...chunks: (string | Buffer)[]): { commands: ReadCommand[]; closed: boolean } {
  const commands: ReadCommand[] = [];
  const reader = new CommandReader((c) => commands.push(c));
  let closed = false;
  for (const chunk of chunks) closed = reader.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk) === 'close' || closed;
  return { commands, closed };
}

describe('CommandReader: read_packet, byte for byte', () => {
  it('reads a command, its headers (value as sent, leading spaces dropped) and its body', () => {
    const { commands } = read('sendevent CUSTOM\nEvent-Subclass:   app::x\nno colon here\nContent-Length: 5\n\nhello');
    expect(commands).toEqual([
      {
        line: 'sendevent CUSTOM',
        headers: { 'Event-Subclass': 'app::x', 'Content-Length': '5' },
        headerList: [['Event-Subclass', 'app::x'], ['Content-Length', '5']],
        body: 'hello',
      },
    ]);
  });

  it('drops leading line ends, accepts CRLF, and reads across chunks one byte at a time', () => {
    const bytes = Buffer.from('\r\n\napi status\r\n\r\napi version\n\n');
    const { commands } = read(...[...bytes].map((b) => Buffer.from([b])));
    expect(commands.map((c) => c.line)).toEqual(['api status', 'api version']);
  });

  it('ends the block at two LFs with CRs between, and cuts the line at the first CR (strip_cr)', () => {
    // strip_cr looks for a CR first: after an LF-ended line, a CR of the blank line wins.
    expect(read('api version\n\r\r\n').commands.map((c) => c.line)).toEqual(['api version\n']);
  });

  it('a NUL ends the header block: the headers after it, Content-Length included, are never seen', () => {
    const { commands } = read('sendevent CUSTOM\nX-A: a\0b\nContent-Length: 12\n\napi status\n\n');
    expect(commands.map((c) => [c.line, c.headerList, c.body])).toEqual([
      ['sendevent CUSTOM', [['X-A', 'a']], undefined],
      ['api status', [], undefined],
    ]);
  });

  it('a CR anywhere further on ends the line before an earlier LF (strchr(cur, "\\r") first)', () => {
    const { commands } = read('api status\nX-A: 1\rContent-Length: 2\n\nab');
    // The first "line" runs to the CR: X-A is never a header, Content-Length is.
    expect(commands[0]).toMatchObject({ line: 'api status\nX-A: 1', headerList: [['Content-Length', '2']], body: 'ab' });
  });

  it('cuts a header block at max_len bytes and reads the rest as the next command', () => {
    const head = 'api status ';
    const line = head + 'x'.repeat(READ_PACKET_MAX_LEN - head.length);
    const { commands } = read(`${line}api version\n\n`);
    expect(commands.map((c) => c.line.slice(0, 12))).toEqual(['api status x', 'api version']);
    expect(Buffer.byteLength(commands[0]!.line)).toBe(READ_PACKET_MAX_LEN);
  });

  it('reads Content-Length with atoi, one body per header; the last body wins, kept up to its NUL', () => {
    const { commands } = read('sendmsg\nContent-Length: 2abc\nContent-Length: 3\n\nabc\0e', 'api status\n\n');
    expect(commands.map((c) => [c.line, c.body])).toEqual([
      ['sendmsg', 'c'],
      ['api status', undefined],
    ]);
    expect(read('sendmsg\nContent-Length: 1\n\n\0').commands[0]!.body).toBe('');
  });

  it('drops the connection on a Content-Length out of 0..16 MiB, as read_packet fails', () => {
    expect(read('sendmsg\nContent-Length: -1\n\n').closed).toBe(true);
    expect(read(`sendmsg\nContent-Length: ${16 * 1024 * 1024 + 1}\n\n`).closed).toBe(true);
    expect(read('sendmsg\nContent-Length: junk\n\napi status\n\n').commands.map((c) => c.line)).toEqual(['sendmsg', 'api status']);
  });
});

describe('the attacks of issue 13 against the simulator, over raw TCP (what a real FreeSWITCH does)', () => {
  let sim: FreeSwitchSimulator | undefined;
  let raw: RawEslClient | undefined;
  afterEach(async () => {
    raw?.socket.destroy();
    await sim?.stop();
    sim = undefined;
  });

  async function authed(): Promise<RawEslClient> {
    sim = new FreeSwitchSimulator();
    raw = await RawEslClient.open((await sim.start()).port);
    await raw.frames(1);
    expect((await raw.command('auth ClueCon\n\n')).head).toContain('+OK accepted');
    return raw;
  }
  const kinds = (frames: RawFrame[]): string[] =>
    frames.map((f) => (f.type === 'api/response' ? `api: ${f.body!.toString().split(' ', 1)[0]!}` : /Reply-Text: (\S+)/.exec(f.head)![1]!));

  it('item 11: a NUL in a sendevent header value runs the body as a command', async () => {
    const r = await authed();
    r.write('sendevent CUSTOM\nEvent-Subclass: app::x\nX-A: a\0b\nContent-Length: 12\n\napi status\n\n');
    // Two answers to one write: the event's +OK, then `api status` from the body.
    expect(kinds(await r.frames(2))).toEqual(['+OK', 'api: UP']);
    expect(sim!.commands.map((c) => c.line)).toContain('api status');
  });

  it('item 11: the same through sendmsg execute: the body kills the call', async () => {
    const r = await authed();
    const channel = sim!.placeCall({ destination: '9000' });
    const body = `api uuid_kill ${channel.uuid}\n\n`;
    r.write(`sendmsg ${channel.uuid}\ncall-command: execute\nexecute-app-name: playback\nexecute-app-arg: a\0b\nContent-Length: ${body.length}\n\n${body}`);
    expect(kinds(await r.frames(2))).toEqual(['+OK', 'api: +OK\n']);
    expect(sim!.commands.map((c) => c.line)).toContain(`api uuid_kill ${channel.uuid}`);
  });

  it('item 12: a Content-Length header the client did not mean swallows the next command', async () => {
    const r = await authed();
    r.write('sendevent CUSTOM\nEvent-Subclass: app::x\nContent-Length: 12\n\n');
    r.write('api status\n\n');
    r.write('api version\n\n');
    // `api status` became the event's body: the next answer is version's.
    expect(kinds(await r.frames(2))).toEqual(['+OK', 'api: FreeSWITCH']);
    expect(sim!.commands.at(-2)).toMatchObject({ line: 'sendevent CUSTOM', body: 'api status\n\n' });
  });

  it('item 13: a command line over 10,485,760 bytes runs its tail as another command', async () => {
    const r = await authed();
    const head = 'api status ';
    r.write(`${head}${'x'.repeat(READ_PACKET_MAX_LEN - head.length)}api version\n\n`);
    expect(kinds(await r.frames(2, 10_000))).toEqual(['api: UP', 'api: FreeSWITCH']);
  });
});
