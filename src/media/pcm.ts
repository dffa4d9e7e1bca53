/**
 * 16-bit PCM between bytes and samples. FreeSWITCH's `unicast` L16 is little-endian (host
 * order on every platform Node runs on in practice); RTP's L16 is network order (big-endian).
 *
 * @module
 */

const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Little-endian bytes as samples. A **view** of the same memory (no copy) when the bytes start
 * at an even offset on a little-endian host; a copy otherwise. An odd trailing byte is ignored.
 */
export function pcmFromLE(bytes: Uint8Array): Int16Array {
  const n = bytes.length >> 1;
  if (HOST_IS_LITTLE_ENDIAN && (bytes.byteOffset & 1) === 0) return new Int16Array(bytes.buffer, bytes.byteOffset, n);
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = (bytes[2 * i]! | (bytes[2 * i + 1]! << 8)) << 16 >> 16;
  return out;
}

/** Samples as little-endian bytes: a **view** of the same memory on a little-endian host. */
export function pcmToLE(samples: Int16Array): Buffer {
  if (HOST_IS_LITTLE_ENDIAN) return Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
  const out = Buffer.allocUnsafe(samples.length * 2);
  for (let i = 0; i < samples.length; i++) out.writeInt16LE(samples[i]!, 2 * i);
  return out;
}

/** Big-endian (network order, RTP L16) bytes as samples, into `out` when given. Always a copy. */
export function pcmFromBE(bytes: Uint8Array, out: Int16Array = new Int16Array(bytes.length >> 1)): Int16Array {
  const n = Math.min(bytes.length >> 1, out.length);
  for (let i = 0; i < n; i++) out[i] = ((bytes[2 * i]! << 8) | bytes[2 * i + 1]!) << 16 >> 16;
  return n === out.length ? out : out.subarray(0, n);
}

/** Samples as big-endian (network order) bytes, into `out` when given. Always a copy. */
export function pcmToBE(samples: Int16Array, out: Uint8Array = new Uint8Array(samples.length * 2)): Uint8Array {
  const n = Math.min(samples.length, out.length >> 1);
  for (let i = 0; i < n; i++) {
    const s = samples[i]!;
    out[2 * i] = (s >> 8) & 0xff;
    out[2 * i + 1] = s & 0xff;
  }
  return out;
}

/**
 * A copy of `data`'s bytes (samples keep host order) in a Buffer from Node's pool: cheap to
 * allocate, the caller's to keep.
 */
export function copyToBuffer(data: ArrayBufferView): Buffer {
  const out = Buffer.allocUnsafe(data.byteLength);
  out.set(data instanceof Uint8Array ? data : new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  return out;
}
