/**
 * The UDP sockets media is sent from.
 *
 * @module
 */
import { type Socket, createSocket } from 'node:dgram';
import { lookup } from 'node:dns';
import { isIPv4 } from 'node:net';

/**
 * Resolves an IPv4 literal at once, anything else through `dns.lookup`. node:dgram resolves the
 * address of every unconnected `send` (a shared socket's every datagram): with the default
 * lookup even a literal waits for a `process.nextTick`, so each datagram paid a queued tick and
 * two closures, and stayed pending (its buffer in use) until then.
 */
function literalFirst(
  hostname: string,
  options: Parameters<typeof lookup>[1],
  callback: (error: NodeJS.ErrnoException | null, address: string, family: number) => void,
): void {
  if (hostname === lastLiteral || isIPv4(hostname)) {
    lastLiteral = hostname;
    callback(null, hostname, 4);
  } else {
    lookup(hostname, options as never, callback as never);
  }
}

/** The address last found to be a literal: a shared socket sends to a few FreeSWITCH hosts, so this skips most regex tests. */
let lastLiteral = '';

/** An IPv4 UDP socket whose sends to IP addresses go out synchronously (see {@link literalFirst}). */
export function createMediaSocket(): Socket {
  return createSocket({ type: 'udp4', lookup: literalFirst as never });
}
