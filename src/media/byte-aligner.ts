/**
 * Whole units (a PCM16 sample, a 20 ms frame) of a byte stream that arrives in chunks of any
 * size: provider audio is cut anywhere, and a sample split in two would shift every sample after
 * it into noise. Used on the answer path of both transports and by the scripted provider.
 *
 * @module
 * @internal
 */

/** Cuts a chunked byte stream into whole `unit`-byte units; the remainder waits for the next chunk. */
export class ByteAligner {
  private carry: Uint8Array | undefined;

  /** @param unit - bytes of one unit (2 for PCM16 samples). */
  constructor(private readonly unit: number) {}

  /**
   * The whole units of what was carried followed by `chunk`: `chunk` itself or a view of it when
   * nothing was carried (a copy only to join a carry). May be empty.
   */
  push(chunk: Uint8Array): Uint8Array {
    let bytes = chunk;
    const carry = this.carry;
    if (carry) {
      bytes = new Uint8Array(carry.length + chunk.length);
      bytes.set(carry);
      bytes.set(chunk, carry.length);
      this.carry = undefined;
    }
    const rest = bytes.length % this.unit;
    if (rest === 0) return bytes;
    this.carry = bytes.slice(bytes.length - rest);
    return bytes.subarray(0, bytes.length - rest);
  }

  /** Drops what is carried (barge-in: the rest of that answer is not played). */
  reset(): void {
    this.carry = undefined;
  }
}
