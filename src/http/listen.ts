import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';

/** Starts listening; resolves with the server and the base URL it can be reached at. */
export function listen(app: Express, port: number, host: string): Promise<{ server: Server; url: string }> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, () => {
      // A peer that trickles headers or a body must not hold a connection for Node's default 5 minutes.
      server.headersTimeout = 10_000;
      server.requestTimeout = 30_000;
      const bound = (server.address() as AddressInfo).port;
      resolve({ server, url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${bound}` });
    });
    server.once('error', reject);
  });
}

/** Resolves after `ms`, without keeping the process alive. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)).unref());
}

/** Stops accepting, lets running requests finish until `deadlineMs`, then cuts what is left. */
export async function closeServer(server: Server, deadlineMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  await Promise.race([closed, delay(deadlineMs)]);
  server.closeAllConnections();
}
