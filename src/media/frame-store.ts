/**
 * The frames waiting in a jitter buffer, kept in sequence order in storage of their own.
 *
 * @module
 */

/**
 * Frames by extended sequence number, oldest first, in a ring of buffers the store owns: a
 * frame is copied in on {@link FrameStore.insert}, so a received datagram is garbage as soon as
 * its handler returns (datagrams held ~100 ms would outlive young-generation collections and
 * make every one of them, and the old generation, pay for them). In steady state nothing is
 * allocated: each slot's buffer is reused while frames keep their size.
 *
 * Out-of-order frames are placed by moving the newer ones one slot up (a reordered frame is
 * rarely more than a few slots from the end).
 */
export class FrameStore {
  private seqs: Float64Array;
  private bufs: (Uint8Array | undefined)[];
  private head = 0;
  private count = 0;

  /** `capacity`: frames held before the ring grows (the jitter buffer bounds its depth below it). */
  constructor(capacity: number) {
    this.seqs = new Float64Array(Math.max(1, capacity));
    this.bufs = new Array<Uint8Array | undefined>(this.seqs.length);
  }

  /** Frames held. */
  get size(): number {
    return this.count;
  }

  /** The oldest frame's sequence number; `Infinity` when empty. */
  get oldest(): number {
    return this.count === 0 ? Infinity : this.seqs[this.head]!;
  }

  /** Whether frame `seq` is held. */
  has(seq: number): boolean {
    for (let i = this.count - 1; i >= 0; i--) {
      const s = this.seqs[this.at(i)]!;
      if (s === seq) return true;
      if (s < seq) return false;
    }
    return false;
  }

  /** Copies `payload` in as frame `seq` (not already held). */
  insert(seq: number, payload: Uint8Array): void {
    if (this.count === this.seqs.length) this.grow();
    const free = this.at(this.count);
    let buf = this.bufs[free];
    if (buf === undefined || buf.length !== payload.length) buf = new Uint8Array(payload.length);
    buf.set(payload);
    let i = this.count;
    for (; i > 0; i--) {
      const below = this.at(i - 1);
      if (this.seqs[below]! < seq) break;
      const to = this.at(i);
      this.seqs[to] = this.seqs[below]!;
      this.bufs[to] = this.bufs[below];
    }
    const to = this.at(i);
    this.seqs[to] = seq;
    this.bufs[to] = buf;
    this.count++;
  }

  /**
   * Removes the oldest frame and returns its buffer, which is the caller's from now on; `spare`
   * (a buffer the caller is done with) becomes storage for a later frame.
   */
  shift(spare?: Uint8Array): Uint8Array {
    const buf = this.bufs[this.head]!;
    this.bufs[this.head] = spare;
    this.head = this.at(1);
    this.count--;
    return buf;
  }

  /** Drops the oldest frame (its buffer stays for reuse). */
  dropOldest(): void {
    if (this.count === 0) return;
    this.head = this.at(1);
    this.count--;
  }

  /** Drops every frame (buffers stay for reuse). */
  clear(): void {
    this.head = 0;
    this.count = 0;
  }

  private at(i: number): number {
    const p = this.head + i;
    return p < this.seqs.length ? p : p - this.seqs.length;
  }

  private grow(): void {
    const n = this.seqs.length;
    const seqs = new Float64Array(n * 2);
    const bufs = new Array<Uint8Array | undefined>(n * 2);
    for (let i = 0; i < n; i++) {
      seqs[i] = this.seqs[this.at(i)]!;
      bufs[i] = this.bufs[this.at(i)];
    }
    this.seqs = seqs;
    this.bufs = bufs;
    this.head = 0;
  }
}
