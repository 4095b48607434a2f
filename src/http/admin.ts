import express, { type Express, type Request, type RequestHandler, type Response } from 'express';
import { HttpError } from '../errors.js';
import { refuseOptions } from './refusals.js';
import { secretsEqual } from '../intake/verify.js';
import type { Logger } from '../log.js';
import type { SyncReport } from '../registry/sync.js';
import type { OutboxAddResult, Store } from '../store/types.js';
import { deadId } from './app-page-actions.js';
import { CSRF_FIELD, csrfOf, refuseCrossSite, requireCsrf } from './app-page-csrf.js';
import type { PageTokens } from './app-page-session.js';
import { esc } from './html.js';

/** What the admin routes need. */
export interface AdminOptions {
  /** The password (HTTP Basic auth, any user name). */
  token: string;
  store: Store;
  bots: readonly string[];
  syncPortal(memberId: string): Promise<SyncReport>;
  /** Puts a dead letter back in the outbox and wakes the worker (`Outbox.retryDead`). */
  retryDead(id: number): Promise<OutboxAddResult | null>;
  /** The detailed health (`GET /admin/health`): portals, bot codes, queue sizes, outbox counters. */
  health(): Promise<Record<string, unknown>>;
  /** Signs and checks the CSRF tokens of the admin forms. */
  tokens: PageTokens;
  /** `PUBLIC_URL`: actions must come from this origin (or the host they were sent to). */
  publicUrl(): string;
  log: Logger;
}

