import { EventEmitter } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { startEmulator, type Emulator, type EmulatorOptions } from '../src/index.js';
import { createLogger } from '../src/log.js';
import { encodePhpForm, parsePhpForm, type FormObject } from '../src/php-form.js';

/** Starts an emulator with a silent logger. */
export function emulator(opts: EmulatorOptions = {}): Promise<Emulator> {
  return startEmulator({ log: createLogger({ silent: true }), ...opts });
}

/** A REST answer: status and parsed JSON (or `raw` text). */
export interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/** How the params travel: a JSON body, a PHP-bracket form body, or the query string of a GET. */
export type Encoding = 'json' | 'form' | 'query';

/** Calls `<base><method>` with `params` encoded as asked. */
export async function call(base: string, method: string, params: Record<string, unknown> = {}, encoding: Encoding = 'json'): Promise<Answer> {
  const url = `${base}${method}`;
  const res = encoding === 'query'
    ? await request(`${url}?${encodePhpForm(params)}`, { method: 'GET' })
    : await request(url, {
      method: 'POST',
      body: encoding === 'json' ? JSON.stringify(params) : encodePhpForm(params),
      headers: { 'content-type': encoding === 'json' ? 'application/json' : 'application/x-www-form-urlencoded' },
    });
  const text = await res.body.text();
  try {
    return { status: res.statusCode, body: JSON.parse(text) as Record<string, unknown> };
  } catch {
    return { status: res.statusCode, body: { raw: text } };
  }
}

/** The `result` of an answer as a record. */
export function result(a: Answer): Record<string, unknown> {
  return a.body['result'] as Record<string, unknown>;
}

/** One request a {@link Receiver} got. */
export interface Received {
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  form: FormObject;
}

/** A tiny loopback HTTP server standing in for a bot's handler. */
export interface Receiver {
  url: string;
  received: Received[];
  /** The HTTP status to answer with. */
  status: number;
  /** Resolves once `count` requests have arrived (event-driven). */
  waitFor(count: number): Promise<Received[]>;
  close(): Promise<void>;
}

/** Starts a receiver on 127.0.0.1 with a random port. */
export async function receiver(): Promise<Receiver> {
  const arrivals = new EventEmitter();
  const rec: Receiver = {
    url: '', received: [], status: 200, close: async () => undefined,
    waitFor: (count) => new Promise((resolve) => {
      const check = (): void => {
        if (rec.received.length < count) return;
        arrivals.off('request', check);
        resolve(rec.received.slice(0, count));
      };
      arrivals.on('request', check);
      check();
    }),
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      rec.received.push({ url: req.url ?? '/', headers: req.headers, body, form: parsePhpForm(body) });
      res.writeHead(rec.status, { 'content-type': 'application/json' });
      res.end('{"status":"ok"}');
      arrivals.emit('request');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  rec.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  rec.close = () => new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  return rec;
}

/** Walks a parsed form and returns every leaf value (to check that all scalars are strings). */
export function leaves(v: unknown): unknown[] {
  if (v !== null && typeof v === 'object') return Object.values(v).flatMap(leaves);
  return [v];
}

/** A controllable clock. */
export function manualClock(start = Date.UTC(2026, 4, 14, 10, 0, 0)): { now: () => number; advance(ms: number): void } {
  let t = start;
  return { now: () => t, advance: (ms) => { t += ms; } };
}

/** Resolves with what `promise` rejected with; fails the test when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await promise;
  } catch (err) {
    return err as Error & { code?: string };
  }
  throw new Error('expected a rejection, but it resolved');
}
