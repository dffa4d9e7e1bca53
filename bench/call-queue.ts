/**
 * An outbound server on 127.0.0.1 for a benchmark that places calls through the simulator and
 * takes each call object in arrival order (`bench/session.ts`, `bench/ws-media.ts`).
 */
import { type OutboundCall, type OutboundServer, createOutboundServer } from '../src/esl/index.js';

/** The server, its port, and the next call to arrive. */
export interface CallQueue {
  server: OutboundServer;
  port: number;
  /** Resolves with the oldest call not taken yet (waiting for one to arrive). */
  next(): Promise<OutboundCall>;
}

/** Starts the server; its calls wait in {@link CallQueue.next}'s queue. */
export async function callQueue(): Promise<CallQueue> {
  const queue: OutboundCall[] = [];
  let wake: (() => void) | undefined;
  const server = createOutboundServer({ host: '127.0.0.1', port: 0, maxConnections: 100 }, (c) => {
    queue.push(c);
    wake?.();
  });
  const { port } = await server.listen();
  return {
    server,
    port,
    next: async () => {
      while (queue.length === 0) await new Promise<void>((r) => (wake = r));
      return queue.shift()!;
    },
  };
}
