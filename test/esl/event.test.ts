import { describe, expect, it } from 'vitest';
import { EslEvent, parseJsonEvent, parsePlainEvent, parseXmlEvent } from '../../src/esl/event.js';
import { LazyJsonHeaders, MAX_JSON_EVENT_DEPTH, jsonNestingExceeds } from '../../src/esl/json-headers.js';
import { FrameParser, type EslFrame } from '../../src/esl/frame-parser.js';
import { allRecvSteps, loadCapture } from '../helpers/fixtures.js';

function framesOf(text: string): EslFrame[] {
  const frames: EslFrame[] = [];
  new FrameParser((f) => frames.push(f)).push(Buffer.from(text));
  return frames;
}

function eventsOf(text: string): EslEvent[] {
  return framesOf(text).flatMap((f) => {
    if (f.contentType === 'text/event-plain') return [parsePlainEvent(f.body!)];
    if (f.contentType === 'text/event-json') return [parseJsonEvent(f.body!)!];
    if (f.contentType === 'text/event-xml') return [parseXmlEvent(f.body!)!];
    return [];
  });
}

describe('EslEvent from the captures', () => {
  const session = loadCapture('inbound-session');

  it('decodes every captured event, in every format, with a name', () => {
    let count = 0;
    for (const step of allRecvSteps()) {
      for (const e of eventsOf(step.bytes.toString())) {
        expect(e.name).toMatch(/^[A-Z_]+$/);
        count++;
      }
    }
    expect(count).toBe(93);
  });

  it('URL-decodes plain header values lazily and exactly', () => {
    const step = session.steps.find((s) => s.recv?.includes('Event-Name: CHANNEL_CREATE') && s.recv.includes('event-plain'))!;
    const e = eventsOf(step.recv!).find((x) => x.name === 'CHANNEL_CREATE')!;
    expect(e.format).toBe('plain');
    expect(e.get('FreeSWITCH-IPv6')).toBe('fd00::2');
    expect(e.get('Event-Date-GMT')).toMatch(/^Wed, 25 Nov 2026 \d\d:\d\d:\d\d GMT$/);
    expect(e.uuid).toBe('15a66b70-9789-4f0d-9e7c-de97bbe8eac6');
    expect(e.get('unique-id')).toBe(e.uuid); // case-insensitive, like switch_event_get_header
    expect(e.getVariable('origination_caller_id_number') ?? e.callerIdNumber).toBeDefined();
  });

  it('gives the same headers for the same kind of event in plain, json and xml', () => {
    const byFormat = new Map<string, EslEvent>();
    for (const step of session.steps) {
      if (!step.recv) continue;
      for (const e of eventsOf(step.recv)) if (e.name === 'CHANNEL_CREATE' && !byFormat.has(e.format)) byFormat.set(e.format, e);
    }
    expect([...byFormat.keys()].sort()).toEqual(['json', 'plain', 'xml']);
    for (const e of byFormat.values()) {
      expect(e.get('FreeSWITCH-IPv6')).toBe('fd00::2');
      expect(e.get('Channel-State')).toBe('CS_INIT');
      expect(e.get('Core-UUID')).toBe('96753d64-6273-4222-b7bc-0159bc713694');
      expect(e.get('Event-Date-GMT')).toMatch(/ GMT$/);
    }
  });

  it('reads the body of a BACKGROUND_JOB in plain and json', () => {
    const bodies = session.steps
      .flatMap((s) => (s.recv ? eventsOf(s.recv) : []))
      .filter((e) => e.name === 'BACKGROUND_JOB')
      .map((e) => [e.format, e.body.split('\n')[0]]);
    expect(bodies).toContainEqual(['json', '+OK 358cd581-4f57-42e3-a639-1b1476084208']);
    expect(bodies.some(([f, b]) => f === 'plain' && b!.startsWith('UP 0 years'))).toBe(true);
  });

  it('keeps the multi-line body of a sendevent CUSTOM event (two content-length headers)', () => {
    const step = session.steps.find((s) => s.recv?.includes('voiceai%3A%3Atest') && s.recv.includes('sendevent'))!;
    const [e] = eventsOf(step.recv!);
    expect(e!.name).toBe('CUSTOM');
    expect(e!.subclass).toBe('voiceai::test');
    expect(e!.get('X-Note')).toBe('line one\nline two');
    expect(e!.body).toBe('hello\nmulti-line\nbody here');
    expect(e!.get('content-length')).toBe('26');
  });

  it('decodes DTMF # sent as %23', () => {
    const capture = loadCapture('outbound-unicast-l16');
    const digits = capture.steps.flatMap((s) => (s.recv ? eventsOf(s.recv) : [])).filter((e) => e.name === 'DTMF').map((e) => e.dtmfDigit);
    expect(digits.length).toBe(3);
    expect(digits).toContain('#');
  });
});

