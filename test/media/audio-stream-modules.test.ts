import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  metadataUuid,
  playEventFile,
  quoteApiArgument,
  readMark,
  streamStartCommand,
  streamStopCommand,
} from '../../src/media/audio-stream-modules.js';
import { separateArguments } from '../../src/testing/index.js';
import { FIXTURES_DIR } from '../helpers/fixtures.js';

interface Fixture {
  call: { uuid?: string };
  apiCalls: { cmd: string; reply: string }[];
  fsEvents: { subclass?: string; body?: string }[];
  messages: { dir: string; type: string; text?: string }[];
}
const WS = join(FIXTURES_DIR, 'ws');
const fixtures = readdirSync(WS)
  .filter((f) => f.endsWith('.json'))
  .map((f) => [f, JSON.parse(readFileSync(join(WS, f), 'utf8')) as Fixture] as const);
const command = (f: Fixture, re: RegExp): string => f.apiCalls.find((c) => re.test(c.cmd))!.cmd;

describe('the start and stop commands, in each module\'s argument order', () => {
  it.each(fixtures.filter(([f]) => f.startsWith('audio-stream')))('%s: uuid_audio_stream start/stop as recorded', (_, f) => {
    const start = command(f, /^uuid_audio_\w+ <uuid> start /);
    const [, url, , rate, metadata] = /^uuid_audio_stream <uuid> start (\S+) (mono) (\S+) (.*)$/.exec(start)!;
    expect(streamStartCommand({ module: 'mod_audio_stream', uuid: '<uuid>', url: url!, sampleRate: rate === '16k' ? 16000 : 8000, metadata })).toBe(start);
    // The hangup recording has no stop: the call ended it.
    const stop = f.apiCalls.find((c) => /^uuid_audio_\w+ <uuid> stop/.test(c.cmd))?.cmd;
    if (stop === undefined) return;
    const text = / stop (.+)$/.exec(stop)?.[1];
    expect(streamStopCommand('mod_audio_stream', '<uuid>', { text })).toBe(stop);
  });

  it('mod_audio_fork: the bug name always goes before the metadata (the form the module parses without guessing)', () => {
    const f = fixtures.find(([n]) => n === 'audio-fork-8k.json')![1];
    const recorded = command(f, /^uuid_audio_\w+ <uuid> start /);
    const metadata = recorded.slice(recorded.indexOf('{'));
    expect(streamStartCommand({ module: 'mod_audio_fork', uuid: '<uuid>', url: 'ws://127.0.0.1:8085/fork', sampleRate: 8000, metadata })).toBe(
      `uuid_audio_fork <uuid> start ws://127.0.0.1:8085/fork mono 8k audio_fork ${metadata}`,
    );
    expect(streamStopCommand('mod_audio_fork', '<uuid>')).toBe('uuid_audio_fork <uuid> stop');
    expect(streamStopCommand('mod_audio_fork', '<uuid>', { text: '{"a":1}' })).toBe('uuid_audio_fork <uuid> stop audio_fork {"a":1}');
  });

  it.each(fixtures.filter(([f]) => f.includes('jambonz')))('%s: the jambonz bidirectional form as recorded (under the real module\'s name)', (_, f) => {
    const start = command(f, /^uuid_audio_\w+ <uuid> start /).replace('uuid_audio_fork_jb', 'uuid_audio_fork');
    const m = /^uuid_audio_fork <uuid> start (\S+) mono (\S+) audio_fork (\S+) true true (\d+)$/.exec(start)!;
    expect(
      streamStartCommand({ module: 'mod_audio_fork', uuid: '<uuid>', url: m[1]!, sampleRate: m[2] === '16k' ? 16000 : 8000, metadata: m[3], bidirectionalRate: Number(m[4]) }),
    ).toBe(start);
    const stop = command(f, /^uuid_audio_\w+ <uuid> stop /).replace('uuid_audio_fork_jb', 'uuid_audio_fork');
    expect(streamStopCommand('mod_audio_fork', '<uuid>', { bug: 'audio_fork', text: '{"event":"stop","reason":"done"}' })).toBe(stop);
  });

  it('refuses what the modules would cut or misread', () => {
    const base = { module: 'mod_audio_stream' as const, uuid: 'u', url: 'ws://h:1/x', sampleRate: 8000 };
    expect(() => streamStartCommand({ ...base, metadata: 'x'.repeat(8192) })).toThrow(/8191/);
    expect(() => streamStartCommand({ ...base, sampleRate: 11025 })).toThrow(/multiple of 8000/);
    expect(() => streamStartCommand({ ...base, url: 'ws://h:1/a b' })).toThrow(/URL/);
    expect(() => streamStartCommand({ ...base, bidirectionalRate: 8000 })).toThrow(/mod_audio_fork/);
    expect(() => streamStartCommand({ ...base, module: 'mod_audio_fork', bug: 'a b' })).toThrow(/bug name/);
  });
});

