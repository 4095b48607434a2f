import { once } from 'node:events';
import { createServer, connect, type Socket } from 'node:net';

/** A TCP pass-through to a service that a test can cut (every connection dropped, new ones cut at once) and restore. */
export interface TcpGate {
  /** The port clients connect to (stable across down/up). */
  port: number;
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Opens a gate on 127.0.0.1 forwarding to `targetHost:targetPort`. While down it keeps its port (closing and
 * listening again on the same port can fail with EADDRINUSE once the port went to an outgoing connection)
 * and destroys every connection it accepts, which clients see as the service being unreachable.
 */
export async function openTcpGate(targetHost: string, targetPort: number): Promise<TcpGate> {
  const sockets = new Set<Socket>();
  let open = true;
  const server = createServer((client) => {
    if (!open) return void client.destroy();
    const upstream = connect(targetPort, targetHost);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  const cut = (): void => {
    open = false;
    for (const sock of sockets) sock.destroy();
  };
  return {
    port,
    down: async () => cut(),
    up: async () => {
      open = true;
    },
    close: async () => {
      cut();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
