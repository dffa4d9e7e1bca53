/**
 * What the kernel knows of a UDP socket: on Linux, its row of `/proc/net/udp` (or `udp6`),
 * with the `drops` column — datagrams the kernel discarded because the socket's receive buffer
 * was full. Those never reach the process, so no counter of ours can see them: a media socket
 * that loses caller audio this way shows it only here. Read on demand (a scrape, a stats call),
 * never per datagram.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { endianness } from 'node:os';

/** One socket's row of `/proc/net/udp` or `/proc/net/udp6`. */
export interface KernelUdpSocket {
  /** Local address: dotted IPv4, or IPv6 as eight hexadecimal groups (`0:0:0:0:0:0:0:1`). */
  localAddress: string;
  /** Local port. */
  localPort: number;
  /** Remote address of a connected socket (`0.0.0.0` otherwise), same notation. */
  remoteAddress: string;
  /** Remote port of a connected socket, else 0. */
  remotePort: number;
  /** Bytes waiting in the send queue (`tx_queue`). */
  transmitQueueBytes: number;
  /** Bytes waiting to be read by the process (`rx_queue`): near the receive buffer's size, drops follow. */
  receiveQueueBytes: number;
  /** The socket's inode. */
  inode: number;
  /** Datagrams the kernel dropped for this socket since it was opened (full receive buffer, bad checksum). */
  drops: number;
}

/**
 * Parses the text of `/proc/net/udp` or `/proc/net/udp6`. Rows that do not have the expected
 * shape (a header, a kernel too old for the `drops` column) are skipped.
 */
export function parseProcNetUdp(text: string, littleEndian = endianness() === 'LE'): KernelUdpSocket[] {
  const rows: KernelUdpSocket[] = [];
  for (const line of text.split('\n')) {
    // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ref pointer drops
    const f = line.trim().split(/\s+/);
    if (f.length < 13 || !/^\d+:$/.test(f[0]!)) continue;
    const local = splitEndpoint(f[1]!, littleEndian);
    const remote = splitEndpoint(f[2]!, littleEndian);
    const queues = f[4]!.split(':');
    const drops = Number(f[12]);
    if (!local || !remote || queues.length !== 2 || !Number.isSafeInteger(drops)) continue;
    rows.push({
      localAddress: local.address,
      localPort: local.port,
      remoteAddress: remote.address,
      remotePort: remote.port,
      transmitQueueBytes: parseInt(queues[0]!, 16),
      receiveQueueBytes: parseInt(queues[1]!, 16),
      inode: Number(f[9]),
      drops,
    });
  }
  return rows;
}

/**
 * The kernel's row for the UDP socket bound to `address:port` in this process's network
 * namespace, or `undefined` when there is none or the platform has no `/proc/net/udp` (not
 * Linux).
 * IPv6 addresses match in any spelling (`::1`).
 */
export async function readKernelUdpSocket(
  local: { address: string; port: number },
  family: 'udp4' | 'udp6' = local.address.includes(':') ? 'udp6' : 'udp4',
): Promise<KernelUdpSocket | undefined> {
  if (process.platform !== 'linux') return undefined;
  let text: string;
  try {
    text = await readFile(family === 'udp6' ? '/proc/net/udp6' : '/proc/net/udp', 'latin1');
  } catch {
    return undefined;
  }
  return parseProcNetUdp(text).find((r) => r.localPort === local.port && sameAddress(r.localAddress, local.address));
}

function sameAddress(a: string, b: string): boolean {
  return a === b || (a.includes(':') && b.includes(':') && expandV6(a) === expandV6(b));
}

/** `::1` → `0:0:0:0:0:0:0:1`: one spelling per IPv6 address, to compare. */
function expandV6(address: string): string {
  const [head = '', tail] = address.toLowerCase().split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeros = tail === undefined ? [] : Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0');
  return [...left, ...zeros, ...right].map((g) => parseInt(g, 16).toString(16)).join(':');
}

/** `0100007F:1F90` → `127.0.0.1`, 8080 (each 32-bit word is printed in host byte order). */
function splitEndpoint(text: string, littleEndian: boolean): { address: string; port: number } | undefined {
  const colon = text.indexOf(':');
  if (colon < 0) return undefined;
  const hex = text.slice(0, colon);
  const port = parseInt(text.slice(colon + 1), 16);
  if (!Number.isInteger(port) || !/^[0-9A-Fa-f]+$/.test(hex) || (hex.length !== 8 && hex.length !== 32)) return undefined;
  const bytes: number[] = [];
  for (let w = 0; w < hex.length; w += 8) {
    const word = [0, 2, 4, 6].map((i) => parseInt(hex.slice(w + i, w + i + 2), 16));
    bytes.push(...(littleEndian ? word.reverse() : word));
  }
  if (bytes.length === 4) return { address: bytes.join('.'), port };
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  return { address: groups.join(':'), port };
}
