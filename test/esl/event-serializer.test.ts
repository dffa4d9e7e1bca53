import { describe, expect, it } from 'vitest';
import { type EslEvent, type EventFormat, parseJsonEvent, parsePlainEvent, parseXmlEvent } from '../../src/esl/event.js';
import {
  apiResponseFrame,
  commandReplyFrame,
  disconnectNoticeFrame,
  eventFrame,
  eventOwnHeaders,
  lingerNoticeFrame,
  logDataFrame,
  rudeRejectionFrame,
  serializeEvent,
  serializeJsonEvent,
  serializePlainEvent,
  serializeXmlEvent,
  xmlText,
} from '../../src/esl/event-serializer.js';
import { FrameParser } from '../../src/esl/frame-parser.js';
import { allRecvSteps } from '../helpers/fixtures.js';

interface RawFrame {
  capture: string;
  type: string | undefined;
  /** The frame's exact bytes as text. */
  raw: string;
  body: Buffer | undefined;
}

/** Splits a recorded step into its frames, keeping each frame's exact bytes. */
function rawFrames(capture: string, bytes: Buffer): RawFrame[] {
  const out: RawFrame[] = [];
  let offset = 0;
  const parser = new FrameParser((f) => {
    const size = bytes.indexOf('\n\n', offset) + 2 - offset + (f.body?.length ?? 0);
    out.push({ capture, type: f.contentType, raw: bytes.subarray(offset, offset + size).toString(), body: f.body });
    offset += size;
  });
  expect(parser.push(bytes)).toBeUndefined();
  expect(offset).toBe(bytes.length);
  return out;
}

const FORMATS: Record<string, EventFormat> = { 'text/event-plain': 'plain', 'text/event-json': 'json', 'text/event-xml': 'xml' };
const DECODERS: Record<EventFormat, (b: Buffer) => EslEvent | undefined> = { plain: parsePlainEvent, json: parseJsonEvent, xml: parseXmlEvent };

/**
 * What JSON.parse makes of an object with a repeated key (the key keeps its first position and
 * its last value), written back compactly: FreeSWITCH repeats `Hangup-Cause` in
 * `CHANNEL_HANGUP_COMPLETE`, and a decoder built on JSON.parse cannot keep both.
 */
