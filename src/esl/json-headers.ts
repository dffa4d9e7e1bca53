import type { Headers } from './header-block.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const COMMA = 0x2c;

/** `"Name":` needles, encoded once per header name. */
const NEEDLES = new Map<string, Buffer>();
const MAX_NEEDLES = 4096;

function needleFor(name: string): Buffer {
  let needle = NEEDLES.get(name);
  if (needle === undefined) {
    needle = Buffer.from(JSON.stringify(name) + ':', 'utf8');
    if (NEEDLES.size < MAX_NEEDLES) NEEDLES.set(name, needle);
  }
  return needle;
}

function isSpace(b: number | undefined): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;
}

/** Whether the bytes can be a JSON object at all (`{ ... }`): the cheap check before any parse. */
export function looksLikeJsonObject(buf: Buffer): boolean {
  let a = 0;
  let z = buf.length - 1;
  while (a <= z && isSpace(buf[a])) a++;
  while (z >= a && isSpace(buf[z])) z--;
  return buf[a] === OPEN_BRACE && buf[z] === 0x7d;
}

/**
 * The headers of a `text/event-json` event, read from the bytes on demand: `get('Unique-ID')`
 * finds `"Unique-ID":` with one native search (an unescaped quote cannot occur inside a JSON
 * string, so the match is exact) and decodes only that string. Enumeration, a case-insensitive
 * lookup or a non-string value parse the whole object once. Array values (multi-value
 * headers) read as FreeSWITCH's plain format writes them: `ARRAY::a|:b`.
 */
export class LazyJsonHeaders implements Headers {
  private full: Map<string, string> | undefined;
  private lower: Map<string, string> | undefined;
  private readonly cache = new Map<string, string | undefined>();

  constructor(private readonly buf: Buffer) {}

  get size(): number {
    return this.parsed().size;
  }

  get(name: string): string | undefined {
    if (this.cache.has(name)) return this.cache.get(name);
    let value = this.find(name);
    if (value === undefined) value = this.parsed().get(name) ?? this.folded().get(name.toLowerCase());
    this.cache.set(name, value);
    return value;
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  entries(): IterableIterator<[string, string]> {
    return this.parsed().entries();
  }

  /** The string value of `"name":`, or `undefined` when absent or not a plain string. */
  private find(name: string): string | undefined {
    const { buf } = this;
    const needle = needleFor(name);
    let hit = buf.indexOf(needle);
    while (hit !== -1) {
      let before = hit - 1;
      while (before >= 0 && isSpace(buf[before])) before--;
      if (buf[before] === OPEN_BRACE || buf[before] === COMMA) break;
      hit = buf.indexOf(needle, hit + 1);
    }
    if (hit === -1) return undefined;
    let at = hit + needle.length;
    while (isSpace(buf[at])) at++;
    if (buf[at] !== QUOTE) return undefined; // an array or a number: the full parse handles it
    let end = at + 1;
    for (;;) {
      end = buf.indexOf(QUOTE, end);
      if (end === -1) return undefined;
      let slashes = 0;
      for (let i = end - 1; buf[i] === BACKSLASH; i--) slashes++;
      if (slashes % 2 === 0) break;
      end++;
    }
    const backslash = buf.indexOf(BACKSLASH, at + 1);
    if (backslash === -1 || backslash > end) return buf.toString('utf8', at + 1, end);
    try {
      return JSON.parse(buf.toString('utf8', at, end + 1)) as string;
    } catch {
      return undefined;
    }
  }

  private parsed(): Map<string, string> {
    if (this.full) return this.full;
    const map = new Map<string, string>();
    let obj: unknown;
    try {
      obj = JSON.parse(this.buf.toString('utf8'));
    } catch {
      obj = undefined;
    }
    if (obj !== null && typeof obj === 'object' && !Array.isArray(obj)) {
      for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
        if (k === '_body') continue; // the event's body, not a header
        map.set(k, Array.isArray(v) ? `ARRAY::${v.join('|:')}` : typeof v === 'string' ? v : JSON.stringify(v));
      }
    }
    this.full = map;
    return map;
  }

  private folded(): Map<string, string> {
    if (!this.lower) {
      this.lower = new Map();
      for (const [k, v] of this.parsed()) if (!this.lower.has(k.toLowerCase())) this.lower.set(k.toLowerCase(), v);
    }
    return this.lower;
  }
}
