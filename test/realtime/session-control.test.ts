import { describe, expect, it } from 'vitest';
import type { OutboundCall } from '../../src/esl/outbound-call.js';
import { ProviderUnsupportedError } from '../../src/errors.js';
import { RealtimeSession, type RealtimeSessionOptions, type TurnMetrics } from '../../src/realtime/session.js';
import { BoundedSet } from '../../src/realtime/session-turns.js';
import { defineTool, hangupCallTool, schema, transferCallTool } from '../../src/realtime/tools.js';
import { useCallHarness } from '../helpers/call-harness.js';
import { ManualProvider } from './manual-provider.js';

const h = useCallHarness();

async function session(provider: ManualProvider, options: Partial<RealtimeSessionOptions> = {}): Promise<{ session: RealtimeSession; call: OutboundCall; uuid: string }> {
  const arrived = new Promise<OutboundCall>((resolve) => h.server.once('call', resolve));
  const channel = h.sim.callSocket({ port: h.server.address()!.port }, { codec: 'PCMU' });
  const call = await arrived;
  const s = new RealtimeSession({ call, provider, instructions: 'Be the secretary.', media: { ports: h.ports, freeswitchPort: (p) => p + 4 }, bargeIn: { protectGreetingMs: 0 }, ...options });
  await s.start();
  return { session: s, call, uuid: channel.uuid };
}

const next = <T>(s: RealtimeSession, event: 'metrics' | 'bargeIn' | 'noAnswer' | 'ended' | 'toolResult'): Promise<T> => new Promise((r) => s.once(event, r as never));

describe('RealtimeSession: mid-call control', () => {
  it('say: the provider speaks the text; interruptible by default, not with interruptible: false', async () => {
    const provider = new ManualProvider();
    const { session: s, uuid } = await session(provider);
    const unicast = await h.sim.waitForUnicast(uuid);
    const barges: unknown[] = [];
    s.on('bargeIn', (b) => barges.push(b));
    s.say('Please hold.', { interruptible: false });
    expect(await provider.waitFor((e) => e.startsWith('say:'))).toBe('say:Please hold.');
    provider.speak('r1', 1000);
    provider.done('r1');
    await unicast.waitForReceived(5);
    provider.emit('speechStarted', {}); // the caller talks over it: not cut
    await unicast.waitForReceived(50); // all 1000 ms (50 frames) play
    expect(barges).toEqual([]);
    // An ordinary answer is interruptible.
    s.say('Anything else?');
    provider.speak('r2', 2000);
    await unicast.waitForReceived(55);
    const barge = next<{ playedMs: number }>(s, 'bargeIn');
    provider.emit('speechStarted', {});
    expect((await barge).playedMs).toBeGreaterThan(0);
    expect(provider.log.filter((e) => e.startsWith('interrupt:'))).toHaveLength(1);
    await s.end();
  });

  it('generateReply asks for an answer with instructions; its answer is measured as a reply', async () => {
    const provider = new ManualProvider();
    const { session: s } = await session(provider);
    s.generateReply('Offer to take a message.');
    expect(await provider.waitFor((e) => e.startsWith('reply:'))).toBe('reply:Offer to take a message.');
    const metrics = next<TurnMetrics>(s, 'metrics');
    provider.speak('r1', 200);
    provider.done('r1', 'completed', { inputTokens: 10, outputTokens: 20, totalTokens: 30 });
    expect(await metrics).toMatchObject({ turn: 1, responseId: 'r1', trigger: 'reply', audioMs: 200, interrupted: false, status: 'completed', usage: { totalTokens: 30 } });
    expect((await metrics).providerFirstByteMs).toBeGreaterThanOrEqual(0);
    expect(s.metrics.usage).toEqual({ inputTokens: 10, outputTokens: 20, totalTokens: 30 });
    await s.end();
  });

  it('updateInstructions and updateTools reach the provider; the new tools run, the old are gone', async () => {
    const provider = new ManualProvider();
    const old = defineTool({ name: 'old_tool', description: 'Old', parameters: schema.object({}), handler: () => 'old' });
    const { session: s } = await session(provider, { tools: [old] });
    await s.updateInstructions('Now speak Spanish.');
    expect(provider.log).toContain('update:{"instructions":"Now speak Spanish."}');
    const book = defineTool({ name: 'book_room', description: 'Book', parameters: schema.object({ room: schema.string() }), handler: ({ room }) => ({ booked: room }) });
    await s.updateTools([book]);
    expect(provider.log).toContain('update:{"tools":["book_room"]}');
    provider.emit('toolCall', { id: 'c1', name: 'book_room', args: { room: 'A1' }, responseId: 'r1' });
    provider.emit('toolCall', { id: 'c2', name: 'old_tool', args: {}, responseId: 'r1' });
    expect(await provider.waitFor((e) => e.startsWith('result:c1'))).toBe('result:c1:{"booked":"A1"}');
    expect(await provider.waitFor((e) => e.startsWith('result:c2'))).toBe('result:c2:{"error":"unknown tool old_tool"}');
    await s.end();
  });

  it('a vendor that cannot change its session mid-call: updateInstructions rejects with ProviderUnsupportedError, tools unchanged', async () => {
    const provider = new ManualProvider({ sessionUpdate: false });
    const keep = defineTool({ name: 'keep', description: 'Keep', parameters: schema.object({}), handler: () => 'kept' });
    const { session: s } = await session(provider, { tools: [keep] });
    await expect(s.updateInstructions('x')).rejects.toBeInstanceOf(ProviderUnsupportedError);
    await expect(s.updateTools([])).rejects.toMatchObject({ code: 'PROVIDER_UNSUPPORTED' });
    provider.emit('toolCall', { id: 'c1', name: 'keep', args: {}, responseId: 'r1' });
    expect(await provider.waitFor((e) => e.startsWith('result:c1'))).toBe('result:c1:"kept"');
    await s.end();
  });

  it('mute withholds the caller’s audio from the provider (and tells it to drop what it half-heard); unmute resumes', async () => {
    const provider = new ManualProvider();
    const { session: s } = await session(provider);
    await provider.waitForFrames(3);
    s.mute();
    expect(s.muted).toBe(true);
    expect(provider.log).toContain('pause');
    const frozen = provider.frames;
    // The bridge keeps delivering the caller's frames (the session's listener runs before this one).
    let delivered = 0;
    await new Promise<void>((resolve) => s.media!.on('audio', () => ++delivered === 10 && resolve()));
    expect(provider.frames).toBe(frozen);
    s.unmute();
    await provider.waitForFrames(frozen + 3);
    expect(s.stats().muted).toBe(false);
    await s.end();
  });
});

