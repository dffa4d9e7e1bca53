import { describe, expect, it } from 'vitest';
import { EslInvalidArgumentError } from '../../src/errors.js';
import * as c from '../../src/esl/commands.js';
import { buildChannelVariables, buildOriginate, escapeChannelVariable, parseOriginateResult } from '../../src/esl/originate.js';
import { parseOriginateLine } from '../../src/testing/dial-string.js';
import { OriginateError } from '../../src/errors.js';
import { loadCapture } from '../helpers/fixtures.js';

const INJECTIONS = ['x\napi uuid_kill all', 'x\r\nexit', 'x\r', '\n', 'x\0api status', '\0'];

describe('command serialisation matches what FreeSWITCH was sent in the captures', () => {
  const sent = new Set(
    ['inbound-session', 'inbound-extras', 'outbound-unicast-l16', 'outbound-extras'].flatMap((n) =>
      loadCapture(n).steps.flatMap((s) => (s.send ? [s.send] : [])),
    ),
  );
  it.each([
    ['auth', c.authCommand('ClueCon')],
    ['api', c.apiCommand('status')],
    ['event', c.eventCommand('json', ['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_HANGUP_COMPLETE', 'BACKGROUND_JOB'])],
    ['bgapi with Job-UUID', c.bgapiCommand('status', 'f8f247f6-07fa-43fc-aab1-30217e64d861')],
    ['filter', c.filterCommand('Unique-ID', '15a66b70-9789-4f0d-9e7c-de97bbe8eac6')],
    ['filter delete', c.filterDeleteCommand('Unique-ID', '15a66b70-9789-4f0d-9e7c-de97bbe8eac6')],
    ['log', c.logCommand(7)],
    ['unicast', c.sendmsgCommand(undefined, { command: 'unicast', headers: { 'local-ip': '127.0.0.1', 'local-port': 10046, 'remote-ip': '127.0.0.1', 'remote-port': 10096, transport: 'udp' } })],
    ['execute set', c.sendmsgCommand(undefined, c.executeMessage('set', 'voice_ai_state=greeting'))],
    ['execute with event-lock', c.sendmsgCommand(undefined, c.executeMessage('playback', 'tone_stream://%(300,0,800)', { eventLock: true, eventUuid: '0da42c89-2644-4e02-9452-3967bcfaa7a2' }))],
    ['hangup', c.sendmsgCommand(undefined, { command: 'hangup', headers: { 'hangup-cause': 'NORMAL_CLEARING' } })],
  ])('%s', (_name, command) => {
    expect(sent.has(command), command).toBe(true);
  });

  it('sends an app argument too long for the 2 KiB header buffer of FreeSWITCH as a body, in the captured form', () => {
    const captured = loadCapture('outbound-extras').steps.find((s) => s.send?.includes('content-length: 493'))!.send!;
    const arg = captured.slice(captured.indexOf('\n\n') + 2);
    // The recorded 493-byte argument fits inline; three of them do not.
    const long = `${arg};${arg};${arg}`;
    const expected = captured.replace('content-length: 493', `content-length: ${Buffer.byteLength(long)}`).replace(arg, long);
    const ours = c.sendmsgCommand(undefined, c.executeMessage('playback', long, { eventLock: true }));
    expect(ours.toLowerCase()).toBe(expected.toLowerCase());
    expect(c.executeMessage('playback', arg).headers?.['execute-app-arg']).toBe(arg);
  });

  it('sends a multi-line sendevent body with its byte length', () => {
    const captured = loadCapture('inbound-session').steps.find((s) => s.send?.startsWith('sendevent'))!.send!;
    const ours = c.sendeventCommand('CUSTOM', { 'Event-Subclass': 'voiceai::test', 'X-Note': 'line one%0Aline two' }, 'hello\nmulti-line\nbody here');
    expect(ours.toLowerCase()).toBe(captured.toLowerCase());
  });
});

