import { describe, expect, it } from 'vitest';
import { DEFAULT_FRAMES_PER_MESSAGE, ProviderInput } from '../../src/realtime/provider-input.js';
import { getMediaClock } from '../../src/media/media-clock.js';
import { RealtimeSession, type RealtimeSessionOptions } from '../../src/realtime/session.js';
import type { OutboundCall } from '../../src/esl/outbound-call.js';
import { useCallHarness } from '../helpers/call-harness.js';
import { ManualProvider } from './manual-provider.js';

const frame = (n: number, bytes = 160): Uint8Array => new Uint8Array(bytes).fill(n);
const afterTick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('ProviderInput', () => {
  it("yields to the media clock: writes that would run into the next tick wait until after it, in order, none lost", async () => {
    const clock = getMediaClock();
    const events: string[] = [];
    // A handler in every phase group: each slot of the clock shows as a tick.
    const offs = Array.from({ length: clock.groups }, () => clock.subscribe(() => void events.push('tick')));
    try {
      await new Promise<void>((r) => { const o = clock.subscribe(() => (o(), r())); }); // just after a tick
      events.length = 0;
      const sent: number[] = [];
      const n = 24;
      const all = new Promise<void>((done) => {
        for (let i = 0; i < n; i++) {
          const input = new ProviderInput(() => {
            const until = performance.now() + 0.4; // a slow write: 24 of them span several 2.5 ms slots
            while (performance.now() < until);
            events.push('send');
            sent.push(i);
            if (sent.length === n) done();
          }, () => {});
          input.push(frame(i));
        }
      });
      await all;
      expect(sent).toEqual([...Array(n).keys()]);
      const firstTick = events.indexOf('tick');
      expect(firstTick).toBeGreaterThan(0); // some writes went before the tick...
      expect(events.lastIndexOf('send')).toBeGreaterThan(firstTick); // ...the rest after it
      expect(firstTick).toBeLessThan(n); // not all of them first
    } finally {
      for (const off of offs) off();
    }
  });

  it('sends after the tick, never during it: the frames of one tick in one message, in order', async () => {
    const sent: Uint8Array[] = [];
    const input = new ProviderInput((a) => void sent.push(a), () => {});
    for (let i = 1; i <= 3; i++) input.push(frame(i));
    expect(sent).toEqual([]);
    await afterTick();
    expect(sent.map((m) => [m.length, m[0], m[160], m[320]])).toEqual([[480, 1, 2, 3]]);
    expect([input.messages, input.frames]).toEqual([1, 3]);
  });

  it('never makes a frame wait for the next one: a lone frame goes alone, as it is', async () => {
    const sent: Uint8Array[] = [];
    const input = new ProviderInput((a) => void sent.push(a), () => {});
    const f = frame(7);
    input.push(f);
    await afterTick();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toBe(f);
  });

  it(`splits what one tick gathered into messages of at most framesPerMessage (default ${DEFAULT_FRAMES_PER_MESSAGE})`, async () => {
    const sent: Uint8Array[] = [];
    const input = new ProviderInput((a) => void sent.push(a), () => {}, { framesPerMessage: 2 });
    for (let i = 1; i <= 5; i++) input.push(frame(i, 2));
    await afterTick();
    expect(sent.map((m) => [...m])).toEqual([[1, 1, 2, 2], [3, 3, 4, 4], [5, 5]]);
    expect(new ProviderInput(() => {}, () => {}).framesPerMessage).toBe(DEFAULT_FRAMES_PER_MESSAGE);
  });

  it('delivers every session once per turn of the event loop; one that throws does not stop the others', async () => {
    const errors: unknown[] = [];
    const got: string[] = [];
    const failing = new ProviderInput(() => {
      throw new Error('socket gone');
    }, (e) => errors.push(e));
    const a = new ProviderInput(() => void got.push('a'), () => {});
    const b = new ProviderInput(() => void got.push('b'), () => {});
    a.push(frame(1));
    failing.push(frame(1));
    b.push(frame(1));
    a.push(frame(2));
    await afterTick();
    expect(got).toEqual(['a', 'b']);
    expect(errors.map((e) => (e as Error).message)).toEqual(['socket gone']);
  });

  it('drops what it gathered on discard, and sends nothing once closed', async () => {
    const sent: Uint8Array[] = [];
    const input = new ProviderInput((a) => void sent.push(a), () => {});
    input.push(frame(1));
    input.discard();
    await afterTick();
    input.push(frame(2));
    input.close();
    input.push(frame(3));
    await afterTick();
    expect(sent).toEqual([]);
  });

  it('refuses a count that is not a positive integer', () => {
    expect(() => new ProviderInput(() => {}, () => {}, { framesPerMessage: 0 })).toThrow(/framesPerMessage/);
    expect(() => new ProviderInput(() => {}, () => {}, { framesPerMessage: 1.5 })).toThrow(/framesPerMessage/);
  });
});

describe('RealtimeSession caller audio to the provider', () => {
  const h = useCallHarness();

  async function session(provider: ManualProvider, options: Partial<RealtimeSessionOptions> = {}): Promise<RealtimeSession> {
    const arrived = new Promise<OutboundCall>((resolve) => h.server.once('call', resolve));
    h.sim.callSocket({ port: h.server.address()!.port }, { codec: 'PCMU' });
    const call = await arrived;
    const s = new RealtimeSession({ call, provider, instructions: '', media: { ports: h.ports, freeswitchPort: (p) => p + 4, jitter: { minMs: 100, targetMs: 100 } }, ...options });
    await s.start();
    return s;
  }

  it('goes in messages of the frames that have arrived (up to 5 by default), every byte once', async () => {
    const provider = new ManualProvider();
    const sizes: number[] = [];
    const send = provider.sendAudio.bind(provider);
    provider.sendAudio = (audio) => {
      sizes.push(audio.length);
      send(audio);
    };
    const s = await session(provider);
    await provider.waitForFrames(12);
    const { providerInput } = s.stats();
    await s.end();
    expect(providerInput.messages).toBe(sizes.length);
    expect(providerInput.frames * 160).toBe(provider.stats.bytesSent);
    expect(sizes.every((n) => n % 160 === 0 && n <= 800)).toBe(true);
    // The jitter buffer holds ~100 ms: most messages carry several frames.
    expect(providerInput.frames).toBeGreaterThan(providerInput.messages * 2);
  });

  it('goes frame by frame with framesPerMessage: 1', async () => {
    const provider = new ManualProvider();
    const s = await session(provider, { providerInput: { framesPerMessage: 1 } });
    await provider.waitForFrames(10);
    const { providerInput } = s.stats();
    await s.end();
    expect(providerInput.messages).toBe(providerInput.frames);
    expect(provider.stats.bytesSent).toBe(providerInput.frames * 160);
  });
});
