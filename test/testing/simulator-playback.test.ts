import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { CallEndedError } from '../../src/errors.js';
import type { OutboundCall } from '../../src/esl/outbound-call.js';
import { createOutboundServer, type OutboundServer } from '../../src/esl/outbound-server.js';
import {
  DEFAULT_PLAYBACK_MS,
  FreeSwitchSimulator,
  type FreeSwitchSimulatorOptions,
  ManualClock,
  playbackPlan,
  type SimulatedEvent,
  wavLength,
} from '../../src/testing/index.js';
import { FIXTURES_DIR } from '../helpers/fixtures.js';
import { readWav } from '../helpers/wav.js';

const CALLER_WAV = join(FIXTURES_DIR, 'audio', 'caller-en-8k.wav');
const CALLER_MS = (readWav(CALLER_WAV).samples.length * 1000) / 8000;

/** A PCM16 mono WAV: `chunks` go between `fmt ` and `data`; `dataSize` overrides the declared size. */
function wavBytes(rate: number, samples: number, options: { chunks?: Buffer[]; dataSize?: number } = {}): Buffer {
  const fmt = Buffer.alloc(24);
  fmt.write('fmt ', 0, 'ascii');
  fmt.writeUInt32LE(16, 4);
  fmt.writeUInt16LE(1, 8);
  fmt.writeUInt16LE(1, 10);
  fmt.writeUInt32LE(rate, 12);
  fmt.writeUInt32LE(rate * 2, 16);
  fmt.writeUInt16LE(2, 20);
  fmt.writeUInt16LE(16, 22);
  const dataHead = Buffer.alloc(8);
  dataHead.write('data', 0, 'ascii');
  dataHead.writeUInt32LE(options.dataSize ?? samples * 2, 4);
  const body = Buffer.concat([Buffer.from('WAVE', 'ascii'), fmt, ...(options.chunks ?? []), dataHead, Buffer.alloc(samples * 2)]);
  const riff = Buffer.alloc(8);
  riff.write('RIFF', 0, 'ascii');
  riff.writeUInt32LE(body.length, 4);
  return Buffer.concat([riff, body]);
}

/** A LIST chunk of `n` bytes (odd sizes are padded, as RIFF wants). */
function listChunk(n: number): Buffer {
  const head = Buffer.alloc(8);
  head.write('LIST', 0, 'ascii');
  head.writeUInt32LE(n, 4);
  return Buffer.concat([head, Buffer.alloc(n + (n & 1))]);
}

const SOUNDS = mkdtempSync(join(tmpdir(), 'sim-sounds-'));
mkdirSync(join(SOUNDS, 'ivr', '8000'), { recursive: true });
writeFileSync(join(SOUNDS, 'ivr', '8000', 'ivr-welcome.wav'), wavBytes(8000, 8000 * 2.5)); // 2.5 s, FreeSWITCH's <dir>/<rate>/<file>
writeFileSync(join(SOUNDS, 'ivr', 'ivr-thank_you.wav'), wavBytes(16000, 16000 * 1.2, { chunks: [listChunk(33)] })); // 1.2 s at 16 kHz
afterAll(() => rmSync(SOUNDS, { recursive: true, force: true }));

let sim: FreeSwitchSimulator | undefined;
let server: OutboundServer | undefined;
afterEach(async () => {
  await server?.close();
  await sim?.stop();
  server = undefined;
  sim = undefined;
});

/** A simulator on a manual clock, a caller handed to an outbound server: the call, the switch's events. */
async function callOn(options: FreeSwitchSimulatorOptions = {}): Promise<{ call: OutboundCall; clock: ManualClock; events: SimulatedEvent[]; uuid: string }> {
  const clock = new ManualClock();
  sim = new FreeSwitchSimulator({ clock, ...options });
  await sim.start();
  server = createOutboundServer({ host: '127.0.0.1', port: 0 });
  const { port } = await server.listen();
  const arrived = new Promise<OutboundCall>((resolve) => server!.once('call', resolve));
  const channel = sim.callSocket({ port });
  const events: SimulatedEvent[] = [];
  sim.on('event', (e) => events.push(e));
  return { call: await arrived, clock, events, uuid: channel.uuid };
}

const header = (e: SimulatedEvent, name: string): string | undefined => e.headers.find(([k]) => k === name)?.[1];
const named = (events: SimulatedEvent[], name: string): SimulatedEvent[] => events.filter((e) => e.name === name);
const completions = (events: SimulatedEvent[]): SimulatedEvent[] =>
  events.filter((e) => e.name === 'CHANNEL_EXECUTE_COMPLETE' && header(e, 'Application') === 'playback');

/** Resolves when the simulated switch fires `name` (already fired counts). */
function fired(events: SimulatedEvent[], name: string, count = 1): Promise<void> {
  if (named(events, name).length >= count) return Promise.resolve();
  return new Promise((resolve) => {
    const check = (): void => {
      if (named(events, name).length < count) return;
      sim!.off('event', check);
      resolve();
    };
    sim!.on('event', check);
  });
}

