import type http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LocalHttpServer {
  port: number;
  /** Stops the server at once, ending every connection, idle or with a request still unanswered. */
  close(): Promise<void>;
}

/**
 * Listens on a free port of 127.0.0.1: the partners the demo and the tests play (webhook
 * receivers, FHIR servers). Their `close()` must not wait: a kept-alive connection of the hub,
 * or a request a test lets hang, would keep `server.close()` waiting forever.
 */
export async function listenLocally(server: http.Server): Promise<LocalHttpServer> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