describe('RealtimeSession: the no-answer watchdog', () => {
  it('no answer after the caller’s turn: asks again once, then falls back (transfer to the operator)', async () => {
    const provider = new ManualProvider();
    const { session: s, uuid } = await session(provider, { watchdog: { noAnswerMs: 150 }, fallback: { transfer: '9000' } });
    const misses: { attempt: number }[] = [];
    s.on('noAnswer', (m) => misses.push(m));
    const ended = next<{ reason: string }>(s, 'ended');
    provider.emit('speechStarted', {});
    provider.emit('speechStopped', {});
    expect(await provider.waitFor((e) => e.startsWith('reply:'))).toBe('reply:');
    expect((await ended).reason).toBe('provider-failed');
    expect(misses.map((m) => m.attempt)).toEqual([1, 2]);
    expect((await h.sim.waitForCommand((c) => c.line.startsWith('api uuid_transfer'))).line).toBe(`api uuid_transfer ${uuid} 9000 XML default`);
  });

  it('an answer after the reprompt resets it; answers in time never trigger it', async () => {
    const provider = new ManualProvider();
    const { session: s } = await session(provider, { watchdog: { noAnswerMs: 150, reprompt: 'Say you are still here.' } });
    const misses: number[] = [];
    s.on('noAnswer', (m) => misses.push(m.attempt));
    provider.emit('speechStopped', {});
    expect(await provider.waitFor((e) => e.startsWith('reply:'))).toBe('reply:Say you are still here.');
    provider.speak('r1', 100);
    provider.done('r1');
    provider.emit('speechStopped', {});
    provider.speak('r2', 100);
    provider.done('r2');
    const turn = next<TurnMetrics>(s, 'metrics');
    provider.emit('speechStopped', {});
    provider.speak('r3', 100);
    provider.done('r3');
    expect((await turn).responseId).toBe('r3');
    expect(misses).toEqual([1]);
    await s.end();
  });
  it('the answer still playing out is not a silence: the wait starts again until it has been heard', async () => {
    const provider = new ManualProvider();
    const lookup = defineTool({ name: 'lookup', description: 'Look up', parameters: schema.object({}), handler: () => 'found' });
    const { session: s, uuid } = await session(provider, { tools: [lookup], watchdog: { noAnswerMs: 150 } });
    const unicast = await h.sim.waitForUnicast(uuid);
    provider.speak('r1', 1000);
    provider.emit('toolCall', { id: 'c1', name: 'lookup', args: {}, responseId: 'r1' });
    provider.done('r1');
    await provider.waitFor((e) => e.startsWith('result:c1')); // an answer to the result is due from here
    const miss = await next<{ attempt: number }>(s, 'noAnswer');
    expect(miss.attempt).toBe(1);
    expect(unicast.received.length).toBeGreaterThanOrEqual(48); // only once the 1 s answer had been sent
    await s.end();
  });
});

