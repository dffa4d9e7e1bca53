import { afterEach, describe, expect, it } from 'vitest';
import { FreeSwitchSimulator, type FreeSwitchSimulatorOptions } from '../../src/testing/index.js';
import { type Capture, loadCapture } from '../helpers/fixtures.js';
import { compareRawFrame, type Sides, sidesFor } from './capture-compare.js';
import { decodeEvent, RawEslClient, type RawFrame, splitFrames } from './raw-esl.js';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
/** Headers whose values depend on the clock, the run, or how long a tone played. */
const VOLATILE = /Date|Timestamp|Sequence|-Time$|epoch|stamp|session_id|sec$|usec|msec|duration|playback_|Content-Length/;

/** The switch of the recordings: its identity, and extension 9000 (answer, sched_hangup, an endless tone). */
function recordedSwitch(capture: Capture): FreeSwitchSimulatorOptions {
  const core = /Core-UUID: (\S+)/.exec(capture.steps.map((s) => s.recv ?? '').join(''))![1]!;
  return {
    identity: { coreUuid: core, hostname: 'vm', ipv4: '192.0.2.2', ipv6: 'fd00::2' },
    dialplan: ({ destination, context }) => {
      if (context !== 'default') return undefined;
      if (destination !== '9000') return [{ app: 'answer' }, { app: 'park' }];
      return [{ app: 'answer' }, { app: 'sched_hangup', data: '+30 NORMAL_CLEARING' }, { app: 'playback', data: 'tone_stream://%(1000,0,440);loops=-1' }];
    },
  };
}

/** UUIDs the client chose (origination_uuid, Job-UUID): everything else is random in both runs. */
function chosenUuids(capture: Capture): Set<string> {
  return new Set(capture.steps.flatMap((s) => s.send?.match(UUID) ?? []));
}

function normalise(text: string, chosen: Set<string>): string {
  return text.replace(UUID, (u) => (chosen.has(u) ? u : '<uuid>'));
}

/**
 * Compares one frame the simulator sent with the recorded one, as strictly as determinism allows:
 * plain events without a body of their own header by header, raw (see capture-compare.ts); json
 * and xml events, and events carrying `status` output, by their decoded headers.
 */
function compareFrame(ours: RawFrame, recorded: RawFrame, chosen: Set<string>, sides: Sides, where: string): void {
  expect(ours.type, where).toBe(recorded.type);
  if (recorded.type === 'text/event-plain' && decodeEvent(recorded).body === '') return compareRawFrame(ours, recorded, sides, where);
  if (recorded.type?.startsWith('text/event-')) {
    const a = [...decodeEvent(recorded).headers.entries()];
    const b = [...decodeEvent(ours).headers.entries()];
    expect(b.map(([k]) => k), `${where}: header names and order`).toEqual(a.map(([k]) => k));
    const stable = (list: [string, string][]): [string, string][] =>
      list.filter(([k]) => !VOLATILE.test(k)).map(([k, v]) => [k, normalise(v, chosen)]);
    expect(stable(b), `${where}: header values`).toEqual(stable(a));
    expect(normalise(decodeEvent(ours).body, chosen).replace(/^UP .*\n|\d+ session\(s\).*\n|min idle.*\n|Version [^)]*/gm, ''), where).toBe(
      normalise(decodeEvent(recorded).body, chosen).replace(/^UP .*\n|\d+ session\(s\).*\n|min idle.*\n|Version [^)]*/gm, ''),
    );
    return;
  }
  if (recorded.type === 'log/data') {
    expect(ours.head, where).toBe(recorded.head);
    expect(ours.body!.toString()).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6} \d+\.\d\d% \[INFO\] switch_time\.c:1437 Timezone reloaded 597 definitions\n$/);
    return;
  }
  const body = recorded.body?.toString() ?? '';
  if (body.startsWith('UP ')) {
    expect(ours.body!.toString()).toMatch(/^UP 0 years, \d+ days, \d+ hours, \d+ minutes, \d+ seconds, \d+ milliseconds, \d+ microseconds\nFreeSWITCH \(Version .* 64bit\) is ready\n\d+ session\(s\) since startup\n\d+ session\(s\) - peak \d+, last 5min \d+ \n0 session\(s\) per Sec out of max 30, peak \d+, last 5min \d+ \n1000 session\(s\) max\nmin idle cpu \d+\.\d\d\/\d+\.\d\d\nCurrent Stack Size\/Max 240K\/8192K\n$/);
    return;
  }
  if (body.startsWith('{"row_count":') && body.includes('"rows"')) {
    const rows = (text: string): Record<string, string>[] => (JSON.parse(normalise(text, chosen)) as { rows: Record<string, string>[] }).rows;
    const stable = (r: Record<string, string>): Record<string, string> => ({ ...r, created: '', created_epoch: '' });
    expect(rows(ours.body!.toString()).map(stable), where).toEqual(rows(body).map(stable));
    return;
  }
  expect(normalise(ours.bytes, chosen), where).toBe(normalise(recorded.bytes, chosen));
}

