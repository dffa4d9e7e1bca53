import { type AddressInfo, createServer } from 'node:net';

/** A TCP port free on 127.0.0.1 right now (for what cannot listen on port 0, e.g. `ESL_SERVER_PORT`). */
export async function freeTcpPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