describe('RealtimeSession: per-answer metrics and bounded memory', () => {
  it('a caller turn: end of speech → first frame to the caller, provider first byte, usage; an interrupted answer counts', async () => {
    const provider = new ManualProvider();
    const { session: s, uuid } = await session(provider);
    const unicast = await h.sim.waitForUnicast(uuid);
    const all: TurnMetrics[] = [];
    s.on('metrics', (m) => all.push(m));
    provider.emit('speechStopped', {});
    provider.speak('r1', 400);
    provider.done('r1', 'completed', { inputTokens: 100, outputTokens: 50, totalTokens: 150, outputAudioTokens: 40 });
    await unicast.waitForReceived(20);
    const first = all[0]!;
    expect(first).toMatchObject({ turn: 1, responseId: 'r1', trigger: 'caller', audioMs: 400, interrupted: false, usage: { totalTokens: 150, outputAudioTokens: 40 } });
    expect(first.endOfSpeechToFirstAudioMs).toBeGreaterThanOrEqual(first.providerFirstByteMs!);
    expect(first.endOfSpeechToFirstAudioMs).toBeLessThan(1000);
    provider.emit('speechStopped', {});
    provider.speak('r2', 3000);
    await unicast.waitForReceived(25);
    provider.emit('speechStarted', {});
    provider.done('r2', 'cancelled');
    provider.emit('toolCall', { id: 'late', name: 'hangup_call', args: {}, responseId: 'r2' }); // a call of the interrupted answer
    await provider.waitFor((e) => e.startsWith('interrupt:'));
    expect(all[1]).toMatchObject({ turn: 2, responseId: 'r2', trigger: 'caller', interrupted: true, status: 'cancelled' });
    expect(s.metrics).toMatchObject({ turns: 2, interruptions: 1 });
    expect(s.stats()).toMatchObject({ turns: 2, interruptions: 1, toolsPending: 0, provider: { messagesSent: provider.stats.messagesSent } });
    expect(s.stats().media?.framesSent).toBeGreaterThan(20);
    expect(provider.log.filter((e) => e.startsWith('result:'))).toEqual([]);
    await s.end();
  });

  it('keeps the latest transcript lines only, and counts the rest', async () => {
    const provider = new ManualProvider();
    const { session: s } = await session(provider, { memory: { transcriptLines: 3 } });
    for (let i = 1; i <= 5; i++) provider.emit('transcript', { role: 'user', text: `line ${i}`, final: true });
    expect(s.metrics.transcript.map((l) => l.text)).toEqual(['line 3', 'line 4', 'line 5']);
    expect(s.metrics.transcriptDropped).toBe(2);
    await s.end();
  });

  it('the ids of interrupted answers are bounded', () => {
    const set = new BoundedSet<string>(32);
    for (let i = 0; i < 1000; i++) set.add(`resp_${i}`);
    expect(set.size).toBe(32);
    expect(set.has('resp_999') && set.has('resp_968') && !set.has('resp_967')).toBe(true);
  });
});

