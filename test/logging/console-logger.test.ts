import { afterEach, describe, expect, it, vi } from 'vitest';
import { EventEmitter } from 'eventemitter3';
import { EslAuthError, EslConnectionError } from '../../src/errors.js';
import { reportError, reportRepeatedError } from '../../src/error-reporting.js';
import { ThrottledLog } from '../../src/log-throttle.js';
import { type Logger, consoleLogger, defaultLogger } from '../../src/logger.js';

/** A stream that keeps what is written. */
function memoryStream(): { write(line: string): void; lines: string[] } {
  const lines: string[] = [];
  return { lines, write: (line) => void lines.push(line) };
}

/** A logger that records calls. */
function recording(): Logger & { calls: { level: string; fields: object; message: string }[] } {
  const calls: { level: string; fields: object; message: string }[] = [];
  const at =
    (level: string) =>
    (a: object | string, b?: string): void =>
      void calls.push({ level, fields: typeof a === 'string' ? {} : a, message: typeof a === 'string' ? a : (b ?? '') });
  return { calls, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe('defaultLogger', () => {
  it('writes warn and error to stderr, one line each, and nothing for debug and info', () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    defaultLogger.debug({ a: 1 }, 'debug line');
    defaultLogger.info('info line');
    defaultLogger.warn({ remoteAddress: '10.1.2.3' }, 'outbound connection refused');
    defaultLogger.error('it broke');
    const lines = stderr.mock.calls.map(([chunk]) => String(chunk));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z freeswitch-voice-ai warn: outbound connection refused \{"remoteAddress":"10\.1\.2\.3"\}\n$/);
    expect(lines[1]).toMatch(/ freeswitch-voice-ai error: it broke\n$/);
  });
});

describe('consoleLogger', () => {
  it('writes from its level up', () => {
    const out = memoryStream();
    const log = consoleLogger({ level: 'info', stream: out });
    log.debug('no');
    log.info('yes');
    log.warn('yes');
    consoleLogger({ level: 'silent', stream: out }).error('no');
    expect(out.lines.map((l) => l.replace(/^\S+ /, ''))).toEqual(['freeswitch-voice-ai info: yes\n', 'freeswitch-voice-ai warn: yes\n']);
  });

  it('keeps an entry on one line, describes errors with code and cause, and never writes a secret field', () => {
    const out = memoryStream();
    const cause = new EslAuthError('FreeSWITCH refused the login (-ERR invalid); check ESL_PASSWORD', '-ERR invalid');
    const err = new EslConnectionError('gave up\nreconnecting', { cause });
    const circular: Record<string, unknown> = { name: 'x' };
    circular.self = circular;
    consoleLogger({ stream: out }).error(
      { err, password: 'hunter2', apiKey: 'sk-123', nested: { authorization: 'Bearer sk-123', token: 't' }, circular, n: 10n },
      'first\nsecond',
    );
    expect(out.lines).toHaveLength(1);
    const line = out.lines[0]!;
    expect(line.endsWith('\n')).toBe(true);
    expect(line.slice(0, -1)).not.toContain('\n');
    expect(line).toContain('error: first\\nsecond {');
    expect(line).not.toMatch(/hunter2|sk-123/);
    const fields = JSON.parse(line.slice(line.indexOf('{')));
    expect(fields).toMatchObject({ password: '***', apiKey: '***', nested: { authorization: '***', token: '***' }, circular: { self: '[Circular]' }, n: '10' });
    expect(fields.err).toBe(
      'EslConnectionError [ESL_CONNECTION]: gave up\nreconnecting (cause: EslAuthError [ESL_AUTH_FAILED]: FreeSWITCH refused the login (-ERR invalid); check ESL_PASSWORD)',
    );
  });

  it('never throws, even when its stream does', () => {
    const log = consoleLogger({
      stream: {
        write() {
          throw new Error('EPIPE');
        },
      },
    });
    expect(() => log.error({ a: 1 }, 'x')).not.toThrow();
  });
});

describe('reportError', () => {
  it('emits to listeners when there are some, and logs at error (once) when there are none', () => {
    const emitter = new EventEmitter<{ error: [Error, string] }>();
    const log = recording();
    const failure = new Error('boom');
    expect(reportError(emitter, failure, log, { uuid: 'u1' }, 'extra')).toBe(false);
    expect(log.calls).toEqual([{ level: 'error', fields: { uuid: 'u1', err: failure }, message: 'unhandled Error: boom' }]);
    const heard: unknown[][] = [];
    emitter.on('error', (...args) => heard.push(args));
    expect(reportError(emitter, failure, log, {}, 'extra')).toBe(true);
    expect(heard).toEqual([[failure, 'extra']]);
    expect(log.calls).toHaveLength(1);
  });

  it('a repeated failure without a listener is logged bounded', () => {
    const emitter = new EventEmitter<{ error: [Error] }>();
    const log = recording();
    const throttle = new ThrottledLog(log, { level: 'warn', message: 'socket error' });
    for (let i = 0; i < 100; i++) reportRepeatedError(emitter, new Error(`e${i}`), throttle);
    throttle.flush();
    expect(log.calls.map((c) => c.message)).toEqual(['socket error', 'socket error (99 more within 60 s)']);
    expect(log.calls[1]!.fields).toMatchObject({ suppressed: 99 });
  });
});

describe('ThrottledLog', () => {
  it('logs the first at once, then one count per interval while the flood lasts, then stops', () => {
    vi.useFakeTimers();
    const log = recording();
    const throttle = new ThrottledLog(log, { level: 'warn', message: 'refused', intervalMs: 1000 });
    throttle.log({ remoteAddress: 'a' });
    for (let i = 0; i < 500; i++) throttle.log({ remoteAddress: `b${i}` });
    expect(log.calls).toHaveLength(1);
    vi.advanceTimersByTime(1000);
    expect(log.calls[1]).toEqual({ level: 'warn', fields: { remoteAddress: 'b499', suppressed: 500 }, message: 'refused (500 more within 1 s)' });
    throttle.log({ remoteAddress: 'c' });
    vi.advanceTimersByTime(1000);
    expect(log.calls).toHaveLength(3);
    vi.advanceTimersByTime(5000); // a quiet window ends the throttling
    throttle.log({ remoteAddress: 'd' });
    expect(log.calls.map((c) => c.message)).toEqual(['refused', 'refused (500 more within 1 s)', 'refused (1 more within 1 s)', 'refused']);
    expect(throttle.total).toBe(503);
    throttle.flush();
  });
});
