/**
 * FreeSWITCH's URL encoding of header values (`switch_url_encode`), both directions.
 *
 * Decoding never throws: FreeSWITCH passes invalid UTF-8 through percent-encoded (`%FF%FE` in a
 * caller name), and leaves a `%` that does not start an escape as it is. Peer libraries call
 * `decodeURIComponent` directly and crash on such a header.
 *
 * @module
 */

const PERCENT = 0x25;

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  const lower = code | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}

/**
 * Decodes a URL-encoded header value. Valid UTF-8 sequences become their characters, invalid
 * bytes become U+FFFD, a stray `%` stays literal. `+` is not a space (FreeSWITCH encodes spaces
 * as `%20`).
 */
export function urlDecode(value: string): string {
  if (value.indexOf('%') === -1) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return decodeLenient(value);
  }
}

function decodeLenient(value: string): string {
  const bytes = Buffer.from(value, 'utf8');
  const out = Buffer.allocUnsafe(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === PERCENT && i + 2 < bytes.length) {
      const hi = hexValue(bytes[i + 1] ?? 0);
      const lo = hexValue(bytes[i + 2] ?? 0);
      if (hi >= 0 && lo >= 0) {
        out[n++] = (hi << 4) | lo;
        i += 2;
        continue;
      }
    }
    out[n++] = b;
  }
  return out.toString('utf8', 0, n);
}

/** `SWITCH_URL_UNSAFE` from switch_utils.h; bytes below 0x20 and above 0x7E are encoded too. */
const UNSAFE = new Uint8Array(256);
for (let b = 0; b < 256; b++) UNSAFE[b] = b < 0x20 || b > 0x7e ? 1 : 0;
for (const ch of '\r\n #%&+:;<=>?@[\\]^`{|}"') UNSAFE[ch.charCodeAt(0)] = 1;

const HEX_UPPER = '0123456789ABCDEF';

function isUpperHex(code: number | undefined): boolean {
  return code !== undefined && ((code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x46));
}

/**
 * Encodes a header value exactly as FreeSWITCH's `switch_url_encode` does before it writes a
 * plain event: unsafe bytes become `%XX` (uppercase hex); an existing escape (`%` and two
 * uppercase hex digits) is kept as it is.
 */
export function urlEncode(value: string): string {
  let i = 0;
  while (i < value.length) {
    const c = value.charCodeAt(i);
    if (c > 0x7e || UNSAFE[c] === 1) break;
    i++;
  }
  if (i === value.length) return value;
  const bytes = Buffer.from(value, 'utf8');
  let out = '';
  for (let j = 0; j < bytes.length; j++) {
    const b = bytes[j]!;
    if (UNSAFE[b] === 0 || (b === PERCENT && isUpperHex(bytes[j + 1]) && isUpperHex(bytes[j + 2]))) {
      out += String.fromCharCode(b);
    } else {
      out += `%${HEX_UPPER[b >> 4]}${HEX_UPPER[b & 15]}`;
    }
  }
  return out;
}
