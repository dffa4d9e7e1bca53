import { describe, expect, it } from 'vitest';
import { parseJsonEvent, parsePlainEvent, parseXmlEvent } from '../../src/esl/event.js';
import {
  apiResponseFrame,
  commandReplyFrame,
  disconnectNoticeFrame,
  lingerNoticeFrame,
  eventFrame,
  logDataFrame,
  rudeRejectionFrame,
  serializeEvent,
} from '../../src/esl/event-serializer.js';
import { FrameParser } from '../../src/esl/frame-parser.js';
import { allRecvSteps } from '../helpers/fixtures.js';

/** Each frame of a recorded step as its exact bytes. */
function rawFrames(bytes: Buffer): { type: string | undefined; raw: string; body: Buffer | undefined }[] {
  const out: { type: string | undefined; raw: string; body: Buffer | undefined }[] = [];
  let offset = 0;
  const parser = new FrameParser((f) => {
    const size = bytes.indexOf('\n\n', offset) + 2 - offset + (f.body?.length ?? 0);
    out.push({ type: f.contentType, raw: bytes.subarray(offset, offset + size).toString(), body: f.body });
    offset += size;
  });
  parser.push(bytes);
  return out;
}

describe('serialising events exactly as FreeSWITCH does', () => {
  const frames = allRecvSteps().flatMap((s) => rawFrames(s.bytes));

  it('re-serialises every recorded event (plain, json, xml) to the recorded bytes', () => {
    const counts: Record<string, number> = {};
    for (const f of frames) {
      const format = f.type === 'text/event-plain' ? 'plain' : f.type === 'text/event-json' ? 'json' : f.type === 'text/event-xml' ? 'xml' : undefined;
      if (!format) continue;
      const decode = format === 'plain' ? parsePlainEvent : format === 'json' ? parseJsonEvent : parseXmlEvent;
      const event = decode(f.body!)!;
      // FreeSWITCH's JSON may repeat a key (CHANNEL_HANGUP_COMPLETE has Hangup-Cause twice, same
      // value); JSON.parse keeps one, so those events are compared with the repeat removed.
      const repeated = format === 'json' && /"Hangup-Cause":"[^"]*",.*"Hangup-Cause"/.test(f.raw);
      if (repeated) {
        const text = serializeEvent(format, event.headers.entries(), event.body || undefined);
        const once = f.body!.toString().replace(/("Answer-State":"[^"]*",)"Hangup-Cause":"[^"]*",/, '$1');
        expect(text).toBe(once);
        counts.jsonWithRepeatedKey = (counts.jsonWithRepeatedKey ?? 0) + 1;
        continue;
      }
      const text = serializeEvent(format, event.headers.entries(), event.body || undefined);
      expect(eventFrame(format, text)).toBe(f.raw);
      counts[format] = (counts[format] ?? 0) + 1;
    }
    expect(counts).toEqual({ plain: 82, json: 5, jsonWithRepeatedKey: 2, xml: 4 });
  });

  it('rebuilds every recorded reply, notice, rejection and log frame', () => {
    let n = 0;
    for (const f of frames) {
      let ours: string | undefined;
      if (f.type === 'api/response') ours = apiResponseFrame(f.body!.toString());
      if (f.type === 'text/rude-rejection') ours = rudeRejectionFrame(f.body!.toString());
      if (f.type === 'text/disconnect-notice') {
        const h = (name: string): string => new RegExp(`${name}: (.*)`).exec(f.raw)?.[1] ?? '';
        ours = f.raw.includes('linger')
          ? lingerNoticeFrame({ uuid: h('Controlled-Session-UUID'), name: h('Channel-Name'), lingerSeconds: +h('Linger-Time') })
          : disconnectNoticeFrame();
      }
      if (f.type === 'command/reply' && !f.raw.startsWith('Event-Name')) {
        const lines = f.raw.trimEnd().split('\n').slice(2).map((l) => l.split(': ') as [string, string]);
        ours = commandReplyFrame(/Reply-Text: (.*)/.exec(f.raw)![1]!, lines);
      }
      if (f.type === 'log/data') {
        const h = (name: string): string => new RegExp(`${name}: (.*)`).exec(f.raw)![1]!;
        ours = logDataFrame({ level: +h('Log-Level'), channel: +h('Text-Channel'), file: h('Log-File'), func: h('Log-Func'), line: +h('Log-Line'), userData: /User-Data: (.*)/.exec(f.raw)?.[1] ?? '', text: f.body!.toString() });
      }
      if (ours === undefined) continue;
      expect(ours).toBe(f.raw);
      n++;
    }
    expect(n).toBeGreaterThan(80);
  });
});
