import { describe, expect, it } from 'vitest';
import type { OutboundCall } from '../../src/esl/outbound-call.js';
import type { ProviderConnectOptions } from '../../src/realtime/provider.js';
import { RealtimeSession, type EndReason } from '../../src/realtime/session.js';
import { useCallHarness } from '../helpers/call-harness.js';
import { ManualProvider } from './manual-provider.js';

/** A provider whose handshake takes until the test says so; it may honour the abort signal or not. */
class SlowProvider extends ManualProvider {
  readonly events: string[] = [];
  signal: AbortSignal | undefined;
  private release!: () => void;
  readonly connecting: Promise<void>;
  private entered!: () => void;

  constructor(private readonly honoursSignal: boolean) {
    super();
    this.connecting = new Promise((r) => (this.entered = r));
  }

  override async connect(options: ProviderConnectOptions): Promise<void> {
    this.signal = options.signal;
    this.events.push('connecting');
    this.entered();
    await new Promise<void>((resolve, reject) => {
      this.release = resolve;
      if (this.honoursSignal) options.signal?.addEventListener('abort', () => reject(options.signal!.reason), { once: true });
    });
    this.events.push('connected');
  }

  finishHandshake(): void {
    this.release();
  }

  override async close(): Promise<void> {
    this.events.push('close');
    await super.close();
  }
}

describe('RealtimeSession.start when the caller hangs up during the provider handshake', () => {
  const h = useCallHarness();

  async function startHungUp(provider: SlowProvider, release: boolean): Promise<{ call: OutboundCall; reason: EndReason; startedEvent: boolean }> {
    const arrived = new Promise<OutboundCall>((resolve) => h.server.once('call', resolve));
    h.sim.callSocket({ port: h.server.address()!.port }, { codec: 'PCMU' });
    const call = await arrived;
    const session = new RealtimeSession({ call, provider, instructions: '', fallback: { transfer: 'operator' }, media: { ports: h.ports, freeswitchPort: (p) => p + 4 } });
    let startedEvent = false;
    session.on('started', () => (startedEvent = true));
    const ended = new Promise<EndReason>((resolve) => session.once('ended', ({ reason }) => resolve(reason)));
    const starting = session.start();
    await provider.connecting;
    h.sim.hangup(call.uuid);
    const reason = await ended;
    if (release) provider.finishHandshake();
    await expect(starting).resolves.toBeUndefined();
    return { call, reason, startedEvent };
  }

  it('aborts the connect through its signal, resolves, runs no fallback and starts no audio', async () => {
    const provider = new SlowProvider(true);
    const { reason, startedEvent } = await startHungUp(provider, false);
    expect(reason).toBe('hangup');
    expect(provider.signal?.aborted).toBe(true);
    expect(provider.events).toEqual(['connecting', 'close']);
    expect(startedEvent).toBe(false);
    expect(h.ports.inUse).toBe(0);
    expect(h.sim.commands.some((c) => JSON.stringify(c).includes('transfer'))).toBe(false); // no fallback
  });

  it('closes a provider that connects anyway after the hangup (no vendor session left open)', async () => {
    const provider = new SlowProvider(false);
    const { reason, startedEvent } = await startHungUp(provider, true);
    expect(reason).toBe('hangup');
    expect(provider.events).toEqual(['connecting', 'close', 'connected', 'close']);
    expect(startedEvent).toBe(false);
    expect(provider.frames).toBe(0);
    expect(h.ports.inUse).toBe(0);
  });
});
