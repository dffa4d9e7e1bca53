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

const LF = 0x0a;
const CR = 0x0d;
const COLON = 0x3a;
const SPACE = 0x20;

/**
 * A header block that stays in its bytes until read: the first lookup indexes the line
 * offsets (names only), and a value is decoded (UTF-8 + URL decoding) the first time it is read.
 * An event handler that reads three headers of a hundred pays for three.
 */
export class LazyHeaders implements Headers {
  private names: string[] | undefined;
  private offsets: Int32Array | undefined;
  private byName: Map<string, number> | undefined;
  private byLowerName: Map<string, number> | undefined;
  private values: (string | undefined)[] | undefined;

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
    this.ensureIndex();
    return this.names!.length;
  }

  get(name: string): string | undefined {
    const i = this.indexOf(name);
    return i === -1 ? undefined : this.valueAt(i);
  }

  has(name: string): boolean {
    return this.indexOf(name) !== -1;
  }

  *entries(): IterableIterator<[string, string]> {
    this.ensureIndex();
    const names = this.names!;
    for (let i = 0; i < names.length; i++) yield [names[i]!, this.valueAt(i)];
  }

  private indexOf(name: string): number {
    this.ensureIndex();
    const exact = this.byName!.get(name);
    if (exact !== undefined) return exact;
    if (this.byLowerName === undefined) {
      this.byLowerName = new Map();
      const names = this.names!;
      for (let i = 0; i < names.length; i++) {
        const lower = names[i]!.toLowerCase();
        if (!this.byLowerName.has(lower)) this.byLowerName.set(lower, i);
      }
    }
    return this.byLowerName.get(name.toLowerCase()) ?? -1;
  }

  private valueAt(i: number): string {
    const values = this.values!;
    let v = values[i];
    if (v === undefined) {
      const offsets = this.offsets!;
      v = urlDecode(this.buf.toString('utf8', offsets[i * 2]!, offsets[i * 2 + 1]!));
      values[i] = v;
    }
    return v;
  }

  private ensureIndex(): void {
    if (this.names !== undefined) return;
    const { buf, end } = this;
    const names: string[] = [];
    const offsets: number[] = [];
    const byName = new Map<string, number>();
    let pos = this.start;
    while (pos < end) {
      let nl = buf.indexOf(LF, pos);
      if (nl === -1 || nl > end) nl = end;
      const colon = buf.indexOf(COLON, pos);
      if (colon !== -1 && colon < nl) {
        let valueStart = colon + 1;
        if (buf[valueStart] === SPACE) valueStart++;
        let valueEnd = nl;
        if (valueEnd > valueStart && buf[valueEnd - 1] === CR) valueEnd--;
        const name = buf.toString('utf8', pos, colon);
        if (!byName.has(name)) byName.set(name, names.length);
        names.push(name);
        offsets.push(valueStart, Math.max(valueStart, valueEnd));
      }
      // A line without a colon carries no header; FreeSWITCH never sends one, so it is skipped.
      pos = nl + 1;
    }
    this.names = names;
    this.offsets = Int32Array.from(offsets);
    this.byName = byName;
    this.values = new Array<string | undefined>(names.length);
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
