import express, { type ErrorRequestHandler, type Express, type Request, type Response } from 'express';
import { HttpError } from '../errors.js';
import type { Logger } from '../log.js';
import type { PortalRecord } from '../store/types.js';
import { isAllowedPortalUrl, type HostPattern } from './host-allowlist.js';
import { pageActions, deadId, type ActionDeps, type PageAnswer, type SessionContext } from './app-page-actions.js';
import { launchParams, launchPortal, verifyLaunch, type TokenCaller } from './app-page-auth.js';
import { csrfOf, refuseCrossSite, requireCsrf } from './app-page-csrf.js';
import { errorPage } from './app-page-html.js';
import type { PageTokens } from './app-page-session.js';
import { APP_PAGE_CSS } from './app-page-style.js';
import { refuseOptions, toHttpError } from './refusals.js';

/** What the app page needs. */
export interface AppPageOptions extends ActionDeps {
  /** Verifies the posted `AUTH_ID` with the portal. */
  client: TokenCaller;
  tokens: PageTokens;
  /** `PUBLIC_URL` (a function: with `PORT=0` it is known only once listening). */
  publicUrl(): string;
  portalHosts: readonly HostPattern[];
  clock?: () => number;
  /** Timeout of each launch verification call (ms). */
  launchTimeoutMs?: number;
}

/** The `Content-Security-Policy` of every app page answer: own styles and forms only, framed only by the portal. */
function appPageCsp(frameAncestor: string | null): string {
  return ["default-src 'none'", "style-src 'self'", "img-src 'self'", "form-action 'self'", "base-uri 'none'",
    `frame-ancestors ${frameAncestor ?? "'none'"}`].join('; ');
}

/** The origin (scheme, host, port) of the portal's own pages: where its iframe lives. */
export const portalOrigin = (portal: PortalRecord): string => new URL(portal.clientEndpoint).origin;

function send(res: Response, status: number, html: string): void {
  res.status(status).type('html').set('Content-Security-Policy', appPageCsp((res.locals['frameOrigin'] as string | undefined) ?? null)).send(html);
}

const bodyOf = (req: Request): Record<string, unknown> => (req.body ?? {}) as Record<string, unknown>;

/**
 * Mounts the app page the portal opens in its iframe (facts §2.2: a POST with `AUTH_ID`, `member_id`,
 * `APPLICATION_TOKEN` and `DOMAIN`): `POST /app` verifies the launch with the portal, requires an
 * administrator and renders the page with a signed, short-lived session carried in the page's own forms
 * (no cookies: they are blocked in third-party iframes). Every later request (`POST /app/view` and the
 * actions) must be same-site, carry a valid session and its CSRF token. Every answer carries
 * `Content-Security-Policy: frame-ancestors <portal origin>`.
 */
