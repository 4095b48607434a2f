import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Express } from 'express';
import { listenError } from '../errors.js';

/**
 * Answers a request Node's HTTP parser refused (oversized headers, garbage) with a JSON error body,
 * as every other refusal, then closes the socket.
 */
function answerClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  if (!socket.writable || err.code === 'ECONNRESET') return void socket.destroy();
  const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
  const [status, reason, code, message] = tooLarge
    ? [431, 'Request Header Fields Too Large', 'REQUEST_HEADERS_TOO_LARGE', 'the request headers are too large']
    : [400, 'Bad Request', 'REQUEST_BAD', 'the request could not be parsed as HTTP'];
  const body = JSON.stringify({ error: code, message });
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\n`
    + `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/** Starts listening; resolves with the server and the base URL it can be reached at. */
export function listen(app: Express, port: number, host: string): Promise<{ server: Server; url: string }> {
  return new Promise((resolve, reject) => {
    const server = createServer(app);
    // A peer that trickles headers or a body must not hold a connection for Node's default 5 minutes.
    server.headersTimeout = 10_000;
    server.requestTimeout = 30_000;
    server.on('clientError', answerClientError);
    const failed = (e: unknown): void => reject(listenError(e, host, port));
    server.once('error', failed);
    server.listen(port, host, () => {
      server.off('error', failed);
      const bound = (server.address() as AddressInfo).port;
      resolve({ server, url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${bound}` });
    });
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
