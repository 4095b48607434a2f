import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Core } from './core.js';
import type { Lingering } from './fault-apply.js';
import { sendJson } from './http-io.js';
import { DOWNLOAD_PATH, handleDownload } from './download-route.js';
import { handleAppFrame, serveFrameAsset } from './frame/routes.js';
import { handleOauth } from './oauth-route.js';
import type { Portal } from './portal.js';
import type { PortalState } from './portal-state.js';
import { handleRest } from './rest-route.js';
import type { MethodTable } from './rest.js';
import { handleUi } from './ui/routes.js';

/** What the router needs: services and a way to find a portal (state + facade) by its index. */
export interface RouterDeps {
  core: () => Core;
  methods: MethodTable;
  lingering: Lingering;
  portalAt: (index: number) => { state: PortalState; facade: Portal } | undefined;
}

const PORTAL_PREFIX = /^\/p\/(\d+)(\/.*)?$/;

/** Splits `/p/<n>/rest/...` into the portal index and the rest of the path; index 0 otherwise. */
function splitPortal(pathname: string): { index: number; sub: string } {
  const m = PORTAL_PREFIX.exec(pathname);
  return m ? { index: Number(m[1]), sub: m[2] ?? '' } : { index: 0, sub: pathname };
}

async function route(deps: RouterDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const core = deps.core();
  const { pathname } = new URL(req.url ?? '/', 'http://e');
  const { index, sub } = splitPortal(pathname);
  if (/^\/oauth\/token\/?$/.test(sub)) return handleOauth(core, deps.lingering, req, res);
  // The frame library (BX24.js subset) apps load from the platform, as `<script src="//<host>/api/v1/">`.
  if (index === 0 && req.method === 'GET' && /^\/api\/v1\/?$/.test(sub) && serveFrameAsset(sub, res)) return;
  const portal = deps.portalAt(index);
  if (!portal) return sendJson(res, 404, { error: 'NOT_FOUND', error_description: 'No such portal' });
  if (DOWNLOAD_PATH.test(sub)) return handleDownload(portal.state, req, res);
  if (sub.startsWith('/rest/')) {
    return handleRest({ core, methods: deps.methods, lingering: deps.lingering }, portal.state, req, res, sub.slice('/rest/'.length));
  }
  if (sub === '') {
    res.writeHead(301, { location: `${pathname}/` });
    return void res.end();
  }
  if (sub === '/app-frame' || sub.startsWith('/app-frame/')) return handleAppFrame(core, portal.state, req, res, sub);
  if (sub === '/' || sub.startsWith('/ui/')) return handleUi(core, portal.facade, portal.state, req, res, sub);
  sendJson(res, 404, { error: 'NOT_FOUND', error_description: 'Not found' });
}

/** The emulator's HTTP (or, given a key and certificate, HTTPS) server: OAuth, REST of every portal, the chat page, the app frame. */
export function createEmulatorServer(deps: RouterDeps, tls?: { key: string; cert: string }): Server {
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    route(deps, req, res).catch((e: unknown) => {
      deps.core().log.error('emulator request failed', { err: e });
      if (!res.headersSent && !res.destroyed) sendJson(res, 500, { error: 'INTERNAL_SERVER_ERROR', error_description: 'Internal error' });
    });
  };
  const server: Server = tls ? createHttpsServer(tls, handler) : createServer(handler);
  server.keepAliveTimeout = 5000;
  return server;
}
