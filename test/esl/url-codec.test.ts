import { describe, expect, it } from 'vitest';
import { urlDecode, urlEncode } from '../../src/esl/url-codec.js';

describe('urlEncode matches switch_url_encode', () => {
  it.each([
    ['ABCD', 'ABCD'],
    ['fd00::2', 'fd00%3A%3A2'],
    ['Wed, 25 Nov 2026 00:54:14 GMT', 'Wed,%2025%20Nov%202026%2000%3A54%3A14%20GMT'],
    ['50% off', '50%25%20off'], // a % without two hex digits is encoded
    ['50%20off', '50%20off'], // an existing uppercase escape is kept
    ['%2a', '%252a'], // only uppercase hex counts as an existing escape
    ['abc%2', 'abc%252'],
    ['#', '%23'],
    ['a+b', 'a%2Bb'],
    ['José', 'Jos%C3%A9'],
    ['line one\nline two', 'line%20one%0Aline%20two'],
    ['/path/to(file).wav', '/path/to(file).wav'],
    ['x"y', 'x%22y'],
  ])('%j → %j', (input, expected) => {
    expect(urlEncode(input)).toBe(expected);
  });
});

describe('urlDecode never throws', () => {
  it.each([
    ['fd00%3A%3A2', 'fd00::2'],
    ['Jos%C3%A9', 'José'],
    ['%FF%FE', '\uFFFD\uFFFD'],
    ['100%', '100%'],
    ['%zz%4', '%zz%4'],
    ['a+b', 'a+b'],
    ['%E2%82', '\uFFFD'],
  ])('%j → %j', (input, expected) => {
    expect(urlDecode(input)).toBe(expected);
  });

  it('round-trips any string through urlEncode', () => {
    let seed = 7;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    for (let i = 0; i < 2000; i++) {
      const s = Array.from({ length: 1 + Math.floor(rnd() * 20) }, () => String.fromCodePoint(Math.floor(rnd() * 0x2ff))).join('');
      // A literal %XX in the input is kept by the encoder (FreeSWITCH's rule), so it decodes.
      if (/%[0-9A-F]{2}/.test(s)) continue;
      expect(urlDecode(urlEncode(s))).toBe(s);
    }
  });
});
