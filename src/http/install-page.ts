import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import { HttpError } from '../errors.js';
import type { InstallClaim, InstallService } from '../intake/install.js';
import type { Logger } from '../log.js';
import type { RegistryStore } from '../store/types.js';
import { installedPage, refusedPage, type InstalledBot } from './install-page-view.js';

/** What the install page needs. */
export interface InstallPageOptions {
  installer: Pick<InstallService, 'fromPage'>;
  store: Pick<RegistryStore, 'listBots' | 'listCommands'>;
  /** The codes of the loaded bot modules. */
  bots: readonly string[];
  /** The frame library the page loads (`BX24_SCRIPT_URL`). */
  scriptUrl: string;
  log: Logger;
  /** Called once a verified install page was served (the server then checks that it was finished). */
  onServed?(memberId: string): void;
}

/** Serves `GET|POST /install` when it is the install page (not an event); `body` is the parsed POST body. */
export type InstallPage = (req: Request, res: Response, body: Record<string, unknown>) => Promise<void>;

/** True when a `/install` request is the portal opening the install page (it carries `AUTH_ID`, no `event`). */
export function isInstallPageRequest(query: Record<string, unknown>, body: Record<string, unknown>): boolean {
  return !Object.hasOwn(body, 'event') && (Object.hasOwn(body, 'AUTH_ID') || Object.hasOwn(query, 'AUTH_ID'));
}

const HOST = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?$/;

function invalid(message: string): HttpError {
  return new HttpError(400, 'INSTALL_PAGE_INVALID', message);
}

/**
 * The claim of an install page (DOC settings/oauth/simple-way.md): `DOMAIN`, `PROTOCOL` (0 http, 1 https),
 * `LANG`, `APP_SID` in the query; `AUTH_ID`, `REFRESH_ID`, `member_id`, `APPLICATION_TOKEN`, ... in the POST
 * body (a GET may carry them in the query). The portal's REST endpoint is `<PROTOCOL>://<DOMAIN>/rest/`.
 */
function installClaim(query: Record<string, unknown>, body: Record<string, unknown>): InstallClaim {
  const field = (name: string): string | null => {
    const v = Object.hasOwn(body, name) ? body[name] : Object.hasOwn(query, name) ? query[name] : undefined;
    return typeof v === 'string' && v.trim() !== '' ? v.trim() : null;
  };
  const missing = ['AUTH_ID', 'REFRESH_ID', 'member_id', 'APPLICATION_TOKEN', 'DOMAIN'].filter((n) => field(n) === null);
  if (missing.length > 0) throw invalid(`the install page request lacks ${missing.join(', ')}`);
  const protocol = field('PROTOCOL') ?? '1';
  if (protocol !== '0' && protocol !== '1') throw invalid('PROTOCOL must be 0 (http) or 1 (https)');
  // The frame libraries drop a default port the same way (":80"/":443").
  const domain = (field('DOMAIN') as string).toLowerCase().replace(/:(80|443)$/, '');
  if (!HOST.test(domain)) throw invalid('DOMAIN is not a host name');
  return {
    memberId: field('member_id') as string, domain, clientEndpoint: `${protocol === '1' ? 'https' : 'http'}://${domain}/rest/`,
    accessToken: field('AUTH_ID') as string, refreshToken: field('REFRESH_ID') as string, applicationToken: field('APPLICATION_TOKEN') as string,
  };
}

/** A CSP source for the frame library's URL: `//host/path` matches the page's own scheme. */
function scriptSource(url: string): string {
  if (url.startsWith('//')) return url.slice(2).split('/')[0] ?? '';
  const u = new URL(url);
  return u.origin;
}

function send(req: Request, res: Response, status: number, html: string, nonce: string, csp: string): void {
  res.status(status).set({
    'Content-Security-Policy': `default-src 'none'; script-src 'nonce-${nonce}'${csp}; style-src 'nonce-${nonce}'; base-uri 'none'; form-action 'none'`,
    'Cache-Control': 'no-store',
    // The page URL may hold tokens (GET): never send it to the frame library's host.
    'Referrer-Policy': 'no-referrer',
    'X-Content-Type-Options': 'nosniff',
  });
  if (req.method === 'HEAD') return void res.type('html').end();
  res.type('html').send(html);
}

async function botsOf(opts: InstallPageOptions, memberId: string): Promise<InstalledBot[]> {
  const [registered, commands] = await Promise.all([opts.store.listBots(memberId), opts.store.listCommands(memberId)]);
  const codes = [...new Set([...opts.bots, ...registered.map((b) => b.code)])];
  return codes.map((code) => {
    const bot = registered.find((b) => b.code === code && b.botId > 0);
    return {
      code, botId: bot?.botId ?? null, api: bot?.api ?? null, eventMode: bot?.eventMode ?? null,
      commands: commands.filter((c) => c.botCode === code).map((c) => c.command),
    };
  });
}

/**
 * The install page of a UI app: the portal opens it in its frame for the installing administrator. The
 * tokens are verified exactly as an ONAPPINSTALL is (host allowlist, `app.info`, `user.admin` always, the
 * OAuth server's refresh check; single attempts, 10 s each), the portal is stored with its
 * `APPLICATION_TOKEN`, the bots are registered, and the page calls `BX24.installFinish()`. A refusal is a
 * small page (or `{error, message}` for a client asking for JSON) with its status and code, one log line,
 * nothing stored.
 */
export function createInstallPage(opts: InstallPageOptions): InstallPage {
  const scriptSrc = scriptSource(opts.scriptUrl);
  return async (req, res, body) => {
    const json = req.accepts(['html', 'json']) === 'json';
    const nonce = randomBytes(16).toString('base64');
    const query = req.query as Record<string, unknown>;
    try {
      const claim = installClaim(query, body);
      const outcome = await opts.installer.fromPage(claim);
      opts.onServed?.(claim.memberId);
      const bots = await botsOf(opts, claim.memberId);
      if (json) return void res.json({ ok: true, memberId: claim.memberId, domain: claim.domain, reinstall: outcome.reinstall, bots });
      const portalOrigin = new URL(claim.clientEndpoint).origin;
      send(req, res, 200, installedPage({ domain: claim.domain, memberId: claim.memberId, bots, scriptUrl: opts.scriptUrl, nonce }), nonce,
        ` ${scriptSrc}; frame-ancestors ${portalOrigin}`);
    } catch (e) {
      if (!(e instanceof HttpError)) throw e;
      // The installer logged its own refusals; a malformed request is logged here.
      if (e.code === 'INSTALL_PAGE_INVALID') opts.log.warn(`install page refused: ${e.message}`, { code: e.code, method: req.method });
      if (json) return void res.status(e.status).json({ error: e.code, message: e.message });
      send(req, res, e.status, refusedPage({ code: e.code, message: e.message, nonce }), nonce, '');
    }
  };
}