let sim: FreeSwitchSimulator | undefined;
let raw: RawEslClient | undefined;

afterEach(async () => {
  raw?.destroy();
  await sim?.stop();
  raw = undefined;
  sim = undefined;
});

describe('the simulator plays the recorded conversations: every frame, same order, same bytes where deterministic', () => {
  it.each(['inbound-session', 'inbound-extras'])('%s', async (name) => {
    const capture = loadCapture(name);
    const chosen = chosenUuids(capture);
    // How long the endless tone played before uuid_break / uuid_kill cut it depends on the run.
    const sides = sidesFor(chosen, { volatile: /^variable_playback_/ });
    sim = new FreeSwitchSimulator(recordedSwitch(capture));
    raw = await RawEslClient.open((await sim.start()).port);
    let compared = 0;
    for (const [index, step] of capture.steps.entries()) {
      if (step.send !== undefined) {
        raw.write(step.send);
        continue;
      }
      const recorded = splitFrames(step.recv!);
      expect(recorded).toHaveLength(step.frames!);
      const ours = await raw.frames(recorded.length);
      recorded.forEach((frame, i) => compareFrame(ours[i]!, frame, chosen, sides, `${name} step ${index} frame ${i}`));
      compared += recorded.length;
      if (step.closedAfter) await raw.whenClosed();
    }
    expect(compared).toBe(capture.steps.reduce((n, s) => n + (s.frames ?? 0), 0));
    // Nothing more than the recording: the next frame would be unexpected.
    await expect(raw.frames(1, 50)).rejects.toThrow();
  });

  it('inbound-auth-failure: -ERR invalid, the disconnect notice, close (exact bytes)', async () => {
    const capture = loadCapture('inbound-auth-failure');
    sim = new FreeSwitchSimulator();
    raw = await RawEslClient.open((await sim.start()).port);
    expect((await raw.frames(1))[0]!.bytes).toBe(capture.steps[0]!.recv);
    raw.write(capture.steps[1]!.send!);
    expect((await raw.frames(2)).map((f) => f.bytes).join('')).toBe(capture.steps[2]!.recv);
    await raw.whenClosed();
  });

  it('inbound-rude-rejection: text/rude-rejection, the disconnect notice, close (exact bytes)', async () => {
    const capture = loadCapture('inbound-rude-rejection');
    sim = new FreeSwitchSimulator({ acl: (address) => address !== '127.0.0.1' });
    raw = await RawEslClient.open((await sim.start()).port);
    expect((await raw.frames(2)).map((f) => f.bytes).join('')).toBe(capture.steps[0]!.recv);
    await raw.whenClosed();
    expect(sim.connections).toBe(0);
  });
});

