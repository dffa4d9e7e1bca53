import { afterEach, describe, expect, it } from 'vitest';
import { AsyncESLClient } from '../../src/esl/client.js';
import type { EslEvent } from '../../src/esl/event.js';
import { type Dialplan, FreeSwitchSimulator, type FreeSwitchSimulatorOptions } from '../../src/testing/index.js';
import { loadCapture } from '../helpers/fixtures.js';
import { decodeEvent, RawEslClient, type RawFrame } from './raw-esl.js';

let sim: FreeSwitchSimulator | undefined;
const clients: AsyncESLClient[] = [];
const raws: RawEslClient[] = [];

const dialplan: Dialplan = ({ destination, context }) => {
  if (context !== 'default') return undefined;
  if (destination === '8000') return [{ app: 'set', data: 'domain_uuid=d-1' }, { app: 'answer' }, { app: 'park' }];
  if (destination === '7000') return [{ app: 'answer' }, { app: 'playback', data: 'tone_stream://%(1000,0,440);loops=-1' }, { app: 'park' }];
  if (destination === '6000') return [{ app: 'answer' }, { app: 'hangup', data: 'CALL_REJECTED' }];
  return [{ app: 'answer' }, { app: 'park' }];
};

async function setup(options: FreeSwitchSimulatorOptions = {}): Promise<AsyncESLClient> {
  sim = new FreeSwitchSimulator({ dialplan, ...options });
  const { port } = await sim.start();
  const c = new AsyncESLClient({ host: '127.0.0.1', port, password: 'ClueCon', maxReconnectAttempts: 0 });
  clients.push(c);
  await c.connect();
  return c;
}

async function raw(...commands: string[]): Promise<RawEslClient> {
  const r = await RawEslClient.open(sim!.port);
  raws.push(r);
  await r.frames(1);
  for (const c of ['auth ClueCon', ...commands]) await r.command(`${c}\n\n`);
  return r;
}

function record(c: AsyncESLClient): string[] {
  const seen: string[] = [];
  c.on('*', (e: EslEvent) => seen.push(`${e.name}${e.application ? `(${e.application})` : ''}`));
  return seen;
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  for (const r of raws.splice(0)) r.destroy();
  await sim?.stop();
  sim = undefined;
});

