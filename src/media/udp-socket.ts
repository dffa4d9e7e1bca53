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
  if (isIPv4(hostname)) callback(null, hostname, 4);
  else lookup(hostname, options as never, callback as never);
}

/** An IPv4 UDP socket whose sends to IP addresses go out synchronously (see {@link literalFirst}). */
export function createMediaSocket(): Socket {
  return createSocket({ type: 'udp4', lookup: literalFirst as never });
}
