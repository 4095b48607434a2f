import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import { HttpError } from '../errors.js';
import type { Intake } from '../intake/intake.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/metrics.js';
import { readEventBody, type BodyLimits } from './body.js';
import { isInstallPageRequest, type InstallPage } from './install-page.js';
import { toHttpError } from './refusals.js';

/** What the HTTP adapter needs. */
export interface HttpAppOptions {
  intake: Intake;
  log: Logger;
  /**
   * Status of `GET /healthz` (unauthenticated: status only, nothing about bots, queues or portals;
   * the details are at `GET /admin/health` behind the admin password).
   */
  health(): HealthStatus | Promise<HealthStatus>;
  limits?: BodyLimits;
  /** The install page of a UI app (`GET /install`, and a `POST /install` that carries `AUTH_ID` and no `event`). */
  installPage?: InstallPage;
  /** Extra routes (admin page, metrics) mounted before the 404 handler. */
  extend?(app: Express): void;
  /** Counts refused `/events` and `/install` requests by error code. */
  metrics?: Pick<Metrics, 'eventRefused'>;
}

/**
 * What unauthenticated `GET /healthz` shows. Cluster mode adds the reachability of PostgreSQL (`store`) and
 * Redis (`redis`): `unavailable` (HTTP 503) while the database is down, `degraded` while Redis is.
 */
export interface HealthStatus {
  status: 'ok' | 'degraded' | 'unavailable';
  store?: 'up' | 'down';
  redis?: 'up' | 'down';
}

/**
 * The thin HTTP adapter: it reads the body, hands it to the intake and writes the status. Every refusal
 * is a JSON body `{ "error": "<CODE>", "message": "..." }` and one log line.
 *
 * @example
 * const app = createHttpApp({ intake, log, health: () => ({ status: 'ok' }) });
 * app.listen(3000);
 */
export function createHttpApp(opts: HttpAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.set('etag', false);

  // A refused body or event is counted by its error code, then answered by the error handler.
  const counted = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (e) {
      opts.metrics?.eventRefused(toHttpError(e).code);
      throw e;
    }
  };
  const events: RequestHandler = async (req, res) => {
    const result = await counted(async () => opts.intake.accept(await readEventBody(req, opts.limits)));
    res.status(result.status).json(result.body);
  };
  app.post('/events', events);
  // One install URL serves both install styles: ONAPPINSTALL (an event) and the UI app's install page.
  app.post('/install', async (req, res) => {
    const body = await counted(() => readEventBody(req, opts.limits));
    if (opts.installPage && isInstallPageRequest(req.query as Record<string, unknown>, body)) return opts.installPage(req, res, body);
    const result = await counted(() => opts.intake.accept(body));
    res.status(result.status).json(result.body);
  });
  const page = opts.installPage;
  if (page) app.get('/install', (req, res) => page(req, res, {}));
  app.get('/healthz', async (_req, res) => {
    const { status, store, redis } = await opts.health();
    res.status(status === 'unavailable' ? 503 : 200).json({ status, ...(store ? { store } : {}), ...(redis ? { redis } : {}) });
  });
  opts.extend?.(app);
  app.use((req, _res, next) => next(new HttpError(404, 'NOT_FOUND', `no route ${req.method} ${req.path}`)));
  app.use(errorHandler(opts.log));
  return app;
}

function errorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const e = toHttpError(err, req.socket);
    const meta = { code: e.code, method: req.method, path: req.path, status: e.status };
    if (e.status >= 500) log.error('request failed', { ...meta, err });
    else if (!e.logged) log.warn(`request refused: ${e.message}`, meta);
    if (res.headersSent) return;
    res.status(e.status).json({ error: e.code, message: e.message });
  };
}