function withoutRepeatedKeys(json: string): { text: string; repeated: number } {
  const pairs: [string, string][] = [];
  const re = /"((?:[^"\\]|\\.)*)":("(?:[^"\\]|\\.)*"|\[(?:"(?:[^"\\]|\\.)*",?)*\])/gy;
  re.lastIndex = 1;
  for (let m = re.exec(json); m !== null; m = re.exec(json)) {
    pairs.push([m[1]!, m[2]!]);
    if (json[re.lastIndex] === ',') re.lastIndex++;
  }
  const merged = new Map<string, string>();
  for (const [k, v] of pairs) merged.set(k, v);
  return { text: `{${[...merged].map(([k, v]) => `"${k}":${v}`).join(',')}}`, repeated: pairs.length - merged.size };
}

describe('serialising events exactly as FreeSWITCH does (every recorded event, both directions)', () => {
  const frames = allRecvSteps().flatMap((s) => rawFrames(s.capture, s.bytes));

  it('decodes every recorded event with the core decoders and re-serialises it to the recorded bytes', () => {
    const counts: Record<string, number> = {};
    for (const f of frames) {
      const format = f.type === undefined ? undefined : FORMATS[f.type];
      if (format === undefined) continue;
      const event = DECODERS[format](f.body!);
      expect(event, `${f.capture}: undecodable ${format} event`).toBeDefined();
      const text = serializeEvent(format, eventOwnHeaders(event!), event!.body === '' ? undefined : event!.body);
      const recorded = f.body!.toString('utf8');
      if (format === 'json') {
        const { text: expected, repeated } = withoutRepeatedKeys(recorded);
        if (repeated > 0) {
          expect(text, `${f.capture}: ${event!.name}`).toBe(expected);
          counts.jsonWithRepeatedKey = (counts.jsonWithRepeatedKey ?? 0) + 1;
          continue;
        }
      }
      expect(eventFrame(format, text), `${f.capture}: ${event!.name}`).toBe(f.raw);
      counts[format] = (counts[format] ?? 0) + 1;
    }
    expect(counts).toEqual({ plain: 82, json: 5, jsonWithRepeatedKey: 2, xml: 4 });
  });

  it('writes repeated headers twice in every format (the simulator keeps them)', () => {
    const headers: [string, string][] = [
      ['Hangup-Cause', 'NORMAL_CLEARING'],
      ['Answer-State', 'hangup'],
      ['Hangup-Cause', 'NORMAL_CLEARING'],
    ];
    expect(serializeJsonEvent(headers)).toBe('{"Hangup-Cause":"NORMAL_CLEARING","Answer-State":"hangup","Hangup-Cause":"NORMAL_CLEARING"}');
    expect(serializePlainEvent(headers)).toBe('Hangup-Cause: NORMAL_CLEARING\nAnswer-State: hangup\nHangup-Cause: NORMAL_CLEARING\n\n');
    expect(serializeXmlEvent(headers).match(/<Hangup-Cause>/g)).toHaveLength(2);
  });

  it('rebuilds every recorded reply, notice, rejection and log frame', () => {
    let n = 0;
    for (const f of frames) {
      let ours: string | undefined;
      const h = (name: string): string => new RegExp(`^${name}: (.*)$`, 'm').exec(f.raw.slice(0, f.raw.indexOf('\n\n')))?.[1] ?? '';
      if (f.type === 'api/response') ours = apiResponseFrame(f.body!.toString());
      if (f.type === 'text/rude-rejection') ours = rudeRejectionFrame(f.body!.toString());
      if (f.type === 'text/disconnect-notice') {
        ours = f.raw.includes('Content-Disposition: linger')
          ? lingerNoticeFrame({ uuid: h('Controlled-Session-UUID'), name: h('Channel-Name'), lingerSeconds: +h('Linger-Time') })
          : disconnectNoticeFrame();
      }
      if (f.type === 'command/reply' && !f.raw.startsWith('Event-Name')) {
        const extra = f.raw.trimEnd().split('\n').slice(2).map((l) => l.split(': ') as [string, string]);
        ours = commandReplyFrame(h('Reply-Text'), extra);
      }
      if (f.type === 'log/data') {
        ours = logDataFrame({ level: +h('Log-Level'), channel: +h('Text-Channel'), file: h('Log-File'), func: h('Log-Func'), line: +h('Log-Line'), userData: h('User-Data'), text: f.body!.toString() });
      }
      if (ours === undefined) continue;
      expect(ours).toBe(f.raw);
      n++;
    }
    expect(n).toBeGreaterThan(80);
  });
});

describe('serialiser rules taken from FreeSWITCH source (no recording shows them)', () => {
  it('plain: an empty value is written _undef_, a body adds Content-Length, no body ends with a blank line', () => {
    expect(serializePlainEvent([['A', ''], ['B', 'x y']])).toBe('A: _undef_\nB: x%20y\n\n');
    expect(serializePlainEvent([['A', '1']], 'héllo')).toBe('A: 1\nContent-Length: 6\n\nhéllo');
    expect(serializePlainEvent([['A', '1']], '')).toBe('A: 1\n\n');
  });

  it('json: multi-value headers become arrays, an empty body still adds Content-Length and _body', () => {
    expect(serializeJsonEvent([['Codecs', 'ARRAY::PCMU|:PCMA']])).toBe('{"Codecs":["PCMU","PCMA"]}');
    expect(serializeJsonEvent([['A', 'x']], '')).toBe('{"A":"x","Content-Length":"0","_body":""}');
    expect(serializeJsonEvent([['Ctl', '\u0001"\\\n']])).toBe('{"Ctl":"\\u0001\\"\\\\\\n"}');
    expect(serializeJsonEvent([])).toBe('{}');
  });

  it('xml: repeated elements for multi-value headers, Content-Length and body after </headers>', () => {
    expect(serializeXmlEvent([['Codecs', 'ARRAY::PCMU|:PCMA'], ['Empty', '']], "it's <b> & ü\n")).toBe(
      '<event>\n  <headers>\n    <Codecs>PCMU</Codecs>\n    <Codecs>PCMA</Codecs>\n    <Empty></Empty>\n  </headers>\n' +
        "  <Content-Length>14</Content-Length>\n  <body>it's &lt;b&gt; &amp; &#xFC;\n  </body>\n</event>\n",
    );
    expect(serializeXmlEvent([['Q', "a'b\"c"]])).toContain("<Q>a'b%22c</Q>");
  });

  it('xml text escaping follows switch_xml_ampencode', () => {
    expect(xmlText('a&b<c>d\re\tf"g\'h')).toBe('a&amp;b&lt;c&gt;d&#xD;e\tf"g\'h');
    expect(xmlText('😀é')).toBe('&#x1F600;&#xE9;');
    expect(xmlText('x<!-- <raw> & -->')).toBe('x<!-- <raw> & -->');
  });

  it('round-trips through the core decoders in every format', () => {
    const headers: [string, string][] = [
      ['Event-Name', 'CUSTOM'],
      ['Event-Subclass', 'voiceai::test'],
      ['Caller-Caller-ID-Name', 'José: 100 <ok> & "q"'],
      ['X-Multi', 'line one\nline two'],
    ];
    const body = 'hello\nmulti-line\nbody é';
    for (const format of ['plain', 'json', 'xml'] as const) {
      const text = serializeEvent(format, headers, body);
      const event = DECODERS[format](Buffer.from(text))!;
      expect(eventOwnHeaders(event), format).toEqual(headers);
      expect(event.body, format).toBe(body);
    }
  });

  it('eventOwnHeaders keeps a content-length the sender put in and drops only the one FreeSWITCH appends', () => {
    const text = serializePlainEvent([['content-length', '2'], ['Content-Length', '2'], ['B', 'b']], 'hi');
    expect(eventOwnHeaders(parsePlainEvent(Buffer.from(text)))).toEqual([['content-length', '2'], ['Content-Length', '2'], ['B', 'b']]);
  });

  it('disconnect notice of a connection that controls a channel names it', () => {
    expect(disconnectNoticeFrame({ sessionUuid: 'u-1', text: 'bye\n' })).toBe(
      'Content-Type: text/disconnect-notice\nControlled-Session-UUID: u-1\nContent-Disposition: disconnect\nContent-Length: 4\n\nbye\n',
    );
  });
});