describe('line-end (NUL, LF, CR) injection guard', () => {
  const builders: [string, (bad: string) => unknown][] = [
    ['api', (b) => c.apiCommand(`status ${b}`)],
    ['bgapi', (b) => c.bgapiCommand(`status${b}`, 'job')],
    ['auth password', (b) => c.authCommand(b)],
    ['userauth user', (b) => c.userauthCommand(b, 'pw')],
    ['event name', (b) => c.eventCommand('plain', [`CHANNEL_ANSWER${b}`])],
    ['nixevent', (b) => c.nixeventCommand([b])],
    ['filter header', (b) => c.filterCommand(`Unique-ID${b}`, 'v')],
    ['filter value', (b) => c.filterCommand('Unique-ID', b)],
    ['filter delete', (b) => c.filterDeleteCommand('H', b)],
    ['sendmsg uuid', (b) => c.sendmsgCommand(`uuid${b}`, { command: 'hangup' })],
    ['sendmsg header value', (b) => c.sendmsgCommand('uuid', { command: 'hangup', headers: { 'hangup-cause': b } })],
    ['execute app', (b) => c.executeMessage(`playback${b}`, 'x')],
    ['execute arg', (b) => c.executeMessage('playback', `/tmp/a.wav${b}`)],
    ['sendevent name', (b) => c.sendeventCommand(`CUSTOM${b}`)],
    ['sendevent header', (b) => c.sendeventCommand('CUSTOM', { 'X-A': b })],
    ['originate variable value', (b) => buildOriginate({ dialString: 'user/1000', app: 'park', variables: { a: b } })],
    ['originate variable name', (b) => buildOriginate({ dialString: 'user/1000', app: 'park', variables: { [`a${b}`]: '1' } })],
    ['originate dial string', (b) => buildOriginate({ dialString: `user/1000${b}`, app: 'park' })],
    ['originate extension', (b) => buildOriginate({ dialString: 'user/1000', extension: `9000${b}` })],
  ];
  for (const [name, build] of builders) {
    it(`rejects NUL, LF and CR in ${name}`, () => {
      for (const bad of INJECTIONS) {
        expect(() => build(bad)).toThrow(EslInvalidArgumentError);
      }
    });
  }

  it('rejects whitespace in positional tokens (a space would shift the arguments)', () => {
    expect(() => c.sendmsgCommand('a b', { command: 'hangup' })).toThrow(EslInvalidArgumentError);
    expect(() => c.eventCommand('plain', ['A B'])).toThrow(/whitespace/);
    expect(() => c.eventCommand('plain', [])).toThrow(EslInvalidArgumentError);
  });

  it('lets a multi-line body through as a body', () => {
    expect(c.buildCommand('sendevent CUSTOM', {}, 'a\nb')).toBe('sendevent CUSTOM\nContent-Length: 3\n\na\nb');
  });

  it('counts body length in bytes, not characters', () => {
    expect(c.buildCommand('sendevent CUSTOM', {}, 'é')).toBe('sendevent CUSTOM\nContent-Length: 2\n\né');
  });
});

describe('originate variables are escaped the way FreeSWITCH parses them', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', 'a\\\\,b'],
    ['x y', "'x y'"],
    ['a,b c', "'a\\\\,b c'"],
    ["it's", "it\\\\\\'s"],
    ['C:\\dir', 'C:\\\\\\\\dir'],
    ['', ''],
  ])('%j → %j', (value, escaped) => {
    expect(escapeChannelVariable(value)).toBe(escaped);
  });

  it('rejects braces, which would end the variable block', () => {
    expect(() => escapeChannelVariable('a}b')).toThrow(EslInvalidArgumentError);
  });

  it('builds the block in order with origination_uuid first', () => {
    const { command, uuid } = buildOriginate({
      dialString: 'loopback/9000/default',
      app: 'park',
      uuid: '15a66b70-9789-4f0d-9e7c-de97bbe8eac6',
      variables: { origination_caller_id_number: 1000, secretary_uuid: 'a,b c' },
    });
    expect(uuid).toBe('15a66b70-9789-4f0d-9e7c-de97bbe8eac6');
    expect(command).toBe(
      "originate {origination_uuid=15a66b70-9789-4f0d-9e7c-de97bbe8eac6,origination_caller_id_number=1000,secretary_uuid='a\\\\,b c'}loopback/9000/default &park()",
    );
  });

  it('targets an extension with dialplan and context', () => {
    expect(buildOriginate({ dialString: 'user/1000', extension: '9000', context: 'default', uuid: 'u' }).command).toBe(
      'originate {origination_uuid=u}user/1000 9000 XML default',
    );
    expect(buildChannelVariables({})).toBe('');
  });

  it('quotes an application target with blanks, as &socket(host:port async full) needs, and reads it back as FreeSWITCH does', () => {
    const { command } = buildOriginate({ dialString: 'user/1001@acme.example.com', app: 'socket', appArg: '127.0.0.1:8022 async full', uuid: 'u' });
    expect(command).toBe("originate {origination_uuid=u}user/1001@acme.example.com '&socket(127.0.0.1:8022 async full)'");
    expect(parseOriginateLine(command.slice('originate '.length)).target).toBe('&socket(127.0.0.1:8022 async full)');
    expect(buildOriginate({ dialString: 'user/1001', app: 'playback', appArg: "it's x", uuid: 'u' }).command).toBe("originate {origination_uuid=u}user/1001 '&playback(it\\'s x)'");
    expect(parseOriginateLine(buildOriginate({ dialString: 'user/1001', app: 'playback', appArg: "it's x", uuid: 'u' }).command.slice(10)).target).toBe("&playback(it's x)");
    expect(() => buildOriginate({ dialString: 'user/1001', app: 'playback', appArg: 'a)b' })).toThrow(EslInvalidArgumentError);
  });

  it('an application argument with quotes or backslashes and no blank arrives as written (FreeSWITCH unescapes every word)', () => {
    for (const appArg of ['C:\\tmp\\new', "a'b'c", '\\s\\t']) {
      const { command } = buildOriginate({ dialString: 'user/1001', app: 'playback', appArg, uuid: 'u' });
      expect(parseOriginateLine(command.slice('originate '.length)).target).toBe(`&playback(${appArg})`);
    }
  });

  it('reads originate results', () => {
    expect(parseOriginateResult('originate x', '+OK 076602b0-634f-4714-906d-9f37b7119c19\n')).toBe('076602b0-634f-4714-906d-9f37b7119c19');
    const error = (() => {
      try {
        parseOriginateResult('originate error/USER_BUSY &park()', '-ERR USER_BUSY\n');
      } catch (e) {
        return e;
      }
    })() as OriginateError;
    expect(error).toBeInstanceOf(OriginateError);
    expect(error.hangupCause).toBe('USER_BUSY');
    expect(error.code).toBe('ESL_ORIGINATE_FAILED');
  });
});
