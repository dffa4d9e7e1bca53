import { describe, expect, it } from 'vitest';
import { TurnTracker, type TurnMetrics } from '../../src/realtime/session-turns.js';

describe('TurnTracker (a long call keeps bounded state)', () => {
  it('10 000 interrupted answers: at most 32 cancelled ids and no open answers are kept, every answer is reported once', () => {
    const reported: TurnMetrics[] = [];
    const turns = new TurnTracker((m) => reported.push(m));
    for (let i = 0; i < 10_000; i++) {
      turns.trigger('caller', i);
      turns.audio(`r${i}`, 100, 0, i + 1);
      turns.bargeIn();
      turns.done(`r${i}`, 'cancelled', { totalTokens: 1 });
    }
    expect(turns.cancelled.size).toBe(32);
    expect(turns.isCancelled('r9999') && !turns.isCancelled('r0')).toBe(true);
    expect(reported).toHaveLength(10_000);
    expect(turns.interruptions).toBe(10_000);
    expect(turns.usage.totalTokens).toBe(10_000);
    turns.close();
    expect(reported).toHaveLength(10_000); // nothing was left open
  });

  it('answers the provider never ends do not pile up: beyond 16 open, the oldest is reported as unknown', () => {
    const reported: TurnMetrics[] = [];
    const turns = new TurnTracker((m) => reported.push(m));
    for (let i = 0; i < 100; i++) turns.audio(`r${i}`, 20, 0);
    expect(reported).toHaveLength(84);
    expect(reported[0]).toMatchObject({ responseId: 'r0', status: 'unknown', trigger: 'provider' });
  });
});
