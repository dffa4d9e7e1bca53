import type { Headers } from './header-block.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;

/**
 * Deepest nesting of arrays and objects kept in a JSON event, the event's own object counting
 * as 1. FreeSWITCH writes 2 at most (a multi-value header is an array of strings). A header
 * nested deeper is left out of the event — every other header and the body are kept — and the
 * connection counts it (`stats.nestingCut`): converting it to text would recurse that deep and
 * throw `RangeError` in `get()`, `toJSON()` or `size`.
 */
export const MAX_JSON_EVENT_DEPTH = 32;

/**
 * Whether JSON text nests arrays/objects deeper than `limit` (brackets inside strings do not
 * count). Nearly free for a FreeSWITCH event: text with fewer brackets than the limit is not
 * scanned at all.
 */
export function jsonNestingExceeds(buf: Buffer, limit: number = MAX_JSON_EVENT_DEPTH): boolean {
  let opens = 0;
  for (let at = buf.indexOf(OPEN_BRACKET); at !== -1 && opens <= limit; at = buf.indexOf(OPEN_BRACKET, at + 1)) opens++;
  for (let at = buf.indexOf(OPEN_BRACE); at !== -1 && opens <= limit; at = buf.indexOf(OPEN_BRACE, at + 1)) opens++;
  if (opens <= limit) return false;
  let depth = 0;
  for (let i = 0; i < buf.length; i++) {
    const b = buf[i];
    if (b === QUOTE) {
      // Skip the string: to the next quote not escaped by a backslash.
      for (i++; i < buf.length && buf[i] !== QUOTE; i++) if (buf[i] === BACKSLASH) i++;
    } else if (b === OPEN_BRACKET || b === OPEN_BRACE) {
      if (++depth > limit) return true;
    } else if (b === CLOSE_BRACKET || b === CLOSE_BRACE) {
      depth--;
    }
  }
  return false;
}

/** Whether a parsed header value (at depth 2: inside the event's object) nests deeper than `limit`. Iterative. */
function nestsDeeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 2]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth > limit) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return false;
}

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
 * headers) read as FreeSWITCH's plain format writes them: `ARRAY::a|:b`. A header nested
 * deeper than {@link MAX_JSON_EVENT_DEPTH} is left out.
 */
export class LazyJsonHeaders implements Headers {
  private full: Map<string, string> | undefined;
  private lower: Map<string, string> | undefined;
  private cut = 0;
  private readonly cache = new Map<string, string | undefined>();

  constructor(private readonly buf: Buffer) {}

  get size(): number {
    return this.parsed().size;
  }

  /** Headers left out for nesting deeper than {@link MAX_JSON_EVENT_DEPTH} (parses the event). */
  get nestingCut(): number {
    this.parsed();
    return this.cut;
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
        if (v !== null && typeof v === 'object' && nestsDeeperThan(v, MAX_JSON_EVENT_DEPTH)) {
          this.cut++;
          continue;
        }
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