describe('simulated playback lasts as long as what it plays', () => {
  it('a file it cannot read lasts the default (1000 ms): the application completes only when the clock gets there', async () => {
    const { call, clock, events } = await callOn();
    const playing = call.playback('ivr/ivr-welcome.wav');
    await fired(events, 'PLAYBACK_START');
    clock.advance(DEFAULT_PLAYBACK_MS - 1);
    expect(completions(events)).toHaveLength(0);
    expect(call.runningApplications).toContain('playback');
    clock.advance(1);
    const done = await playing;
    expect([done.get('Application-Response'), done.getVariable('playback_ms'), done.getVariable('playback_samples')]).toEqual(['FILE PLAYED', '1000', '8000']);
    const [start, stop] = [named(events, 'PLAYBACK_START')[0]!, named(events, 'PLAYBACK_STOP')[0]!];
    expect([header(start, 'Playback-File-Path'), header(start, 'Event-Calling-Function'), header(stop, 'Playback-Status')]).toEqual([
      'ivr/ivr-welcome.wav', 'switch_ivr_play_file', 'done',
    ]);
    // FreeSWITCH's order: the file's stop, then the application's completion.
    expect(events.findIndex((e) => e.name === 'PLAYBACK_STOP')).toBeLessThan(events.indexOf(completions(events)[0]!));
  });

  it('a WAV it can read lasts its real length (absolute, or under soundsDir with FreeSWITCH\'s <rate> layout, at the file\'s rate)', async () => {
    const { call, clock, events } = await callOn({ playback: { soundsDir: SOUNDS, defaultMs: 60_000 } });
    const first = call.playback(CALLER_WAV);
    await fired(events, 'PLAYBACK_START');
    clock.advance(Math.ceil(CALLER_MS) - 1);
    expect(completions(events)).toHaveLength(0);
    clock.advance(1);
    expect((await first).getVariable('playback_ms')).toBe(String(Math.floor(CALLER_MS)));

    const second = call.playback('ivr/ivr-welcome.wav');
    await fired(events, 'PLAYBACK_START', 2);
    clock.advance(2499);
    expect(completions(events)).toHaveLength(1);
    clock.advance(1);
    expect((await second).getVariable('playback_ms')).toBe('2500');

    const third = call.playback('ivr/ivr-thank_you.wav');
    await fired(events, 'PLAYBACK_START', 3);
    clock.advance(1200);
    expect([(await third).getVariable('playback_ms'), (await third).getVariable('playback_samples')]).toEqual(['1200', '19200']);
  });

  it('uuid_break cuts a playback short: FILE PLAYED, Playback-Status break, what was played in playback_ms', async () => {
    const { call, clock, events, uuid } = await callOn({ playback: { defaultMs: 5000 } });
    const playing = call.playback('ivr/ivr-welcome.wav');
    await fired(events, 'PLAYBACK_START');
    clock.advance(1200);
    expect((await call.api(`uuid_break ${uuid}`)).text).toBe('+OK');
    const done = await playing;
    expect([done.get('Application-Response'), done.getVariable('playback_ms'), done.getVariable('playback_seconds')]).toEqual(['FILE PLAYED', '1200', '1']);
    expect(header(named(events, 'PLAYBACK_STOP')[0]!, 'Playback-Status')).toBe('break');
    expect(clock.pending).toBe(0);
  });

  it('file_string: uuid_break skips to the next file, uuid_break all stops them all (and what is queued)', async () => {
    const { call, clock, events, uuid } = await callOn({ playback: { defaultMs: 1000 } });
    const playing = call.playback('file_string://a.wav!b.wav!c.wav');
    await fired(events, 'PLAYBACK_START');
    clock.advance(300);
    await call.api(`uuid_break ${uuid}`);
    expect(named(events, 'PLAYBACK_START').map((e) => header(e, 'Playback-File-Path'))).toEqual(['a.wav', 'b.wav']);
    expect(completions(events)).toHaveLength(0);
    clock.advance(1000);
    expect(named(events, 'PLAYBACK_START').map((e) => header(e, 'Playback-File-Path'))).toEqual(['a.wav', 'b.wav', 'c.wav']);
    // Another playback waits behind this one (event-lock), as a queued `sendmsg` does.
    sim!.core.execute(sim!.channels.get(uuid)!, 'playback', 'd.wav', undefined, true);
    await call.api(`uuid_break ${uuid} all`);
    expect((await playing).get('Application-Response')).toBe('FILE PLAYED');
    expect(named(events, 'PLAYBACK_STOP').map((e) => header(e, 'Playback-Status'))).toEqual(['break', 'done', 'break']);
    // `all` flushed the queued playback: it never starts.
    expect(sim!.channels.get(uuid)!.pending).toHaveLength(0);
    expect(named(events, 'PLAYBACK_START')).toHaveLength(3);
  });

  it('DTMF during a prompt is delivered while it plays; a terminator (default *) stops it, `none` disables them', async () => {
    const { call, clock, events, uuid } = await callOn({ playback: { defaultMs: 4000 } });
    const digits: string[] = [];
    call.on('dtmf', ({ digit }) => digits.push(digit));
    const playing = call.playback('ivr/menu.wav');
    await fired(events, 'PLAYBACK_START');
    clock.advance(500);
    const one = new Promise<void>((resolve) => call.once('dtmf', () => resolve()));
    sim!.sendDtmf(uuid, '1');
    await one;
    expect(completions(events)).toHaveLength(0);
    expect(call.runningApplications).toContain('playback');
    clock.advance(250);
    sim!.sendDtmf(uuid, '*');
    const done = await playing;
    expect(digits).toEqual(['1', '*']);
    expect([done.get('Application-Response'), done.getVariable('playback_terminator_used'), done.getVariable('playback_ms')]).toEqual(['FILE PLAYED', '*', '750']);
    expect(header(named(events, 'PLAYBACK_STOP')[0]!, 'Playback-Status')).toBe('break');

    await call.setVariable('playback_terminators', 'none');
    const again = call.playback('ivr/menu.wav');
    await fired(events, 'PLAYBACK_START', 2);
    sim!.sendDtmf(uuid, '*#');
    expect(completions(events)).toHaveLength(1);
    clock.advance(4000);
    const full = await again;
    expect([full.getVariable('playback_terminator_used'), full.getVariable('playback_ms')]).toEqual([undefined, '4000']);
  });

  it('a hangup during playback ends it: PLAYBACK ERROR, Playback-Status done, and the pending playback rejects', async () => {
    const { call, clock, events, uuid } = await callOn({ playback: { defaultMs: 10_000 } });
    const playing = call.playback('ivr/ivr-welcome.wav');
    await fired(events, 'PLAYBACK_START');
    clock.advance(2000);
    sim!.hangup(uuid, 'NORMAL_CLEARING');
    expect(await playing.catch((e: unknown) => e)).toBeInstanceOf(CallEndedError);
    const complete = completions(events)[0]!;
    expect([header(complete, 'Application-Response'), header(complete, 'variable_playback_ms')]).toEqual(['PLAYBACK ERROR', '2000']);
    expect(header(named(events, 'PLAYBACK_STOP')[0]!, 'Playback-Status')).toBe('done');
    const order = events.map((e) => e.name).filter((n) => n === 'CHANNEL_HANGUP' || n === 'PLAYBACK_STOP');
    expect(order.slice(0, 2)).toEqual(['CHANNEL_HANGUP', 'PLAYBACK_STOP']);
    expect(clock.pending).toBe(0);
  });
});