describe("mod_event_socket's command rules (from FreeSWITCH's source)", () => {
  async function authed(options: FreeSwitchSimulatorOptions = {}): Promise<RawEslClient> {
    sim = new FreeSwitchSimulator(options);
    raw = await RawEslClient.open((await sim.start()).port);
    await raw.frames(1);
    expect((await raw.command('auth ClueCon\n\n')).head).toContain('+OK accepted');
    return raw;
  }
  const text = (f: RawFrame): string => (f.type === 'api/response' ? f.body!.toString() : /Reply-Text: (.*)/.exec(f.head)![1]!);

  it('before auth: only auth/userauth/exit; anything else is -ERR command not found and the connection stays', async () => {
    sim = new FreeSwitchSimulator();
    raw = await RawEslClient.open((await sim.start()).port);
    await raw.frames(1);
    expect(text(await raw.command('api status\n\n'))).toBe('-ERR command not found');
    expect(text(await raw.command('auth ClueCon\n\n'))).toBe('+OK accepted');
    expect((await raw.command('api uuid_exists x\n\n')).body!.toString()).toBe('false');
  });

  it('exit works before auth too', async () => {
    sim = new FreeSwitchSimulator();
    raw = await RawEslClient.open((await sim.start()).port);
    await raw.frames(1);
    raw.write('exit\n\n');
    const [bye, notice] = await raw.frames(2);
    expect([text(bye!), notice!.type]).toEqual(['+OK bye', 'text/disconnect-notice']);
    await raw.whenClosed();
  });

  it('answers the texts FreeSWITCH answers, quirks included', async () => {
    const c = await authed();
    const replies: [string, string][] = [
      ['nolog', '-ERR not loging'],
      ['noevents', '-ERR not listening for events'],
      ['event plain', '-ERR no keywords supplied'],
      ['event json NO_SUCH_EVENT', '-ERR no keywords supplied'],
      ['event SWITCH_EVENT_CHANNEL_ANSWER', '+OK event listener enabled json'],
      ['nixevent CHANNEL_ANSWER', '+OK events nixed'],
      ['nixevent', '-ERR no keywords supplied'],
      ['filter Unique-ID', '-ERR invalid syntax'],
      ['filter add Event-Name CUSTOM', '+OK filter added. [Event-Name]=[CUSTOM]'],
      ['filter delete Event-Name', '+OK filter deleted. [Event-Name][]'],
      ['filter delete all', '+OK filter deleted. [all][]'],
      ['log', '+OK log level  [7]'],
      ['log warning', '+OK log level warning [4]'],
      ['log loud', '-ERR invalid log level'],
      ['linger 5', '-ERR not controlling a session'],
      ['nolinger', '-ERR not controlling a session'],
      ['divert_events on', '-ERR not controlling a session.'],
      ['myevents 00000000-0000-0000-0000-000000000000 json', '-ERR invalid uuid'],
      ['sendmsg 00000000-0000-0000-0000-000000000000\ncall-command: hangup', '-ERR invalid session id [00000000-0000-0000-0000-000000000000]'],
      ['sendmsg', '-ERR invalid session id []'],
      ['bgapi', '-ERR command not found'],
      ['getvar x', '-ERR command not found'],
    ];
    for (const [cmd, reply] of replies) expect(text(await c.command(`${cmd}\n\n`)), cmd).toBe(reply);
  });

  it('api: unknown command, empty output, usage', async () => {
    const c = await authed();
    expect(text(await c.command('api nope 1 2\n\n'))).toBe('-ERR nope Command not found!\n');
    expect(text(await c.command('api eval ${nothing_here}\n\n'))).toBe('-ERR no reply\n');
    expect(text(await c.command('api eval $${hostname} ok\n\n'))).toBe('simulator ok');
    expect(text(await c.command('api uuid_getvar\n\n'))).toBe('-USAGE: <uuid> <var>\n');
    expect(text(await c.command('api originate\n\n'))).toMatch(/^-USAGE <call url>/);
    expect(text(await c.command('api show channels count\n\n'))).toBe('\n0 total.\n');
  });

  it('bgapi: a client Job-UUID is used (cut at 36 characters), the job has no Job-Command-Arg without arguments', async () => {
    const c = await authed();
    expect(text(await c.command('event plain BACKGROUND_JOB\n\n'))).toBe('+OK event listener enabled plain');
    const long = `${'a'.repeat(36)}-tail`;
    c.write(`bgapi status\nJob-UUID: ${long}\n\n`);
    const [reply, job] = await c.frames(2);
    expect(reply!.head).toBe(`Content-Type: command/reply\nReply-Text: +OK Job-UUID: ${'a'.repeat(36)}\nJob-UUID: ${'a'.repeat(36)}`);
    const event = decodeEvent(job!);
    expect([event.jobUuid, event.get('Job-Command'), event.get('Job-Command-Arg'), event.body.startsWith('UP ')]).toEqual([
      'a'.repeat(36), 'status', undefined, true,
    ]);
    c.write('bgapi no_such thing\n\n');
    const [, failed] = await c.frames(2);
    expect([decodeEvent(failed!).get('Job-Command-Arg'), decodeEvent(failed!).body]).toEqual(['thing', '-ERR no_such Command not found!\n']);
  });

  it('userauth answers with the Allowed-* headers', async () => {
    sim = new FreeSwitchSimulator({ users: { '1000@default': 'pw' } });
    raw = await RawEslClient.open((await sim.start()).port);
    await raw.frames(1);
    expect((await raw.command('userauth 1000@default:pw\n\n')).head).toBe(
      'Content-Type: command/reply\nReply-Text: +OK accepted\nAllowed-Events: all\nAllowed-API: all\nAllowed-LOG: true',
    );
  });

  it('drops a client that does not authenticate in time', async () => {
    sim = new FreeSwitchSimulator({ authTimeoutMs: 30 });
    raw = await RawEslClient.open((await sim.start()).port);
    const [, notice] = await raw.frames(2);
    expect(notice!.type).toBe('text/disconnect-notice');
    await raw.whenClosed();
  });

  it('cuts a reply text at 511 bytes', async () => {
    const c = await authed();
    expect(text(await c.command(`filter X-Long ${'v'.repeat(600)}\n\n`))).toHaveLength(511);
  });

  it('a command written in pieces, with headers and a body, is read as one', async () => {
    const c = await authed();
    expect(text(await c.command('event plain CUSTOM t::x\n\n'))).toBe('+OK event listener enabled plain');
    const command = 'sendevent CUSTOM\nEvent-Subclass: t::x\nContent-Length: 5\n\nhello';
    for (const ch of command) c.write(ch);
    const [reply, event] = await c.frames(2);
    expect(text(reply!)).toMatch(/^\+OK [0-9a-f-]{36}$/);
    expect(decodeEvent(event!).body).toBe('hello');
    // The sender's Content-Length stays a header: FreeSWITCH then writes two.
    expect(event!.body!.toString().match(/^Content-Length: 5$/gm)).toHaveLength(2);
  });
});