describe('calls in the simulated switch', () => {
  it('placeCall: an inbound call runs the dialplan; DTMF from the caller; the caller hangs up', async () => {
    const c = await setup();
    await c.subscribe(['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_EXECUTE', 'CHANNEL_PARK', 'DTMF', 'CHANNEL_HANGUP_COMPLETE']);
    const seen = record(c);
    const parked = c.waitForEvent({ names: 'CHANNEL_PARK', timeout: 2000 });
    const call = sim!.placeCall({ destination: '8000', callerIdNumber: '5511999990000', callerIdName: 'Maria Silva' });
    const park = await parked;
    expect([park.uuid, park.getVariable('domain_uuid'), park.callerIdNumber, park.get('Caller-Caller-ID-Name')]).toEqual([
      call.uuid, 'd-1', '5511999990000', 'Maria Silva',
    ]);
    expect(park.get('Channel-Read-Codec-Name')).toBe('PCMU');
    const digits: string[] = [];
    c.on('DTMF', (e) => digits.push(e.dtmfDigit!));
    const third = c.waitForEvent({ names: 'DTMF', filter: (e) => e.dtmfDigit === '#', timeout: 2000 });
    sim!.sendDtmf(call.uuid, '12#');
    await third;
    expect(digits).toEqual(['1', '2', '#']);
    const gone = c.waitForEvent({ names: 'CHANNEL_HANGUP_COMPLETE', uuid: call.uuid, timeout: 2000 });
    expect(sim!.hangup(call.uuid, 'ORIGINATOR_CANCEL')).toBe(true);
    expect((await gone).hangupCause).toBe('ORIGINATOR_CANCEL');
    expect(seen.slice(0, 5)).toEqual(['CHANNEL_CREATE', 'CHANNEL_EXECUTE(set)', 'CHANNEL_EXECUTE(answer)', 'CHANNEL_ANSWER', 'CHANNEL_EXECUTE(park)']);
  });

  it('a dialplan ending in hangup: the call ends with the dialplan cause', async () => {
    const c = await setup();
    await c.subscribe(['CHANNEL_HANGUP_COMPLETE']);
    const gone = c.waitForEvent({ names: 'CHANNEL_HANGUP_COMPLETE', timeout: 2000 });
    sim!.placeCall({ destination: '6000' });
    expect((await gone).hangupCause).toBe('CALL_REJECTED');
  });

  it('uuid_break ends an endless playback; uuid_transfer runs another extension; originate to an extension', async () => {
    const c = await setup();
    await c.subscribe(['CHANNEL_EXECUTE', 'CHANNEL_EXECUTE_COMPLETE']);
    const call = sim!.placeCall({ destination: '7000' });
    const broken = c.waitForEvent({ names: 'CHANNEL_EXECUTE_COMPLETE', filter: (e) => e.application === 'playback', timeout: 2000 });
    await c.uuidBreak(call.uuid);
    expect((await broken).applicationResponse).toBe('FILE PLAYED');
    const parked = c.waitForEvent({ names: 'CHANNEL_EXECUTE', filter: (e) => e.application === 'set', timeout: 2000 });
    await c.uuidTransfer(call.uuid, '8000', 'XML', 'default');
    expect((await parked).destinationNumber).toBe('8000');
    const viaExtension = c.waitForEvent({ names: 'CHANNEL_EXECUTE', filter: (e) => e.application === 'set', timeout: 2000 });
    const uuid = await c.originate({ dialString: 'user/1000', extension: '8000', dialplan: 'XML', context: 'default' });
    expect((await viaExtension).uuid).toBe(uuid);
  });

  it('uuid_bridge: both legs leave park, CHANNEL_BRIDGE names them', async () => {
    const c = await setup();
    await c.subscribe(['CHANNEL_BRIDGE', 'CHANNEL_UNPARK']);
    const a = await c.originate({ dialString: 'user/1', app: 'park' });
    const b = await c.originate({ dialString: 'user/2', app: 'park' });
    const seen = record(c);
    const bridged = c.waitForEvent({ names: 'CHANNEL_BRIDGE', timeout: 2000 });
    await c.uuidBridge(a, b);
    const e = await bridged;
    expect([e.get('Bridge-A-Unique-ID'), e.get('Bridge-B-Unique-ID')]).toEqual([a, b]);
    expect(seen).toEqual(['CHANNEL_UNPARK', 'CHANNEL_UNPARK', 'CHANNEL_BRIDGE']);
    await expect(c.uuidBridge(a, '00000000-0000-0000-0000-000000000000')).rejects.toThrow('-ERR Invalid uuid');
  });

  it('custom api commands and applications', async () => {
    const c = await setup({
      api: { greet: (args) => ({ body: `+OK hello ${args}\n` }) },
      applications: { ai_stream: ({ channel, data }) => (channel.setVariable('ai_model', data), { durationMs: 10, response: 'STREAM DONE' }) },
    });
    expect((await c.api('greet world')).text).toBe('+OK hello world');
    await c.subscribe(['CHANNEL_EXECUTE_COMPLETE']);
    const uuid = await c.originate({ dialString: 'user/1000', app: 'park' });
    const done = c.waitForEvent({ names: 'CHANNEL_EXECUTE_COMPLETE', filter: (e) => e.application === 'ai_stream', timeout: 2000 });
    await c.execute(uuid, 'ai_stream', 'gpt-realtime');
    const e = await done;
    expect([e.applicationResponse, e.getVariable('ai_model')]).toEqual(['STREAM DONE', 'gpt-realtime']);
  });

  it('sendmsg loops: the application runs once per loop, one after the other, with current_loop / total_loops', async () => {
    const c = await setup();
    await c.subscribe(['CHANNEL_EXECUTE', 'CHANNEL_EXECUTE_COMPLETE']);
    const uuid = await c.originate({ dialString: 'user/1000', app: 'park' });
    const seen: string[] = [];
    c.on('*', (e) => e.application === 'playback' && seen.push(`${e.name === 'CHANNEL_EXECUTE' ? '+' : '-'}${e.getVariable('current_loop')}/${e.getVariable('total_loops')}`));
    const last = c.waitForEvent({ names: 'CHANNEL_EXECUTE_COMPLETE', filter: (e) => e.getVariable('current_loop') === '2', timeout: 2000 });
    await c.execute(uuid, 'playback', 'silence_stream://5', { loops: 2 });
    await last;
    expect(seen).toEqual(['+1/2', '-1/2', '+2/2', '-2/2']);
    expect(await c.uuidGetvar(uuid, 'current_loop')).toBeUndefined();
  });

  it('sendevent naming a live channel is queued to it (like sendmsg), not fired', async () => {
    const c = await setup();
    const uuid = await c.originate({ dialString: 'user/1000', app: 'park' });
    await c.subscribe(['CUSTOM', 'x::y', 'CHANNEL_EXECUTE_COMPLETE']);
    const done = c.waitForEvent({ names: 'CHANNEL_EXECUTE_COMPLETE', filter: (e) => e.application === 'set', timeout: 2000 });
    await c.sendevent('CUSTOM', { 'Event-Subclass': 'x::y', 'Unique-ID': uuid, 'call-command': 'execute', 'execute-app-name': 'set', 'execute-app-arg': 'via=event' });
    await done;
    expect(await c.uuidGetvar(uuid, 'via')).toBe('event');
  });
});

