import express, { type Express, type RequestHandler } from 'express';
import { HttpError } from '../errors.js';
import { secretsEqual } from '../intake/verify.js';
import type { Logger } from '../log.js';
import type { SyncReport } from '../registry/sync.js';
import type { Store } from '../store/types.js';

/** What the admin routes need. */
export interface AdminOptions {
  /** The password (HTTP Basic auth, any user name). */
  token: string;
  store: Store;
  bots: readonly string[];
  syncPortal(memberId: string): Promise<SyncReport>;
  /** The detailed health (`GET /admin/health`): portals, bot codes, queue sizes, outbox counters. */
  health(): Promise<Record<string, unknown>>;
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

const esc = (s: unknown): string => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(state: AdminState): string {
  const portals = state.portals.map((p) => `
    <h2>${esc(p.domain)} <small>${esc(p.memberId)} · ${esc(p.authMode)} · ${esc(p.status)} · token until ${esc(p.tokenExpiresAt ?? '—')}</small></h2>
    <form method="post" action="/admin/portals/${encodeURIComponent(p.memberId)}/sync"><button>Re-sync bots and commands</button></form>
    <table><tr><th>bot</th><th>id</th><th>api</th><th>events</th><th>commands</th></tr>
    ${p.registered.map((b) => `<tr><td>${esc(b.code)}</td><td>${b.botId}</td><td>${esc(b.api)}</td><td>${esc(b.eventMode)}</td><td>${esc(b.commands.join(' '))}</td></tr>`).join('')}
    </table>`).join('');
  const dead = state.deadLetters.map((d) => `<tr><td>${d.id}</td><td>${esc(d.memberId)}</td><td>${esc(d.method)}</td><td>${esc(d.reason)}</td></tr>`).join('');
  return `<!doctype html><html><head><meta charset="utf-8"><title>b24-botkit admin</title>
<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px}small{color:#666;font-weight:normal}</style></head>
<body><h1>b24-botkit</h1><p>Bot modules: ${esc(state.bots.join(', '))}</p>${portals || '<p>No portal installed yet.</p>'}
<h2>Dead letters</h2><table><tr><th>id</th><th>portal</th><th>method</th><th>reason</th></tr>${dead}</table></body></html>`;
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

/**
 * Mounts the admin page (`GET /admin`), its JSON (`GET /admin/api/state`), the detailed health
 * (`GET /admin/health`) and re-sync
 * (`POST /admin/portals/:memberId/sync`), behind HTTP Basic auth with `ADMIN_TOKEN` as the password.
 */
export function mountAdmin(app: Express, opts: AdminOptions): void {
  const router = express.Router();
  router.use(basicAuth(opts.token));
  router.get('/', async (_req, res) => {
    res.type('html').send(page(await adminState(opts.store, opts.bots)));
  });
  router.get('/health', async (_req, res) => {
    res.json(await opts.health());
  });
  router.get('/api/state', async (_req, res) => {
    res.json(await adminState(opts.store, opts.bots));
  });
  router.post('/portals/:memberId/sync', async (req, res) => {
    const memberId = String(req.params['memberId']);
    if (!(await opts.store.getPortal(memberId))) throw new HttpError(404, 'NOT_FOUND', 'no such portal');
    const report = await opts.syncPortal(memberId);
    opts.log.info('admin re-sync', { memberId });
    if ((req.headers.accept ?? '').includes('application/json')) res.json(report);
    else res.redirect(303, '/admin');
  });
  app.use('/admin', router);
}
