import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Core } from '../core.js';
import type { UserRec } from '../directory.js';
import { readBody, sendJson } from '../http-io.js';
import type { PortalState } from '../portal-state.js';
import { finishInstall, openFrame, type OpenedFrame } from './launch.js';
import { framePage, noticePage } from './page.js';
import type { FrameSession } from './sessions.js';

// The portal's side of an app opened in its interface (DOC settings/oauth/simple-way.md,
// settings/app-installation/installation-finish.md): a page with the app's iframe, posted to with the
// opening user's tokens, a parent script answering the frame library's postMessage commands, and the
// frame library itself at /api/v1/ (a BX24.js-compatible subset, see assets/bx24.js).

const ASSETS: Record<string, { file: string; type: string }> = {
  '/app-frame/parent.js': { file: 'parent.js', type: 'text/javascript; charset=utf-8' },
  '/app-frame/frame.css': { file: 'frame.css', type: 'text/css; charset=utf-8' },
  '/api/v1/': { file: 'bx24.js', type: 'text/javascript; charset=utf-8' },
};

const cache = new Map<string, Buffer>();

/** Serves one of the frame's static files (the parent script, its stylesheet, the frame library); false when `sub` is none. */
export function serveFrameAsset(sub: string, res: ServerResponse): boolean {
  const a = ASSETS[sub === '/api/v1' ? '/api/v1/' : sub];
  if (!a) return false;
  let body = cache.get(a.file);
  if (!body) cache.set(a.file, (body = readFileSync(new URL(`./assets/${a.file}`, import.meta.url))));
  res.writeHead(200, { 'content-type': a.type, 'content-length': body.length, 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' });
  res.end(body);
  return true;
}

function sendHtml(res: ServerResponse, status: number, html: string, csp: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(html), 'cache-control': 'no-store',
    'content-security-policy': csp, 'x-content-type-options': 'nosniff',
  });
  res.end(html);
}

const invalid = (res: ServerResponse, text: string): void => sendJson(res, 400, { error: 'INVALID_REQUEST', error_description: text });

/**
 * `GET /app-frame?user=<id>&url=<app URL>[&install=<install URL>][&lang=en][&placement=DEFAULT]`: the app
 * opened by that user. Before `installFinish` an administrator gets the install page (`install`, or `url`
 * when the app has one handler), anyone else the "not fully installed" notice; afterwards everyone gets `url`.
 */
function renderFrame(core: Core, state: PortalState, req: IncomingMessage, res: ServerResponse): void {
  const q = new URL(req.url ?? '/', 'http://e').searchParams;
  const user = state.directory.get(Number(q.get('user') ?? '1'));
  if (!user || user.isBot) return invalid(res, 'user: no such user on this portal');
  const url = q.get('url') ?? '';
  const install = q.get('install');
  const lang = q.get('lang') ?? 'en';
  const placement = q.get('placement') ?? 'DEFAULT';
  let opened: OpenedFrame;
  try {
    opened = openFrame(core, state, { userId: user.id, url, ...(install !== null ? { install } : {}), lang, placement });
  } catch (e) {
    return invalid(res, (e as Error).message);
  }
  if (opened === null) {
    return sendHtml(res, 200, noticePage(user, new URL(url).host, 'The application is not fully installed yet',
      'Ask your Bitrix24 administrator to finish the installation.'), "default-src 'self'; frame-ancestors 'none'");
  }
  // The app may live anywhere and redirect anywhere: its frame and form are not limited; its messages are.
  const csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    + "frame-src http: https:; form-action http: https:; frame-ancestors 'none'";
  sendHtml(res, 200, framePage(user, opened, `${state.basePath}/app-frame/api/`), csp);
}

async function readSession(state: PortalState, req: IncomingMessage): Promise<{ session: FrameSession; user: UserRec } | null> {
  if (!(req.headers['content-type'] ?? '').toLowerCase().includes('application/json')) return null;
  let body: unknown;
  try {
    body = JSON.parse(await readBody(req, 4096));
  } catch {
    return null;
  }
  const appSid = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)['appSid'] : undefined;
  const session = typeof appSid === 'string' ? state.frames.get(appSid) : undefined;
  const user = session ? state.directory.get(session.userId) : undefined;
  return session && user ? { session, user } : null;
}

/** The parent script's calls: `finish` (the install page called installFinish), `refresh` (refreshAuth). */
async function frameApi(core: Core, state: PortalState, req: IncomingMessage, res: ServerResponse, name: string): Promise<void> {
  if (req.method !== 'POST') return sendJson(res, 405, { error: 'METHOD_NOT_ALLOWED', error_description: 'POST' });
  const found = await readSession(state, req);
  if (!found) return sendJson(res, 404, { error: 'NOT_FOUND', error_description: 'No such app frame (APP_SID)' });
  const { session, user } = found;
  // DOC bx24-install-finish.md: outside the installer the call has no effect.
  if (name === 'finish') return sendJson(res, 200, { result: finishInstall(core, state, session.appSid) });
  if (name === 'refresh') {
    const grant = core.tokens.issue(state.memberId, user.id);
    return sendJson(res, 200, { result: { AUTH_ID: grant.accessToken, REFRESH_ID: grant.refreshToken, AUTH_EXPIRES: core.tokens.ttlS } });
  }
  sendJson(res, 404, { error: 'NOT_FOUND', error_description: 'Not found' });
}

/** Routes `/app-frame` and below for one portal (`sub` is the path after the portal base). */
export async function handleAppFrame(core: Core, state: PortalState, req: IncomingMessage, res: ServerResponse, sub: string): Promise<void> {
  if (req.method === 'GET' && serveFrameAsset(sub, res)) return;
  if (state.index !== 0) {
    // Apps find the portal's REST at <PROTOCOL>://<DOMAIN>/rest/, and every emulated portal shares one host.
    return sendJson(res, 404, { error: 'NOT_FOUND', error_description: 'The app frame is served for the default portal only' });
  }
  if (sub === '/app-frame' && req.method === 'GET') return renderFrame(core, state, req, res);
  const api = /^\/app-frame\/api\/([a-z]+)$/.exec(sub);
  if (api) return frameApi(core, state, req, res, api[1] ?? '');
  sendJson(res, 404, { error: 'NOT_FOUND', error_description: 'Not found' });
}
