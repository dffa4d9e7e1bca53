/**
 * The network probes of `doctor`: does a name resolve, does a TCP port answer (and how it
 * fails: refused, dropped, unreachable), can we listen on a port, how many UDP ports of a range
 * can be bound.
 */
import { createSocket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { connect, createServer, isIP, type Server } from 'node:net';

/** The addresses a host name resolves to; `undefined` when it does not. */
export async function resolveHost(host: string): Promise<string | undefined> {
  if (isIP(host)) return host;
  try {
    return (await lookup(host)).address;
  } catch {
    return undefined;
  }
}

/** How a TCP connection attempt went. */
export type TcpOutcome = { ok: true } | { ok: false; reason: 'refused' | 'timeout' | 'unreachable' | 'other'; code: string };

/** Opens (and closes) a TCP connection to `host:port`. */
export function probeTcp(host: string, port: number, timeoutMs: number): Promise<TcpOutcome> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => finish({ ok: false, reason: 'timeout', code: 'ETIMEDOUT' }), timeoutMs);
    const finish = (outcome: TcpOutcome): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    socket.once('connect', () => finish({ ok: true }));
    socket.once('error', (error: NodeJS.ErrnoException) => {
      const code = error.code ?? 'ERROR';
      const reason = code === 'ECONNREFUSED' ? 'refused' : code === 'EHOSTUNREACH' || code === 'ENETUNREACH' ? 'unreachable' : code === 'ETIMEDOUT' ? 'timeout' : 'other';
      finish({ ok: false, reason, code });
    });
  });
}

/** Tries to listen on `host:port`: the server (keep it, close it), or why not (`EADDRINUSE`, `EACCES`, ...). */
export function tryListen(host: string, port: number): Promise<{ server: Server } | { code: string }> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve({ code: error.code ?? 'ERROR' }));
    server.listen(port, host, () => resolve({ server }));
  });
}

/** Binds each UDP port of `min..max` on `address` and releases it: how many were free, and the first error otherwise. */
export async function probeUdpRange(address: string, min: number, max: number): Promise<{ free: number; total: number; inUse: number; error: string | undefined }> {
  let free = 0;
  let inUse = 0;
  let error: string | undefined;
  for (let port = min; port <= max; port++) {
    const socket = createSocket('udp4');
    const code = await new Promise<string | undefined>((resolve) => {
      socket.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'ERROR'));
      socket.bind(port, address, () => resolve(undefined));
    });
    socket.close();
    if (code === undefined) free++;
    else if (code === 'EADDRINUSE') inUse++;
    else error ??= code;
  }
  return { free, total: max - min + 1, inUse, error };
}