describe('a connection controlling a channel (myevents <uuid>)', () => {
  const name = (f: RawFrame): string => (f.type === 'text/event-plain' ? decodeEvent(f).name : f.type!);

  it('gets only that channel; without linger, CHANNEL_HANGUP is the last event, then goodbye with the session uuid', async () => {
    await setup();
    const a = sim!.placeCall({ destination: '8000' });
    sim!.placeCall({ destination: '8000' });
    const r = await raw(`myevents ${a.uuid}`);
    expect(sim!.connectionList.at(-1)!.sessionUuid).toBe(a.uuid);
    sim!.hangup(a.uuid);
    const frames = await r.frames(2);
    expect(frames.map(name)).toEqual(['CHANNEL_HANGUP', 'text/disconnect-notice']);
    expect(frames[1]!.head).toContain(`Controlled-Session-UUID: ${a.uuid}\nContent-Disposition: disconnect`);
    await r.whenClosed();
  });

  it('with linger: every event up to CHANNEL_HANGUP_COMPLETE, the linger notice, then when the time is over goodbye and the socket closes', async () => {
    await setup();
    const a = sim!.placeCall({ destination: '8000' });
    const r = await raw(`myevents ${a.uuid}`, 'linger 0');
    sim!.hangup(a.uuid);
    const frames = await r.frames(7);
    expect(frames.map(name)).toEqual([
      'CHANNEL_HANGUP', 'CHANNEL_UNPARK', 'CHANNEL_EXECUTE_COMPLETE', 'CHANNEL_STATE', 'CHANNEL_STATE', 'CHANNEL_HANGUP_COMPLETE',
      'text/disconnect-notice',
    ]);
    expect(frames[6]!.head).toBe(
      `Content-Type: text/disconnect-notice\nControlled-Session-UUID: ${a.uuid}\nContent-Disposition: linger\nChannel-Name: ${a.name}\nLinger-Time: 0\nContent-Length: 0`,
    );
    // listener_run's send_disconnect once read_packet gives up on the linger time.
    const [goodbye] = await r.frames(1);
    expect(goodbye!.bytes).toBe(
      `Content-Type: text/disconnect-notice\nControlled-Session-UUID: ${a.uuid}\nContent-Disposition: disconnect\nContent-Length: 67\n\n` +
        'Disconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n',
    );
    await r.whenClosed();
  });
});

describe('connect on a connection that controls a channel', () => {
  it('answers the channel data as one header block, laid out like the recorded outbound connect reply', async () => {
    const c = await setup();
    const a = await c.originate({ dialString: 'loopback/8000/default', app: 'park', variables: { origination_caller_id_name: 'Maria', origination_caller_id_number: '1000' } });
    const b = sim!.channels.get(a)!.partner!;
    const r = await raw(`myevents ${b}`);
    const reply = await r.command('connect\n\n');
    const names = reply.head.split('\n').map((l) => l.slice(0, l.indexOf(':'))).filter((n) => !n.startsWith('variable_'));
    const recorded = loadCapture('outbound-unicast-l16').steps[2]!.recv!;
    const recordedNames = recorded.trimEnd().split('\n').map((l) => l.slice(0, l.indexOf(':'))).filter((n) => !n.startsWith('variable_'));
    expect(names).toEqual(recordedNames);
    expect(reply.head.endsWith('Content-Type: command/reply\nReply-Text: %2BOK%0A\nSocket-Mode: async\nControl: single-channel')).toBe(true);
    expect(reply.head).toContain(`\nUnique-ID: ${b}\n`);
  });
});
