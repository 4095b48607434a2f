import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { BotkitError } from '../../errors.js';
import type { Core } from '../core.js';
import { readBody, sendJson } from '../http-io.js';
import { PortalError } from '../portal-error.js';
import type { Portal } from '../portal.js';
import type { PortalState } from '../portal-state.js';
import { runAction } from './actions.js';
import { serveEvents } from './live.js';
import { deliveryView, messageView, requestView, stateView } from './views.js';

// The chat page of a portal: a static shell (assets/), a JSON API under /ui/api/ and a server-sent
// events stream. Served at `/` (and `/p/<n>/` for other portals).

const ASSETS: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/ui/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/ui/app.css': { file: 'app.css', type: 'text/css; charset=utf-8' },
};

const cache = new Map<string, Buffer>();

function asset(file: string): Buffer {
  let data = cache.get(file);
  if (!data) {
    data = readFileSync(new URL(`./assets/${file}`, import.meta.url));
    cache.set(file, data);
  }
  return data;
}

/** Content-Security-Policy of the page: own scripts and styles only, images from anywhere (bots link them). */
const CSP = "default-src 'self'; img-src * data:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'";

function sendAsset(res: ServerResponse, name: string): void {
  const a = ASSETS[name] as { file: string; type: string };
  const body = asset(a.file);
  res.writeHead(200, { 'content-type': a.type, 'content-length': body.length, 'cache-control': 'no-cache', 'content-security-policy': CSP, 'x-content-type-options': 'nosniff' });
  res.end(body);
}

function messagesOf(state: PortalState, chatId: number): unknown[] {
  return state.chats.allMessages().filter((m) => m.chatId === chatId).slice(-300).map((m) => messageView(state, m));
}

function inspector(state: PortalState): Record<string, unknown> {
  return {
    requests: state.stats.requests().slice(-300).map(requestView),
    deliveries: state.stats.deliveries().slice(-200).map(deliveryView),
  };
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  if (!(req.headers['content-type'] ?? '').toLowerCase().includes('application/json')) {
    throw new PortalError('INVALID_REQUEST', 'Send application/json', 415);
  }
  const text = await readBody(req);
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new PortalError('INVALID_REQUEST', 'Malformed JSON body');
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new PortalError('INVALID_REQUEST', 'The body must be a JSON object');
  return v as Record<string, unknown>;
}

async function api(core: Core, portal: Portal, state: PortalState, req: IncomingMessage, res: ServerResponse, name: string): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://e');
  if (req.method === 'GET') {
    if (name === 'state') {
      const faults = portal.faults.list().filter((f) => f.portal === undefined || f.portal === state.memberId);
      return sendJson(res, 200, { ...stateView(state), faults });
    }
    if (name === 'messages') return sendJson(res, 200, messagesOf(state, Number(url.searchParams.get('chat'))));
    if (name === 'inspector') return sendJson(res, 200, inspector(state));
    if (name === 'events') return serveEvents(state, core.clock, req, res);
    return sendJson(res, 404, { error: 'NOT_FOUND', error_description: 'Not found' });
  }
  if (req.method !== 'POST') return sendJson(res, 405, { error: 'METHOD_NOT_ALLOWED', error_description: 'GET or POST' });
  try {
    const result = await runAction(portal, state, name, await readJson(req));
    sendJson(res, 200, { result: result ?? null });
  } catch (e) {
    if (e instanceof PortalError) return sendJson(res, e.status, { error: e.code, error_description: e.message });
    if (e instanceof BotkitError) return sendJson(res, 400, { error: e.code, error_description: e.message });
    throw e;
  }
}

/** A chat file for the page (the local user downloads it; no token, the page is the emulator's own UI). */
async function serveFile(state: PortalState, id: number, res: ServerResponse): Promise<void> {
  const f = state.files.get(id);
  if (!f) return sendJson(res, 404, { error: 'FILE_NOT_FOUND', error_description: 'File not found' });
  res.writeHead(200, {
    'content-type': 'application/octet-stream', 'content-length': f.size, 'x-content-type-options': 'nosniff',
    'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(f.name)}`,
  });
  await pipeline(state.files.open(f), res).catch(() => res.destroy());
}

/** Serves the chat page, its assets and its API for one portal (`sub` is the path after the portal base). */
export async function handleUi(core: Core, portal: Portal, state: PortalState, req: IncomingMessage, res: ServerResponse,
  sub: string): Promise<void> {
  if (req.method === 'GET' && ASSETS[sub]) return sendAsset(res, sub);
  const file = /^\/ui\/file\/(\d+)$/.exec(sub);
  if (file && req.method === 'GET') return serveFile(state, Number(file[1]), res);
  const m = /^\/ui\/api\/([a-z]+)$/.exec(sub);
  if (m) return api(core, portal, state, req, res, m[1] ?? '');
  sendJson(res, 404, { error: 'NOT_FOUND', error_description: 'Not found' });
}
