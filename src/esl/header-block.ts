import { urlDecode } from './url-codec.js';

/**
 * Read-only access to `Name: value` headers.
 *
 * Lookups try the exact name first and then fall back to a case-insensitive match, like
 * FreeSWITCH's own `switch_event_get_header`. When a name occurs twice the first wins.
 */
export interface Headers {
  /** The decoded value of `name`, or `undefined`. */
  get(name: string): string | undefined;
  /** Whether the header is present. */
  has(name: string): boolean;
  /** Every header in wire order, decoded. Materialises all values: prefer {@link Headers.get}. */
  entries(): IterableIterator<[string, string]>;
  /** Number of header lines. */
  readonly size: number;
}

/** `\nName:` needles, encoded once per header name (bounded: names are a small fixed set). */
const NEEDLES = new Map<string, Buffer>();
const MAX_NEEDLES = 4096;

function needleFor(name: string): Buffer {
  let needle = NEEDLES.get(name);
  if (needle === undefined) {
    needle = Buffer.from(`\n${name}:`, 'utf8');
    if (NEEDLES.size < MAX_NEEDLES) NEEDLES.set(name, needle);
  }
  return needle;
}

/**
 * A header block that stays in its bytes until read: {@link LazyHeaders.get} finds a header
 * with one native byte search for `\nName:` and decodes only that value — no line splitting,
 * no map, no decoding of the rest. A handler that reads three
 * headers of a hundred pays for three. Enumerating ({@link LazyHeaders.entries}) or a
 * case-insensitive lookup builds the full index once.
 */
export class LazyHeaders implements Headers {
  private text: string | undefined;
  private folded: string | undefined;
  private index: { names: string[]; values: string[]; byLowerName: Map<string, number> } | undefined;
  private readonly decoded = new Map<string, string | undefined>();

  /**
   * @param buf bytes holding the block
   * @param start offset of the first header line
   * @param end offset just past the last header line (excluding the blank line)
   */
  constructor(
    private readonly buf: Buffer,
    private readonly start: number,
    private readonly end: number,
  ) {}

  get size(): number {
    return this.ensureIndex().names.length;
  }

  get(name: string): string | undefined {
    if (this.decoded.has(name)) return this.decoded.get(name);
    const raw = this.findExact(name) ?? this.findFolded(name);
    const value = raw === undefined ? undefined : urlDecode(raw);
    this.decoded.set(name, value);
    return value;
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  /** The value exactly as sent, without URL decoding (reply frames are not encoded). */
  raw(name: string): string | undefined {
    return this.findExact(name) ?? this.findFolded(name);
  }

  *entries(): IterableIterator<[string, string]> {
    const { names, values } = this.ensureIndex();
    for (let i = 0; i < names.length; i++) yield [names[i]!, urlDecode(values[i]!)];
  }

  private source(): string {
    if (this.text === undefined) {
      let end = this.end;
      if (end > this.start && this.buf[end - 1] === 0x0d) end--;
      this.text = this.buf.toString('utf8', this.start, end);
    }
    return this.text;
  }

  /** The raw value of the first line that starts with exactly `name:`, searched in the bytes. */
  private findExact(name: string): string | undefined {
    const { buf, start, end } = this;
    const needle = needleFor(name);
    // needle is `\nName:`; a match at the very start of the block has no preceding newline.
    if (buf.length >= start + needle.length - 1 && buf.compare(needle, 1, needle.length, start, start + needle.length - 1) === 0) {
      return this.valueAt(start + needle.length - 1);
    }
    const hit = buf.indexOf(needle, start);
    return hit === -1 || hit >= end ? undefined : this.valueAt(hit + needle.length);
  }

  /**
   * A case-insensitive match, as `switch_event_get_header` allows: the block is folded to lower
   * case once (latin1, so string offsets are byte offsets), then searched.
   */
  private findFolded(name: string): string | undefined {
    this.folded ??= this.buf.toString('latin1', this.start, this.end).toLowerCase();
    const needle = `${name.toLowerCase()}:`;
    if (this.folded.startsWith(needle)) return this.valueAt(this.start + needle.length);
    const hit = this.folded.indexOf(`\n${needle}`);
    return hit === -1 ? undefined : this.valueAt(this.start + hit + 1 + needle.length);
  }

  /** The value starting at byte `at` (after `Name:`), up to the end of its line. */
  private valueAt(at: number): string {
    const { buf, end } = this;
    if (buf[at] === 0x20) at++;
    let valueEnd = buf.indexOf(0x0a, at);
    if (valueEnd === -1 || valueEnd > end) valueEnd = end;
    if (valueEnd > at && buf[valueEnd - 1] === 0x0d) valueEnd--;
    return buf.toString('utf8', at, valueEnd);
  }

  private ensureIndex(): { names: string[]; values: string[]; byLowerName: Map<string, number> } {
    if (this.index) return this.index;
    const text = this.source();
    const names: string[] = [];
    const values: string[] = [];
    const byLowerName = new Map<string, number>();
    let pos = 0;
    while (pos < text.length) {
      let nl = text.indexOf('\n', pos);
      if (nl === -1) nl = text.length;
      const colon = text.indexOf(':', pos);
      // A line without a colon carries no header; FreeSWITCH never sends one, so it is skipped.
      if (colon !== -1 && colon < nl) {
        let valueStart = colon + 1;
        if (text.charCodeAt(valueStart) === 0x20) valueStart++;
        let valueEnd = nl;
        if (valueEnd > valueStart && text.charCodeAt(valueEnd - 1) === 0x0d) valueEnd--;
        const name = text.slice(pos, colon);
        const lower = name.toLowerCase();
        if (!byLowerName.has(lower)) byLowerName.set(lower, names.length);
        names.push(name);
        values.push(text.slice(valueStart, Math.max(valueStart, valueEnd)));
      }
      pos = nl + 1;
    }
    this.index = { names, values, byLowerName };
    return this.index;
  }
}

/** Headers already decoded (JSON and XML events, or built by hand). */
export class MapHeaders implements Headers {
  private lower: Map<string, string> | undefined;

  constructor(private readonly map: ReadonlyMap<string, string>) {}

  get size(): number {
    return this.map.size;
  }

  get(name: string): string | undefined {
    const v = this.map.get(name);
    if (v !== undefined) return v;
    if (this.lower === undefined) {
      this.lower = new Map();
      for (const [k, val] of this.map) if (!this.lower.has(k.toLowerCase())) this.lower.set(k.toLowerCase(), val);
    }
    return this.lower.get(name.toLowerCase());
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  entries(): IterableIterator<[string, string]> {
    return this.map.entries();
  }
}