describe('quoteApiArgument against FreeSWITCH\'s argument splitting', () => {
  const samples = [
    '{"uuid":"a","name":"O\'Brien and d\'Arc"}',
    '{"text":"line one\\nline two","path":"C:\\\\dir"}',
    "it's   spaced",
    "'quoted'",
    '\\',
    'plain',
    '{"a":"b"}',
    'tab\there',
  ];
  it.each(samples)('%j arrives as written, last or in the middle', (text) => {
    const q = quoteApiArgument(text);
    expect(separateArguments(`uuid start ${q}`, 3)[2]).toBe(text);
    expect(separateArguments(`uuid ${q} true true 8000`, 10)).toEqual(['uuid', text, 'true', 'true', '8000']);
  });

  it('JSON without spaces goes as it is (as recorded)', () => {
    expect(quoteApiArgument('{"callId":"fixture-call","from":"wsmod"}')).toBe('{"callId":"fixture-call","from":"wsmod"}');
  });

  it('random text survives', () => {
    const alphabet = ` '"\\{}:,abcXYZ\t0n`;
    let seed = 7;
    const rand = (n: number): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
    for (let k = 0; k < 500; k++) {
      const text = Array.from({ length: 1 + rand(20) }, () => alphabet[rand(alphabet.length)]).join('').trim();
      if (text === '') continue;
      expect(separateArguments(`u ${quoteApiArgument(text)} end`, 10)[1]).toBe(text);
    }
  });
});

describe('what the modules send, read as recorded', () => {
  it('play event bodies name the file', () => {
    const bodies = fixtures.flatMap(([, f]) => f.fsEvents.filter((e) => /::play(_audio)?$/.test(e.subclass ?? '')).map((e) => e.body));
    expect(bodies.length).toBeGreaterThan(0);
    for (const b of bodies) expect(playEventFile(b)).toMatch(/^\/tmp\/[0-9a-f-]{36}_\d+\.tmp\.r(8|16)$/);
    expect(playEventFile('not json')).toBeUndefined();
  });

  it('jambonz marks', () => {
    const marks = fixtures.flatMap(([, f]) => f.messages.filter((m) => m.dir === 'fs->server' && m.text?.includes('"mark"')).map((m) => readMark(JSON.parse(m.text!))));
    expect(marks).toEqual([
      { name: 'after-tone-1', event: 'cleared' },
      { name: 'after-tone-2', event: 'cleared' },
      { name: 'after-tone-1', event: 'playout' },
      { name: 'after-tone-2', event: 'cleared' },
    ]);
    expect(readMark({ type: 'mark', data: { name: 1 } })).toBeUndefined();
  });

  it('metadata names the call under the documented keys', () => {
    expect(metadataUuid({ uuid: 'a' })).toBe('a');
    expect(metadataUuid({ callId: 'fixture-call' })).toBe('fixture-call');
    expect(metadataUuid({ other: 'x' })).toBeUndefined();
    expect(metadataUuid('text')).toBeUndefined();
  });
});
