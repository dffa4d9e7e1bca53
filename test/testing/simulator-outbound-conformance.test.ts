/**
 * The simulator against the OUTBOUND recordings (test/fixtures/esl/outbound-*.json): a raw TCP
 * server plays the application — it writes each recorded `send` exactly (only the channel's uuid
 * FreeSWITCH picked and the UDP ports of this run are put in) — and every frame the simulator
 * writes back is compared with the recorded one (see capture-compare.ts). The call is configured
 * from the capture itself: the switch's identity, the caller, the dialplan's variables; the
 * `unicast` datagrams are compared by size, source, content class and pacing.
 */
import { type Socket as UdpSocket, createSocket } from 'node:dgram';
import { type AddressInfo, type Server, type Socket, createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type Dialplan, FreeSwitchSimulator, type FreeSwitchSimulatorOptions, SimulatedChannel, writeCdrVariables } from '../../src/testing/index.js';
import { type Capture, loadCapture } from '../helpers/fixtures.js';
import { freeUdpRange } from '../helpers/udp.js';
import { compareRawFrame, eventParts, headerLines, type RawHeader, sidesFor, UUID } from './capture-compare.js';
import { RawEslClient, type RawFrame, splitFrames } from './raw-esl.js';

/** What a recording tells about its call: the channel data of the `connect` reply. */
class RecordedCall {
  readonly channelData: RawHeader[];

  constructor(readonly capture: Capture) {
    const connect = capture.steps.find((s) => s.send === 'connect\n\n')!;
    const reply = capture.steps[capture.steps.indexOf(connect) + 1]!;
    this.channelData = headerLines(splitFrames(reply.recv!)[0]!.head);
  }

  header(name: string): string {
    const raw = this.channelData.find(([k]) => k === name)?.[1];
    if (raw === undefined) throw new Error(`no ${name} in the recorded channel data`);
    return decodeURIComponent(raw);
  }

  variable(name: string): string {
    return this.header(`variable_${name}`);
  }

  /** The channel's variables in recorded order, decoded. */
  get variables(): [string, string][] {
    return this.channelData.filter(([k]) => k.startsWith('variable_')).map(([k, v]) => [k.slice(9), decodeURIComponent(v)]);
  }

  /** The uuid FreeSWITCH gave the channel. */
  get uuid(): string {
    return this.header('Unique-ID');
  }

  /** The switch of the recording (its Core-UUID, host name and addresses). */
  get identity(): NonNullable<FreeSwitchSimulatorOptions['identity']> {
    return {
      coreUuid: this.header('Core-UUID'),
      hostname: this.header('FreeSWITCH-Hostname'),
      switchname: this.header('FreeSWITCH-Switchname'),
      ipv4: this.header('FreeSWITCH-IPv4'),
      ipv6: this.header('FreeSWITCH-IPv6'),
    };
  }

  /**
   * The recording's dialplan (fixtures README): extension `8XXX` sets `domain_uuid`,
   * `secretary_uuid` and `absolute_codec_string`, answers, and hands the call to our socket —
   * with the values of this recording, and `DP_MATCH` as mod_dialplan_xml leaves it for the
   * matching condition.
   */
  dialplan(socketPort: number, before?: (channel: Parameters<Dialplan>[0]['channel']) => void): Dialplan {
    return ({ destination, context, channel }) => {
      if (context !== 'default' || !/^8\d{3}$/.test(destination)) return undefined;
      if (channel) {
        before?.(channel);
        channel.setVariable('DP_MATCH', this.variable('DP_MATCH'));
      }
      return [
        ...['domain_uuid', 'secretary_uuid', 'absolute_codec_string'].map((v) => ({ app: 'set', data: `${v}=${this.variable(v)}` })),
        { app: 'answer' },
        { app: 'socket', data: `127.0.0.1:${socketPort} async full` },
      ];
    };
  }
}

/** The application's side: a server that takes one connection from the `socket` application. */
class Application {
  private server!: Server;
  readonly connected: Promise<Socket>;
  private resolveConnected!: (s: Socket) => void;
  port = 0;

