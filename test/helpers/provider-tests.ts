/**
 * Steps and tests every WebSocket provider's suite shares (`test/realtime/*.test.ts`): the
 * provider's events as lines, its next `close`, and how a session ends — a dropped socket, a
 * normal `close()` — which must be the same for every vendor.
 */
import { expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { ProviderError } from '../../src/errors.js';
import type { RealtimeProvider, RealtimeProviderEvents } from '../../src/realtime/provider.js';

/** What a provider's `close` event carries. */
export type ProviderClose = RealtimeProviderEvents['close'][0];

/** Resolves with `p`'s next `close` event. */
export function nextClose(p: RealtimeProvider): Promise<ProviderClose> {
  return new Promise((resolve) => p.once('close', resolve));
}

/** `p`'s answer events from now on, one line each (`audio:<responseId>:<bytes>`, `done:<id>:<status>`, `<role>:<text>`, `tool:<name>:<id>`). */
export function collectEvents(p: RealtimeProvider): string[] {
  const events: string[] = [];
  p.on('audio', (a) => events.push(`audio:${a.responseId}:${[...a.data].join(',')}`));
  p.on('speechStarted', () => events.push('speechStarted'));
  p.on('speechStopped', () => events.push('speechStopped'));
  p.on('responseDone', (d) => events.push(`done:${d.responseId}:${d.status}`));
  p.on('transcript', (t) => events.push(`${t.role}:${t.text}`));
  p.on('toolCall', (c) => events.push(`tool:${c.name}:${c.id}`));
  return events;
}

/**
 * Registers, in the caller's `describe`, the tests of how a session ends: `connected` connects a
 * provider to the vendor's mock server, `serverSocket` is the server's side of that connection.
 */
export function sessionEndTests(connected: () => Promise<RealtimeProvider>, serverSocket: () => WebSocket): void {
  it('a dropped socket emits close with a ProviderError; sending afterwards is a no-op', async () => {
    const p = await connected();
    const closed = nextClose(p);
    serverSocket().terminate();
    const info = await closed;
    expect(info.error).toBeInstanceOf(ProviderError);
    expect(info.code).toBe(1006);
    p.sendAudio(new Uint8Array(160));
    p.sendText('x');
  });

  it('close() closes normally: close without an error, once', async () => {
    const p = await connected();
    const closes: ProviderClose[] = [];
    p.on('close', (c) => closes.push(c));
    await p.close();
    await p.close();
    expect(closes).toEqual([{ code: 1000 }]);
  });
}
