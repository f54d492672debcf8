import { connect, createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP load balancer for tests: each new connection goes to the server it points at now, as a
 * balancer would send a reconnecting client to whichever server it picks. `to(port)` changes
 * where new connections go; open ones stay where they are (a real balancer does not move them).
 */
export async function startBalancer(firstPort: number) {
  let target = firstPort;
  const open = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(target, '127.0.0.1');
    for (const s of [client, upstream]) {
      open.add(s);
      // Either side closing or failing ends both: nothing is left half open.
      s.on('close', () => {
        open.delete(s);
        client.destroy();
        upstream.destroy();
      });
      s.on('error', () => s.destroy());
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    /** Sends new connections to the server on `port`. */
    to(next: number) {
      target = next;
    },
    close() {
      for (const s of open) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