export function mountAppPage(app: Express, o: AppPageOptions): void {
  const clock = o.clock ?? Date.now;
  const actions = pageActions(o);
  const router = express.Router();
  const base = (): string => `${new URL(o.publicUrl()).pathname.replace(/\/+$/, '')}/app`;

  router.use(refuseOptions);
  router.use((_req, res, next) => {
    res.set({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'same-origin', 'X-Content-Type-Options': 'nosniff' });
    next();
  });
  router.get('/style.css', (_req, res) => {
    res.set('Cache-Control', 'public, max-age=3600').type('css').send(APP_PAGE_CSS);
  });
  router.use(express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 100, inflate: false }));

  const frame = (res: Response, portal: PortalRecord, userId: number): SessionContext => {
    res.locals['frameOrigin'] = portalOrigin(portal);
    const { token, expiresAt } = o.tokens.issue(portal.memberId, userId);
    return { portal, userId, frame: { base: base(), domain: portal.domain, userId, session: token, csrf: o.tokens.csrf(token), sessionExpiresAt: expiresAt, now: clock() } };
  };

  // The launch: cross-site by nature (the portal posts it), authenticated by AUTH_ID.
  router.post('/', async (req, res) => {
    const params = launchParams(req.query as Record<string, unknown>, bodyOf(req));
    res.locals['launchDomain'] = params.domain;
    const portal = await launchPortal(o.store, params);
    res.locals['frameOrigin'] = portalOrigin(portal);
    res.locals['memberId'] = portal.memberId;
    const { userId } = await verifyLaunch(o.client, portal, params, o.launchTimeoutMs);
    o.log.info('app page opened', { memberId: portal.memberId, userId });
    const answer = await actions.overview(frame(res, portal, userId));
    send(res, answer.status, answer.html);
  });
  router.get('/', () => {
    throw new HttpError(401, 'APP_AUTH_REQUIRED', 'open this page from the app in your Bitrix24 portal (the portal posts AUTH_ID; a plain GET has none)');
  });

  /** Same-site, a valid session of an installed portal, and its CSRF token; then the action. */
  const withSession = (run: (c: SessionContext, req: Request) => Promise<PageAnswer>) => async (req: Request, res: Response): Promise<void> => {
    refuseCrossSite(req, o.publicUrl());
    const token = bodyOf(req)['s'];
    const session = o.tokens.verify(token);
    if (!session) throw new HttpError(401, 'APP_SESSION_INVALID', 'the page session is missing, forged or expired: open the app again from the portal');
    const portal = await o.store.getPortal(session.memberId);
    if (!portal || portal.authMode !== 'oauth') throw new HttpError(401, 'APP_SESSION_INVALID', 'the portal of this session is no longer installed');
    res.locals['frameOrigin'] = portalOrigin(portal);
    res.locals['memberId'] = portal.memberId;
    requireCsrf(o.tokens.csrfValid(token as string, csrfOf(req)));
    const answer = await run(frame(res, portal, session.userId), req);
    send(res, answer.status, answer.html);
  };
  const confirmed = (req: Request): boolean => bodyOf(req)['confirm'] === 'yes';
  const param = (req: Request, name: string): string => String(req.params[name] ?? '');

  router.post('/view', withSession((c) => actions.overview(c)));
  router.post('/sync/plan', withSession((c) => actions.plan(c)));
  router.post('/sync', withSession((c) => actions.sync(c)));
  router.post('/bots/:code/unregister', withSession((c, req) => actions.unregister(c, param(req, 'code'), confirmed(req))));
  router.post('/dead/:id/retry', withSession((c, req) => actions.retry(c, deadId(param(req, 'id')))));
  router.post('/dead/:id/discard', withSession((c, req) => actions.discard(c, deadId(param(req, 'id')), confirmed(req))));
  for (const path of ['/view', '/sync/plan', '/sync', '/bots/:code/unregister', '/dead/:id/retry', '/dead/:id/discard']) {
    router.all(path, (_req, res) => {
      res.set('Allow', 'POST');
      throw new HttpError(405, 'METHOD_NOT_ALLOWED', 'app page actions are POST-only');
    });
  }
  router.use((req, _res, next) => next(new HttpError(404, 'NOT_FOUND', `no route ${req.method} ${req.baseUrl}${req.path}`)));
  router.use(pageErrors(o, base));
  app.use('/app', router);
}

/** Every refusal: one log line, then an HTML page (or `{error, message}` for a JSON client), changing nothing. */
function pageErrors(o: AppPageOptions, base: () => string): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const e = toHttpError(err, req.socket);
    const memberId = res.locals['memberId'] as string | undefined;
    const meta = { code: e.code, method: req.method, path: `${req.baseUrl}${req.path}`, status: e.status, ...(memberId ? { memberId } : {}) };
    if (e.status === 500) o.log.error('request failed', { ...meta, err });
    else if (!e.logged) o.log.warn(`request refused: ${e.message}`, e.cause === undefined ? meta : { ...meta, err: e.cause });
    if (res.headersSent) return;
    if (res.locals['frameOrigin'] === undefined) {
      // Not known to be a portal of ours: only an allowed portal host may frame the error page.
      const domain = res.locals['launchDomain'] as string | undefined;
      const scheme = req.query['PROTOCOL'] === '0' ? 'http' : 'https';
      if (domain && /^[A-Za-z0-9.-]+(:\d{1,5})?$/.test(domain) && isAllowedPortalUrl(`${scheme}://${domain}/`, o.portalHosts)) {
        res.locals['frameOrigin'] = new URL(`${scheme}://${domain}`).origin;
      }
    }
    if (req.accepts(['html', 'json']) === 'json') {
      res.status(e.status).set('Content-Security-Policy', appPageCsp((res.locals['frameOrigin'] as string | undefined) ?? null)).json({ error: e.code, message: e.message });
    } else send(res, e.status, errorPage(base(), e.status, e.code, e.message));
  };
}
