import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { compileAllowList } from '../../src/esl/ip-allowlist.js';

describe('compileAllowList', () => {
  it('matches addresses and CIDR blocks, IPv4 seen as IPv4-mapped IPv6 included', () => {
    const allowed = compileAllowList(['10.0.0.0/8', '192.168.1.7', 'fd00::/8']);
    expect(allowed('10.200.3.4')).toBe(true);
    expect(allowed('::ffff:10.1.2.3')).toBe(true);
    expect(allowed('192.168.1.7')).toBe(true);
    expect(allowed('192.168.1.8')).toBe(false);
    expect(allowed('fd00::2')).toBe(true);
    expect(allowed('fe80::1')).toBe(false);
    expect(allowed('127.0.0.1')).toBe(false);
    expect(allowed(undefined)).toBe(false);
    expect(allowed('not an ip')).toBe(false);
  });

  it('allows everyone without a list, and takes a function', () => {
    expect(compileAllowList(undefined)('203.0.113.9')).toBe(true);
    const only = compileAllowList((ip) => ip === '127.0.0.1');
    expect(only('127.0.0.1')).toBe(true);
    expect(only(undefined)).toBe(false);
  });

  it('names the bad entry', () => {
    for (const bad of ['10.0.0.0/33', 'example.org', '10.0.0.1/8/1', '::1/129', '']) {
      expect(() => compileAllowList([bad])).toThrow(ConfigError);
    }
    expect(() => compileAllowList(['10.0.0.0/x'])).toThrow(/10\.0\.0\.0\/x/);
  });
});