describe('playbackPlan and wavLength', () => {
  const vars = (entries: Record<string, string> = {}): Map<string, string> => new Map(Object.entries(entries));

  it('reads tones, silence, local streams, @@ offsets, {params}, sound_prefix and durationOf', () => {
    expect(playbackPlan('tone_stream://%(200,100,440);loops=3', vars())[0]).toMatchObject({ ms: 900, fileType: 'tone_stream' });
    expect(playbackPlan('tone_stream://%(1000,0,440);loops=-1', vars())[0]!.ms).toBe(Infinity);
    expect(playbackPlan('silence_stream://250', vars())[0]!.ms).toBe(250);
    expect(playbackPlan('silence_stream://-1', vars())[0]!.ms).toBe(Infinity);
    expect(playbackPlan('local_stream://moh', vars())[0]).toMatchObject({ ms: Infinity, fileType: 'local_stream' });
    expect(playbackPlan(`${CALLER_WAV}@@8000`, vars())[0]!.ms).toBeCloseTo(CALLER_MS - 1000, 6);
    expect(playbackPlan('{volume=-6,note=x}hello.wav', vars(), { defaultMs: 10 })[0]).toMatchObject({ path: 'hello.wav', params: [['volume', '-6'], ['note', 'x']] });
    expect(playbackPlan('menu.wav', vars({ sound_prefix: '/var/sounds' }), { defaultMs: 10 })[0]!.path).toBe('/var/sounds/menu.wav');
    expect(playbackPlan('say:hello', vars(), { defaultMs: 42 })[0]!.ms).toBe(42);
    expect(playbackPlan('x.wav', vars(), { durationOf: (p) => (p === 'x.wav' ? 7 : undefined) })[0]!.ms).toBe(7);
  });

  it('wavLength walks the chunks, cuts at the end of the file, and refuses what is not a WAV', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-wav-'));
    try {
      writeFileSync(join(dir, 'list.wav'), wavBytes(8000, 4000, { chunks: [listChunk(5), listChunk(100)] }));
      writeFileSync(join(dir, 'streaming.wav'), wavBytes(8000, 800, { dataSize: 0xffffffff }));
      writeFileSync(join(dir, 'truncated.wav'), wavBytes(8000, 800, { dataSize: 8000 * 2 * 60 }));
      writeFileSync(join(dir, 'text.wav'), 'not a wav at all');
      expect(wavLength(join(dir, 'list.wav'))).toEqual({ ms: 500, frames: 4000, sampleRate: 8000 });
      expect(wavLength(join(dir, 'streaming.wav'))!.ms).toBe(100);
      expect(wavLength(join(dir, 'truncated.wav'))!.ms).toBe(100);
      expect(wavLength(join(dir, 'text.wav'))).toBeUndefined();
      expect(wavLength(join(dir, 'missing.wav'))).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