  constructor() {
    this.connected = new Promise((resolve) => (this.resolveConnected = resolve));
  }

  async listen(onConnection?: (socket: Socket) => void): Promise<number> {
    this.server = createServer((socket) => {
      onConnection?.(socket);
      this.resolveConnected(socket);
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this.port;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** Our end of `unicast`: every datagram FreeSWITCH sends, with arrival time and source. */
class UnicastPeer {
  readonly received: { data: Buffer; from: string; at: number }[] = [];
  private readonly socket: UdpSocket = createSocket('udp4');
  private waiters: (() => void)[] = [];

  async bind(port: number): Promise<void> {
    this.socket.on('message', (data, rinfo) => {
      this.received.push({ data, from: `${rinfo.address}:${rinfo.port}`, at: performance.now() });
      for (const w of this.waiters.splice(0)) w();
    });
    await new Promise<void>((resolve) => this.socket.bind(port, '127.0.0.1', resolve));
  }

  async count(n: number, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length < n) {
      if (Date.now() > deadline) throw new Error(`only ${this.received.length} of ${n} datagrams`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now());
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  send(data: Buffer, port: number): void {
    this.socket.send(data, port, '127.0.0.1');
  }

  close(): void {
    this.socket.close();
  }
}

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** `unicast` of a recording: the ports it used and the datagrams FreeSWITCH sent and received. */
interface RecordedUnicast {
  freeswitchBinds: number;
  weListen: number;
  native: boolean;
  received: { t: number; from: string; len: number; b64: string }[];
  sentToFreeswitch: string[];
}

const CNG = Buffer.alloc(320, 0xff);
const isCng = (d: Buffer): boolean => d.equals(CNG);

/** A simulator dressed as the recorded switch, with the application's server and the UDP peer ready. */
async function setup(call: RecordedCall, options: Omit<FreeSwitchSimulatorOptions, 'identity' | 'dialplan'> & { before?: Parameters<RecordedCall['dialplan']>[1]; onConnection?: (socket: Socket) => void } = {}) {
  const app = new Application();
  const appPort = await app.listen(options.onConnection);
  cleanups.push(() => app.close());
  const { before, onConnection: _, ...rest } = options;
  const sim = new FreeSwitchSimulator({ ...rest, identity: call.identity, dialplan: call.dialplan(appPort, before) });
  await sim.start();
  cleanups.push(() => sim.stop());
  const control = await RawEslClient.open(sim.port);
  cleanups.push(() => control.destroy());
  await control.frames(1);
  expect((await control.command('auth ClueCon\n\n')).head).toContain('+OK accepted');
  return { app, appPort, sim, control };
}

/**
 * Plays a recording's steps on the application's connection and compares every frame. `send`s
 * get our channel uuid and UDP ports; a `recv` that follows another `recv` is the caller acting
 * (its DTMF is played with `sendDtmf`); an empty `recv` asserts that nothing comes.
 */
async function play(
  name: string,
  call: RecordedCall,
  app: RawEslClient,
  sim: FreeSwitchSimulator,
  ctx: { appPort: number; ports?: Map<number, number>; chosen: Set<string>; onEmpty?: (index: number) => Promise<void>; beforeSend?: (text: string) => Promise<void> },
): Promise<{ uuid: string }> {
  // Our `socket` data names this run's port where the recording has 8022.
  const sides = sidesFor(ctx.chosen, { rewriteOurs: (t) => t.replaceAll(`127.0.0.1%3A${ctx.appPort}%20`, '127.0.0.1%3A8022%20') });
  let uuid = '';
  let previous: 'send' | 'recv' = 'send';
  for (const [index, step] of call.capture.steps.entries()) {
    if (step.send !== undefined) {
      let text = step.send.replaceAll(call.uuid, uuid || call.uuid);
      for (const [from, to] of ctx.ports ?? []) text = text.replace(new RegExp(`(-port: )${from}\\n`), `$1${to}\n`);
      await ctx.beforeSend?.(step.send);
      app.write(text);
      previous = 'send';
      continue;
    }
    const recorded = splitFrames(step.recv!);
    expect(recorded).toHaveLength(step.frames!);
    if (recorded.length === 0) {
      // Nothing comes here (before `connect`; after the linger notice: no CHANNEL_DESTROY).
      await expect(app.frames(1, 50)).rejects.toThrow(/within/);
      await ctx.onEmpty?.(index);
      previous = 'recv';
      continue;
    }
    if (previous === 'recv') callerActs(sim, uuid, recorded);
    const ours = await app.frames(recorded.length, 5000);
    if (uuid === '') uuid = /^Unique-ID: (\S+)$/m.exec(ours[0]!.head)![1]!;
    recorded.forEach((frame, i) => compareRawFrame(ours[i]!, frame, sides, `${name} step ${index} frame ${i}`));
    previous = 'recv';
  }
  return { uuid };
}

/** What the caller did in a `recv` that no command asked for: DTMF. */
function callerActs(sim: FreeSwitchSimulator, uuid: string, recorded: RawFrame[]): void {
  const events = recorded.map((f) => new Map(eventParts(f)!.headers));
  expect(events.every((e) => e.get('Event-Name') === 'DTMF'), 'only DTMF comes unasked').toBe(true);
  for (const e of events) sim.sendDtmf(uuid, decodeURIComponent(e.get('DTMF-Digit')!), Number(e.get('DTMF-Duration')));
}

/** The UUIDs the application chose (Event-UUID) and the originating leg's uuid (chosen by whoever originated). */
function chosenUuids(call: RecordedCall): Set<string> {
  const chosen = new Set(call.capture.steps.flatMap((s) => s.send?.match(UUID) ?? []));
  chosen.delete(call.uuid);
  for (const [k, v] of call.variables) if (k === 'origination_uuid' || k === 'other_loopback_leg_uuid') chosen.add(v);
  return chosen;
}

/** The originate that placed a loopback recording: the B leg's `origination_*` variables, in their order. */
function originateLine(call: RecordedCall, target: string): string {
  const vars = call.variables.filter(([k]) => k.startsWith('origination_')).map(([k, v]) => `${k}=${v}`);
  return `api originate {${vars.join(',')}}loopback/${call.header('Caller-Destination-Number')}/${call.header('Caller-Context')} ${target}\n\n`;
}

/** 16-bit little-endian samples of the recorded audio datagrams (the caller's voice). */
function callerVoice(unicast: RecordedUnicast): Int16Array {
  const frames = unicast.received.map((r) => Buffer.from(r.b64, 'base64')).filter((d) => !isCng(d));
  const bytes = Buffer.concat(frames);
  return new Int16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
}

/**
 * Compares the datagrams the simulator sent with the recorded ones: sizes, source port (the
 * `local-port` FreeSWITCH binds), content (the same voice frames in the same order; comfort
 * noise as 320 bytes of 0xFF) and pacing (datagrams per second, loosely: the machine is shared).
 */
function compareDatagrams(ours: UnicastPeer['received'], unicast: RecordedUnicast, localPort: number): void {
  const recorded = unicast.received.map((r) => ({ data: Buffer.from(r.b64, 'base64'), from: r.from, at: r.t }));
  expect(new Set(recorded.map((r) => r.from))).toEqual(new Set([`127.0.0.1:${unicast.freeswitchBinds}`]));
  expect(new Set(ours.map((r) => r.from))).toEqual(new Set([`127.0.0.1:${localPort}`]));
  expect(new Set(ours.map((r) => r.data.length))).toEqual(new Set(recorded.map((r) => r.data.length)));
  const voice = (list: { data: Buffer }[]): string[] => list.filter((r) => !isCng(r.data)).map((r) => r.data.toString('base64'));
  const ourVoice = voice(ours);
  expect(ourVoice, 'the caller voice, frame by frame').toEqual(voice(recorded).slice(0, ourVoice.length));
  expect(ourVoice.length > 0, 'voice where the recording has voice, comfort noise only where it has none').toBe(voice(recorded).length > 0);
  const rate = (list: { at: number }[]): number => ((list.length - 1) * 1000) / (list.at(-1)!.at - list[0]!.at);
  const recordedRate = rate(recorded);
  expect(recordedRate).toBeGreaterThan(49);
  expect(recordedRate).toBeLessThan(51);
  // One datagram per 20 ms: a model sending every 10 ms or every 40 ms would be far outside this.
  expect(rate(ours) / recordedRate).toBeGreaterThan(0.6);
  expect(rate(ours) / recordedRate).toBeLessThan(1.4);
}

describe('the simulator plays the recorded outbound conversations: every frame, same order, same bytes where deterministic', () => {
  it.each(['outbound-unicast-native', 'outbound-unicast-l16'])('%s (a loopback call the dialplan hands to our socket)', async (name) => {
    const capture = loadCapture(name);
    const call = new RecordedCall(capture);
    const unicast = (capture as Capture & { unicast: RecordedUnicast }).unicast;
    const base = await freeUdpRange(2);
    const ports = new Map([[unicast.freeswitchBinds, base], [unicast.weListen, base + 1]]);
    const peer = new UnicastPeer();
    await peer.bind(base + 1);
    cleanups.push(() => peer.close());
    const { app, appPort, sim, control } = await setup(call);
    const origination = call.variable('origination_uuid');
    control.write(originateLine(call, '&park()'));
    expect((await control.frames(1))[0]!.body!.toString()).toBe(`+OK ${origination}\n`);
    const outbound = RawEslClient.wrap(await app.connected);
    cleanups.push(() => outbound.destroy());
    const bLeg = [...sim.channels.values()].find((c) => c.variables.get('loopback_leg') === 'B')!;
    sim.setCallerAudio(bLeg.uuid, callerVoice(unicast));
    let afterNounicast = 0;
    let streaming: 'no' | 'started' | 'answered' = 'no';
    const { uuid } = await play(name, call, outbound, sim, {
      appPort,
      ports,
      chosen: chosenUuids(call),
      onEmpty: async () => {
        // While the recorder waited after `unicast`, FreeSWITCH streamed the caller; we stream back.
        if (streaming !== 'started') return;
        streaming = 'answered';
        await peer.count(20);
        for (const b64 of unicast.sentToFreeswitch) peer.send(Buffer.from(b64, 'base64'), base);
      },
      beforeSend: async (text) => {
        if (text.includes('call-command: unicast')) streaming = 'started';
        if (text.includes('call-command: nounicast')) afterNounicast = peer.received.length;
        if (text.includes('call-command: hangup')) await peer.count(afterNounicast + 3); // nounicast stopped nothing
      },
    });
    expect(uuid).toBe(bLeg.uuid);
    compareDatagrams(peer.received, unicast, base);
    // FreeSWITCH took our datagrams from any source (here: the port it sends to).
    const session = sim.unicast(uuid)!;
    await session.waitForReceived(unicast.sentToFreeswitch.length);
    expect(session.received.map((d) => [d.data.toString('base64'), d.from])).toEqual(
      unicast.sentToFreeswitch.map((b64) => [b64, `127.0.0.1:${base + 1}`]),
    );
  });

  it('outbound-extras: myevents before connect (never answered, yet in effect), a long argument as a body, the application leaving without hanging up', async () => {
    const capture = loadCapture('outbound-extras') as Capture & { controlConnectionSummary: { events: Record<string, string>[] } };
    const call = new RecordedCall(capture);
    const { app, appPort, sim, control } = await setup(call);
    expect((await control.command('event plain CHANNEL_EXECUTE_COMPLETE CHANNEL_HANGUP_COMPLETE\n\n')).head).toContain('+OK event listener enabled plain');
    control.write(originateLine(call, '&endless_playback(tone_stream://%(1000,0,440))'));
    const outbound = RawEslClient.wrap(await app.connected);
    cleanups.push(() => outbound.destroy());
    await play('outbound-extras', call, outbound, sim, { appPort, chosen: chosenUuids(call) });
    // The application closes the socket without hanging up: the dialplan has nothing after
    // `socket`, so FreeSWITCH hangs the call up (and the loopback's other leg with it).
    outbound.socket.end();
    const wanted = capture.controlConnectionSummary.events;
    const seen: Record<string, string>[] = [];
    while (seen.length < wanted.length) {
      const [frame] = await control.frames(1, 5000);
      const parts = eventParts(frame!);
      if (parts === undefined) continue; // the originate's api/response
      const h = new Map(parts.headers.map(([k, v]) => [k, decodeURIComponent(v)]));
      seen.push({
        event: h.get('Event-Name')!,
        ...(h.has('Application') && { application: h.get('Application')! }),
        ...(h.has('Hangup-Cause') && { hangupCause: h.get('Hangup-Cause')! }),
      });
    }
    expect(seen).toEqual(wanted);
    await expect(control.frames(1, 50)).rejects.toThrow(/within/);
    expect(sim.channels.size).toBe(0);
  });

  it.each(['outbound-sip-pcmu-native', 'outbound-sip-pcmu-l16'])('%s (a SIP call: PCMU, sofia channel data, comfort noise)', async (name) => {
    const capture = loadCapture(name);
    const call = new RecordedCall(capture);
    const unicast = (capture as Capture & { unicast: RecordedUnicast }).unicast;
    const sofia = sofiaModel(call);
    const base = await freeUdpRange(2);
    const ports = new Map([[unicast.freeswitchBinds, base], [unicast.weListen, base + 1]]);
    const peer = new UnicastPeer();
    await peer.bind(base + 1);
    cleanups.push(() => peer.close());
    const { app, appPort, sim } = await setup(call, {
      before: sofia.invite,
      applications: { answer: sofia.answer },
      onConnection: () => sofia.connected(sim.channels.get(call.uuid)!),
    });
    sim.on('event', (event) => sofia.onEvent(sim, event.name, event.headers));
    sim.placeCall({
      destination: call.header('Caller-Destination-Number'),
      uuid: call.uuid,
      name: call.header('Channel-Name'),
      callerIdNumber: call.header('Caller-Caller-ID-Number'),
      callerIdName: call.header('Caller-Caller-ID-Name'),
      codec: call.variable('read_codec'),
    });
    const outbound = RawEslClient.wrap(await app.connected);
    cleanups.push(() => outbound.destroy());
    let streaming = false;
    await play(name, call, outbound, sim, {
      appPort,
      ports,
      chosen: chosenUuids(call),
      onEmpty: async () => {
        if (streaming) await peer.count(20);
      },
      beforeSend: async (text) => {
        if (text.includes('call-command: unicast')) streaming = true;
      },
    });
    compareDatagrams(peer.received, unicast, base);
  });
});

/**
 * What mod_sofia adds to a SIP channel, which the simulator does not model, taken from the
 * recording: the INVITE's variables (before the dialplan), the media negotiated at `answer`
 * (early media first), the dialog's tags once the 200 OK is acknowledged (after `socket`
 * connected), and the RTP statistics at hangup (`sofia_on_hangup`, `switch_core_media_set_stats`,
 * after the CDR variables).
 */
function sofiaModel(call: RecordedCall) {
  const vars = call.variables;
  const index = (name: string): number => vars.findIndex(([k]) => k === name);
  const invite = vars.slice(0, index('DP_MATCH'));
  const media = vars.slice(index('absolute_codec_string') + 1, index('endpoint_disposition'));
  const dialog = vars.slice(index('socket_host') + 1);
  const complete = call.capture.steps
    .flatMap((s) => (s.recv === undefined ? [] : splitFrames(s.recv)))
    .map((f) => eventParts(f))
    .find((e) => e?.headers.some(([k, v]) => k === 'Event-Name' && v === 'CHANNEL_HANGUP_COMPLETE'))!;
  const completeVars = complete.headers.filter(([k]) => k.startsWith('variable_')).map(([k, v]): [string, string] => [k.slice(9), decodeURIComponent(v)]);
  const hangup = completeVars.slice(completeVars.findIndex(([k]) => k === 'flow_billusec') + 1);
  const setAll = (channel: { setVariable(k: string, v: string): void }, list: [string, string][]): void => {
    for (const [k, v] of list) channel.setVariable(k, v);
  };
  return {
    invite: (channel: Parameters<Dialplan>[0]['channel']): void => {
      const sessionId = channel!.variables.get('session_id')!;
      channel!.variables.clear();
      setAll(channel!, invite.map(([k, v]): [string, string] => [k, k === 'session_id' ? sessionId : v]));
    },
    answer: (({ channel, core }) => {
      setAll(channel, media);
      channel.progressMediaMicros = Date.now() * 1000;
      core.answer(channel);
    }) satisfies NonNullable<FreeSwitchSimulatorOptions['applications']>[string],
    connected: (channel: { setVariable(k: string, v: string): void }): void => setAll(channel, dialog),
    onEvent: (sim: FreeSwitchSimulator, name: string, headers: [string, string][]): void => {
      const state = headers.find(([k]) => k === 'Channel-State')?.[1];
      const uuid = headers.find(([k]) => k === 'Unique-ID')?.[1];
      if (name === 'CHANNEL_STATE' && state === 'CS_REPORTING' && uuid === call.uuid) setAll(sim.channels.get(uuid)!, hangup);
    },
  };
}

describe('CHANNEL_HANGUP_COMPLETE variables computed from the recorded times equal the recorded ones', () => {
  it.each(['outbound-unicast-native', 'outbound-unicast-l16', 'outbound-sip-pcmu-native', 'outbound-sip-pcmu-l16'])('%s', (name) => {
    const call = new RecordedCall(loadCapture(name));
    const complete = call.capture.steps
      .flatMap((s) => (s.recv === undefined ? [] : splitFrames(s.recv)))
      .map((f) => eventParts(f))
      .find((e) => e?.headers.some(([k, v]) => k === 'Event-Name' && v === 'CHANNEL_HANGUP_COMPLETE'))!;
    const recorded = complete.headers.filter(([k]) => k.startsWith('variable_')).map(([k, v]): [string, string] => [k.slice(9), decodeURIComponent(v)]);
    const get = (k: string): string => recorded.find(([n]) => n === k)![1];
    const channel = new SimulatedChannel({
      uuid: call.uuid,
      name: call.header('Channel-Name'),
      direction: 'inbound',
      profile: { destinationNumber: '8000', callerIdName: call.header('Caller-Caller-ID-Name'), callerIdNumber: call.header('Caller-Caller-ID-Number') },
      sessionId: 1,
    });
    Object.assign(channel, { createdMicros: Number(get('start_uepoch')) });
    channel.answeredMicros = Number(get('answer_uepoch'));
    channel.progressMediaMicros = Number(get('progress_media_uepoch'));
    channel.hangupMicros = Number(get('end_uepoch'));
    channel.hangupCause = get('hangup_cause');
    if (get('digits_dialed') !== 'none') channel.dtmfLog.push(...get('digits_dialed'));
    channel.setVariable('current_application', get('last_app'));
    if (recorded.some(([k]) => k === 'is_loopback')) channel.setVariable('loopback_leg', 'B');
    writeCdrVariables(channel);
    const from = recorded.findIndex(([k]) => k === 'hangup_cause');
    const to = recorded.findIndex(([k]) => k === 'flow_billusec');
    const cdr = [...recorded.slice(from, to + 1), ...recorded.filter(([k]) => k === 'is_loopback')];
    const ours = [...channel.variables].filter(([k]) => cdr.some(([n]) => n === k));
    // Local stamps depend on this machine's time zone: their shape is compared by the replays.
    const comparable = (list: [string, string][]): [string, string][] => list.map(([k, v]) => [k, k.endsWith('_stamp') ? '' : v]);
    expect(comparable(ours)).toEqual(comparable(cdr));
  });
});