describe('event decoding of hostile input', () => {
  it('does not throw on %FF%FE in a header (crashes modesl) and yields replacement characters', () => {
    const e = parsePlainEvent(Buffer.from('Event-Name: CHANNEL_CREATE\nCaller-Caller-ID-Name: Jo%FF%FEse%20X\nBad: 100%\n\n'));
    expect(e.get('Caller-Caller-ID-Name')).toBe('Jo\uFFFD\uFFFDse X');
    expect(e.get('Bad')).toBe('100%');
  });

  it('returns undefined for broken JSON or XML instead of throwing', () => {
    expect(parseJsonEvent(Buffer.from('{"Event-Name": '))).toBeUndefined();
    expect(parseJsonEvent(Buffer.from('[1,2]'))).toBeUndefined();
    expect(parseXmlEvent(Buffer.from('<event><nope/></event>'))).toBeUndefined();
  });

  it('decodes XML entities and URL escapes, and keeps an XML body', () => {
    const e = parseXmlEvent(
      Buffer.from('<event>\n  <headers>\n    <Event-Name>CUSTOM</Event-Name>\n    <X>a%20&amp;%20b&#33;</X>\n  </headers>\n  <body>1 &lt; 2</body>\n</event>'),
    )!;
    expect(e.get('X')).toBe('a & b!');
    expect(e.body).toBe('1 < 2');
  });

  it('joins JSON array headers the way the plain format writes them', () => {
    const e = parseJsonEvent(Buffer.from('{"Event-Name":"CUSTOM","variable_list":["a","b"],"_body":"x"}'))!;
    expect(e.get('variable_list')).toBe('ARRAY::a|:b');
    expect(e.body).toBe('x');
    expect(e.toJSON()).toEqual({ 'Event-Name': 'CUSTOM', variable_list: 'ARRAY::a|:b', _body: 'x' });
  });

  it('EslEvent.from builds events for tests and simulators', () => {
    const e = EslEvent.from({ 'Event-Name': 'DTMF', 'Unique-ID': 'u1', 'DTMF-Digit': '5' });
    expect([e.name, e.uuid, e.dtmfDigit, e.body]).toEqual(['DTMF', 'u1', '5', '']);
  });
});

describe('lazy JSON header reads agree with a full JSON.parse', () => {
  it.each([
    ['escaped quotes and a key-like text inside a value', { 'X-A': 'say "Unique-ID":"fake" here', 'Unique-ID': 'real' }],
    ['unicode and control escapes', { 'Event-Name': 'CUSTOM', 'X-B': 'José\n\t\u0001 "q" \\ end\\' }],
    ['backslash right before the closing quote', { 'X-C': 'ends with \\', 'X-D': 'next' }],
    ['numbers, booleans, null and arrays', { 'X-N': 5, 'X-T': true, 'X-Z': null, 'X-L': ['a', 'b'] }],
  ])('%s', (_label, object) => {
    const buf = Buffer.from(JSON.stringify(object));
    const e = parseJsonEvent(buf)!;
    for (const [k, v] of Object.entries(object)) {
      const expected = Array.isArray(v) ? `ARRAY::${v.join('|:')}` : typeof v === 'string' ? v : JSON.stringify(v);
      expect(e.get(k), k).toBe(expected);
    }
    expect(e.get('unique-id')).toBe((object as Record<string, unknown>)['Unique-ID'] as string | undefined);
    expect(e.get('Absent')).toBeUndefined();
  });
});

describe('JSON events nested too deep', () => {
  const nested = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`;

  it(`keeps values nested up to ${MAX_JSON_EVENT_DEPTH} levels (the event object is 1) and leaves out deeper ones`, () => {
    const ok = `{"Event-Name":"CUSTOM","x":${nested(MAX_JSON_EVENT_DEPTH - 1)}}`;
    const deep = `{"Event-Name":"CUSTOM","x":${nested(MAX_JSON_EVENT_DEPTH)},"y":{"z":[${nested(MAX_JSON_EVENT_DEPTH)}]}}`;
    expect(jsonNestingExceeds(Buffer.from(ok))).toBe(false);
    expect(jsonNestingExceeds(Buffer.from(deep))).toBe(true);
    expect(parseJsonEvent(Buffer.from(ok))!.get('x')).toBe('ARRAY::');
    const e = parseJsonEvent(Buffer.from(deep))!;
    expect(e.get('x')).toBeUndefined();
    expect(e.get('y')).toBeUndefined();
    expect(e.name).toBe('CUSTOM');
    expect((e.headers as LazyJsonHeaders).nestingCut).toBe(2);
  });

  it('does not count brackets inside strings', () => {
    const text = `{"Event-Name":"CUSTOM","s":"${'['.repeat(100)}\\\"${'{'.repeat(100)}"}`;
    expect(jsonNestingExceeds(Buffer.from(text))).toBe(false);
    expect(parseJsonEvent(Buffer.from(text))!.get('s')).toBe(`${'['.repeat(100)}"${'{'.repeat(100)}`);
  });

  it('never throws from get(), toJSON() or size, at any depth', () => {
    const n = 200_000;
    const e = parseJsonEvent(Buffer.from(`{"Event-Name":"CUSTOM","a":${nested(n)},"b":{"c":${nested(n)}}}`))!;
    expect(() => [e.get('a'), e.get('b'), e.toJSON(), e.headers.size, [...e.headers.entries()]]).not.toThrow();
    expect(e.toJSON()).toEqual({ 'Event-Name': 'CUSTOM' });
  });
});