describe('RealtimeSession: side-effect tools act after the farewell', () => {
  it('hangup_call in the answer that says goodbye: the whole goodbye (and the answer to the result) plays, then the hangup', async () => {
    const provider = new ManualProvider();
    const { session: s, uuid } = await session(provider, { tools: [hangupCallTool()], afterSpeech: { graceMs: 300 } });
    const unicast = await h.sim.waitForUnicast(uuid);
    const ended = next<{ reason: string }>(s, 'ended');
    provider.speak('r1', 1000);
    provider.emit('toolCall', { id: 'c1', name: 'hangup_call', args: {}, responseId: 'r1' });
    provider.done('r1');
    await provider.waitFor((e) => e.startsWith('result:c1'));
    provider.speak('r2', 400); // the model answers the result: "Goodbye!"
    provider.done('r2');
    const hangup = await h.sim.waitForCommand((c) => c.headers['call-command'] === 'hangup', 8000);
    expect(hangup.headers['hangup-cause']).toBe('NORMAL_CLEARING');
    expect(unicast.received.length).toBeGreaterThanOrEqual(70); // 1.4 s of farewell, 20 ms frames
    expect((await ended).reason).toBe('tool-hangup');
  });

  it('a barge-in during the farewell cancels the hangup', async () => {
    const provider = new ManualProvider();
    const { session: s, call, uuid } = await session(provider, { tools: [hangupCallTool()], afterSpeech: { graceMs: 200 } });
    const unicast = await h.sim.waitForUnicast(uuid);
    provider.speak('r1', 2000);
    provider.emit('toolCall', { id: 'c1', name: 'hangup_call', args: {}, responseId: 'r1' });
    provider.done('r1');
    await provider.waitFor((e) => e.startsWith('result:c1'));
    await unicast.waitForReceived(10);
    provider.emit('speechStarted', {}); // "wait, one more thing"
    await provider.waitFor((e) => e.startsWith('interrupt:'));
    s.say('Of course.');
    provider.speak('r2', 600);
    provider.done('r2');
    const turn = next<TurnMetrics>(s, 'metrics');
    provider.emit('speechStopped', {});
    provider.speak('r3', 200);
    provider.done('r3');
    await turn;
    await unicast.waitForReceived(unicast.received.length + 30);
    expect(call.isActive).toBe(true);
    expect(h.sim.commands.filter((c) => c.headers['call-command'] === 'hangup')).toEqual([]);
    await s.end();
  });

  it('transfer_call: refused outside the allowed list; allowed, the transfer follows the farewell and ends the session', async () => {
    const provider = new ManualProvider();
    const { session: s, uuid } = await session(provider, { tools: [transferCallTool({ allowed: ['1001'] })], afterSpeech: { graceMs: 200 } });
    const unicast = await h.sim.waitForUnicast(uuid);
    provider.emit('toolCall', { id: 'c0', name: 'transfer_call', args: { destination: '2000' }, responseId: 'r0' });
    expect(await provider.waitFor((e) => e.startsWith('result:c0'))).toBe('result:c0:{"error":"transfer to 2000 is not allowed"}');
    const ended = next<{ reason: string }>(s, 'ended');
    provider.speak('r1', 800);
    provider.emit('toolCall', { id: 'c1', name: 'transfer_call', args: { destination: '1001' }, responseId: 'r1' });
    provider.done('r1');
    const transfer = await h.sim.waitForCommand((c) => c.line.startsWith('api uuid_transfer'), 8000);
    expect(transfer.line).toBe(`api uuid_transfer ${uuid} 1001 XML default`);
    expect(unicast.received.length).toBeGreaterThanOrEqual(40);
    expect((await ended).reason).toBe('transferred');
  });

  it('a call the vendor withdraws (toolCallCancelled) is aborted and its result never sent', async () => {
    const provider = new ManualProvider();
    let aborted = false;
    const slow = defineTool({
      name: 'lookup',
      description: 'Slow lookup',
      parameters: schema.object({}),
      handler: (_args, { signal }) =>
        new Promise((resolve) => {
          signal.addEventListener('abort', () => {
            aborted = true;
            resolve('too late');
          });
        }),
    });
    const { session: s } = await session(provider, { tools: [slow] });
    provider.emit('toolCall', { id: 'c1', name: 'lookup', args: {}, responseId: 'r1' });
    provider.emit('toolCallCancelled', { ids: ['c1'] });
    expect(aborted).toBe(true);
    s.say('marker');
    await provider.waitFor((e) => e === 'say:marker');
    expect(provider.log.filter((e) => e.startsWith('result:'))).toEqual([]);
    await s.end();
  });
});
