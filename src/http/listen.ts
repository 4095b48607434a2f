import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Express } from 'express';
import type { ErrorCode } from '../errors.js';
import { listenError } from '../errors.js';
import type { Logger } from '../log.js';
import { MAX_BODY_BYTES } from './body.js';
import { markRefusedByParser, refusedAtParser } from './refusals.js';

/** How long a peer may take; a peer that trickles headers or a body must not hold a connection for minutes. */
export interface ListenOptions {
  log: Logger;
  /** Until the headers are complete (default 10 s). */
  headersTimeoutMs?: number;
  /** Until the whole request, body included, is complete (default 30 s): then 408 REQUEST_TIMEOUT. */
  requestTimeoutMs?: number;
}

type Refusal = readonly [status: number, reason: string, code: ErrorCode, message: string];

/** What Node's HTTP parser refused, as the refusal we answer. */
function refusalOf(err: NodeJS.ErrnoException): Refusal {
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW':
      return [431, 'Request Header Fields Too Large', 'REQUEST_HEADERS_TOO_LARGE', 'the request headers are too large'];
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return [408, 'Request Timeout', 'REQUEST_TIMEOUT', 'the request did not arrive in time'];
    case 'HPE_INVALID_EOF_STATE':
      return [400, 'Bad Request', 'BODY_INCOMPLETE', 'the connection ended before the whole request arrived'];
    default:
      return [400, 'Bad Request', 'REQUEST_BAD', 'the request could not be parsed as HTTP'];
  }
}

/** A JSON refusal written straight to the socket (there is no request object to answer through), then closed. */
function writeRefusal(socket: Socket, [status, reason, code, message]: Refusal): void {
  const body = JSON.stringify({ error: code, message });
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\n`
    + `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/**
 * Answers a request Node's HTTP parser refused (oversized headers, garbage, a body cut short, too slow)
 * with a JSON error body and one log line, as every other refusal, then closes the socket. A peer that
 * reset the connection gets nothing: nobody is left to read it.
 */
function answerClientError(err: NodeJS.ErrnoException, socket: Socket, log: Logger): void {
  // A reset peer is gone; a socket already refused (a timeout, then the peer's early end) is answered.
  if (err.code === 'ECONNRESET' || refusedAtParser(socket)) return void socket.destroy();
  const refusal = refusalOf(err);
  markRefusedByParser(socket);
  log.warn(`request refused: ${refusal[3]}`, { code: refusal[2], status: refusal[0], parser: err.code });
  if (!socket.writable) return void socket.destroy();
  writeRefusal(socket, refusal);
}

function answerJson(res: ServerResponse, status: number, code: ErrorCode, message: string): void {
  const body = JSON.stringify({ error: code, message });
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), connection: 'close' });
  res.end(body);
}

/** Starts listening; resolves with the server and the base URL it can be reached at. */
export function listen(app: Express, port: number, host: string, opts: ListenOptions): Promise<{ server: Server; url: string }> {
  const { log } = opts;
  return new Promise((resolve, reject) => {
    const requestTimeout = opts.requestTimeoutMs ?? 30_000;
    // Node looks for timed-out requests every `connectionsCheckingInterval` (default 30 s, which would let a
    // 30 s timeout run to a minute): a tenth of the timeout, at most a second.
    const server = createServer({ connectionsCheckingInterval: Math.max(50, Math.min(1000, requestTimeout / 10)) }, app);
    server.headersTimeout = opts.headersTimeoutMs ?? 10_000;
    server.requestTimeout = requestTimeout;
    server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => answerClientError(err, socket, log));
    // `Expect: 100-continue` (curl and other HTTP clients send it for larger bodies; whether the platform's sender does is not documented): invite the body only when a route could
    // read it; refuse a larger declared one before it is sent.
    server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
      if (Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES) {
        log.warn(`request refused: body exceeds ${MAX_BODY_BYTES} bytes`, { code: 'BODY_TOO_LARGE', status: 413, method: req.method, path: req.url?.split('?')[0] });
        return answerJson(res, 413, 'BODY_TOO_LARGE', `body exceeds ${MAX_BODY_BYTES} bytes`);
      }
      res.writeContinue();
      app(req, res);
    });
    server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => {
      log.warn('request refused: unsupported Expect header', { code: 'EXPECTATION_FAILED', status: 417, method: req.method, path: req.url?.split('?')[0] });
      answerJson(res, 417, 'EXPECTATION_FAILED', 'only Expect: 100-continue is supported');
    });
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