/** The state the admin page and `GET /admin/api/state` show. Secrets are never included. */
export interface AdminState {
  bots: readonly string[];
  portals: Array<{
    memberId: string;
    domain: string;
    authMode: string;
    status: string;
    tokenExpiresAt: string | null;
    installedAt: string;
    registered: Array<{ code: string; botId: number; api: string; eventMode: string; commands: string[] }>;
  }>;
  deadLetters: Array<{ id: number; memberId: string; method: string; reason: string }>;
  /** The token scripts send with actions (form field `csrf` or header `X-CSRF-Token`); valid 12 hours. */
  csrfToken?: string;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** Collects the admin state from the store. */
export async function adminState(store: Store, bots: readonly string[]): Promise<AdminState> {
  const portals = await Promise.all((await store.listPortals()).map(async (p) => {
    const commands = await store.listCommands(p.memberId);
    const registered = (await store.listBots(p.memberId)).map((b) => ({
      code: b.code, botId: b.botId, api: b.api, eventMode: b.eventMode,
      commands: commands.filter((c) => c.botCode === b.code).map((c) => `/${c.command}#${c.commandId}`),
    }));
    return {
      memberId: p.memberId, domain: p.domain, authMode: p.authMode, status: p.status,
      tokenExpiresAt: iso(p.expiresAt), installedAt: iso(p.installedAt) ?? '', registered,
    };
  }));
  const deadLetters = (await store.outboxDeadList(50)).map((d) => ({ id: d.id, memberId: d.memberId, method: d.method, reason: d.reason }));
  return { bots, portals, deadLetters };
}

function page(state: AdminState, csrf: string): string {
  const form = (action: string, label: string): string =>
    `<form method="post" action="${esc(action)}"><input type="hidden" name="${CSRF_FIELD}" value="${esc(csrf)}"><button>${esc(label)}</button></form>`;
  const portals = state.portals.map((p) => `
    <h2>${esc(p.domain)} <small>${esc(p.memberId)} · ${esc(p.authMode)} · ${esc(p.status)} · token until ${esc(p.tokenExpiresAt ?? '—')}</small></h2>
    ${form(`/admin/portals/${encodeURIComponent(p.memberId)}/sync`, 'Sync bots and commands')}
    <table><tr><th>bot</th><th>id</th><th>api</th><th>events</th><th>commands</th></tr>
    ${p.registered.map((b) => `<tr><td>${esc(b.code)}</td><td>${b.botId}</td><td>${esc(b.api)}</td><td>${esc(b.eventMode)}</td><td>${esc(b.commands.join(' '))}</td></tr>`).join('')}
    </table>`).join('');
  const dead = state.deadLetters.map((d) => `<tr><td>${d.id}</td><td>${esc(d.memberId)}</td><td>${esc(d.method)}</td><td>${esc(d.reason)}</td>
    <td>${form(`/admin/dead/${d.id}/retry`, 'Retry')}${form(`/admin/dead/${d.id}/discard`, 'Discard')}</td></tr>`).join('');
  return `<!doctype html><html><head><meta charset="utf-8"><title>b24-botkit admin</title>
<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px}small{color:#666;font-weight:normal}form{display:inline;margin-right:4px}</style></head>
<body><h1>b24-botkit</h1><p>Bot modules: ${esc(state.bots.join(', '))}</p>${portals || '<p>No portal installed yet.</p>'}
<h2>Dead letters</h2><table><tr><th>id</th><th>portal</th><th>method</th><th>reason</th><th></th></tr>${dead}</table></body></html>`;
}

function basicAuth(token: string): RequestHandler {
  return (req, res, next) => {
    const header = req.headers.authorization ?? '';
    const password = header.startsWith('Basic ') ? Buffer.from(header.slice(6), 'base64').toString('utf8').split(':').slice(1).join(':') : '';
    if (secretsEqual(password, token)) return next();
    res.setHeader('WWW-Authenticate', 'Basic realm="b24-botkit admin"');
    next(new HttpError(401, 'ADMIN_AUTH_REQUIRED', 'admin password required'));
  };
}

const wantsJson = (req: Request): boolean => (req.headers.accept ?? '').includes('application/json');

/**
 * Mounts the admin page (`GET /admin`), its JSON (`GET /admin/api/state`), the detailed health
 * (`GET /admin/health`) and its actions (`POST /admin/portals/:memberId/sync`, `POST /admin/dead/:id/retry`,
 * `POST /admin/dead/:id/discard`), behind HTTP Basic auth with `ADMIN_TOKEN` as the password. Browsers
 * replay cached Basic credentials on any request, so every action must also be same-site and carry the
 * page's CSRF token; no page of it may be framed (`X-Frame-Options: DENY`).
 */
export function mountAdmin(app: Express, opts: AdminOptions): void {
  const router = express.Router();
  router.use(refuseOptions);
  router.use((_req, res, next) => {
    res.set({ 'X-Frame-Options': 'DENY', 'Content-Security-Policy': "frame-ancestors 'none'", 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
    next();
  });
  router.use(basicAuth(opts.token));
  router.get('/', async (_req, res) => {
    res.type('html').send(page(await adminState(opts.store, opts.bots), opts.tokens.adminCsrf()));
  });
  router.get('/health', async (_req, res) => {
    res.json(await opts.health());
  });
  router.get('/api/state', async (_req, res) => {
    res.json({ ...(await adminState(opts.store, opts.bots)), csrfToken: opts.tokens.adminCsrf() });
  });
  const action = (run: (req: Request, res: Response) => Promise<void>): RequestHandler => async (req, res) => {
    refuseCrossSite(req, opts.publicUrl());
    requireCsrf(opts.tokens.adminCsrfValid(csrfOf(req)));
    await run(req, res);
  };
  const done = (req: Request, res: Response, body: unknown): void => {
    if (wantsJson(req)) res.json(body);
    else res.redirect(303, '/admin');
  };
  router.use(express.urlencoded({ extended: false, limit: '8kb', parameterLimit: 20, inflate: false }));
  router.post('/portals/:memberId/sync', action(async (req, res) => {
    const memberId = String(req.params['memberId']);
    if (!(await opts.store.getPortal(memberId))) throw new HttpError(404, 'NOT_FOUND', 'no such portal');
    const report = await opts.syncPortal(memberId);
    opts.log.info('admin re-sync', { memberId });
    done(req, res, report);
  }));
  router.post('/dead/:id/retry', action(async (req, res) => {
    const id = deadId(String(req.params['id']));
    const result = await opts.retryDead(id);
    if (!result) throw new HttpError(404, 'APP_NOT_FOUND', `no dead letter ${id}`);
    opts.log.info('admin: dead letter retried', { id, status: result.status });
    done(req, res, result);
  }));
  router.post('/dead/:id/discard', action(async (req, res) => {
    const id = deadId(String(req.params['id']));
    if (!(await opts.store.outboxDeadDiscard(id))) throw new HttpError(404, 'APP_NOT_FOUND', `no dead letter ${id}`);
    opts.log.info('admin: dead letter discarded', { id });
    done(req, res, { discarded: id });
  }));
  for (const path of ['/portals/:memberId/sync', '/dead/:id/retry', '/dead/:id/discard']) {
    router.all(path, (_req, res) => {
      res.set('Allow', 'POST');
      throw new HttpError(405, 'METHOD_NOT_ALLOWED', 'admin actions are POST-only');
    });
  }
  app.use('/admin', router);
}
