import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { protocolFor } from '../../src/protocol/protocols.js';
import type { BotEvent } from '../../src/protocol/events.js';
import type { HelperEnv } from '../../src/router/context-files.js';
import type { ContextDeps, PortalClient } from '../../src/router/context.js';
import { messageEvent } from './events.js';

/** A call as it left a context helper: through the outbox (`queued`) or straight to the client (`read`). */
export interface HelperCall {
  via: 'queued' | 'read';
  method: string;
  params: Record<string, unknown>;
  /** The idempotency key, for queued calls. */
  key?: string;
}

/** A {@link HelperEnv} whose sink and client record every call and answer from `answers` (by method). */
export interface HelperRig {
  env: HelperEnv;
  calls: HelperCall[];
  /** What a method answers (a function gets the params); unlisted methods answer `true`. */
  answers: Map<string, unknown | ((params: Record<string, unknown>) => unknown)>;
}

const unused = (): never => {
  throw new Error('not used by the context helpers');
};

/** Builds a recording helper environment for one API generation and bot identity. */
export function helperRig(api: 'v1' | 'v2', opts: { botToken?: string | null; event?: BotEvent } = {}): HelperRig {
  const calls: HelperCall[] = [];
  const answers: HelperRig['answers'] = new Map();
  const answer = (method: string, params: Record<string, unknown>): unknown => {
    const a = answers.has(method) ? answers.get(method) : true;
    return typeof a === 'function' ? (a as (p: Record<string, unknown>) => unknown)(params) : a;
  };
  let n = 0;
  const client: PortalClient = {
    call: (async (method: string, params: Record<string, unknown> = {}) => {
      calls.push({ via: 'read', method, params });
      return answer(method, params);
    }) as PortalClient['call'],
  };
  const deps: ContextDeps = {
    protocol: protocolFor(api),
    identity: { botId: 45, botToken: opts.botToken ?? null },
    sink: {
      enqueue: async (item) => {
        calls.push({ via: 'queued', method: item.method, params: item.params, key: item.idempotencyKey });
        const result = answer(item.method, item.params);
        return { delivered: result instanceof Error ? Promise.reject(result) : Promise.resolve(result) };
      },
    },
    client,
    userSession: unused as never,
    chatSession: unused as never,
    translate: unused as never,
    nextKey: () => `key-${++n}`,
    dialogue: unused,
  };
  return { env: { deps, event: opts.event ?? messageEvent('hi', { api }) }, calls, answers };
}

/** A loopback file server: answers every GET with `body` and the given headers. */
export async function fileServer(body: Buffer, headers: Record<string, string> = {}): Promise<{ url: string; host: string; hits: () => number; close(): Promise<void> }> {
  let hits = 0;
  const server = createServer((_req: IncomingMessage, res: ServerResponse) => {
    hits++;
    res.writeHead(200, { 'content-length': String(body.length), ...headers });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/file`,
    host: `127.0.0.1:${port}`,
    hits: () => hits,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
