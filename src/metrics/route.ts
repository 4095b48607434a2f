import type { Express } from 'express';
import { HttpError } from '../errors.js';
import { secretsEqual } from '../intake/verify.js';
import type { PromMetrics } from './prometheus.js';

/** What `GET /metrics` needs. */
export interface MetricsRouteOptions {
  metrics: Pick<PromMetrics, 'render' | 'contentType'>;
  /** `METRICS_TOKEN`: when set, `Authorization: Bearer <token>` is required; null leaves the route open. */
  token: string | null;
}

const BEARER = /^Bearer[ ]+(\S+)[ ]*$/i;

/**
 * Mounts `GET /metrics` (Prometheus text). With a token, a request without the right bearer token gets
 * 401 `METRICS_AUTH_REQUIRED` (compared in constant time).
 *
 * @example
 * mountMetrics(app, { metrics, token: config.metricsToken });
 */
export function mountMetrics(app: Express, opts: MetricsRouteOptions): void {
  app.get('/metrics', async (req, res) => {
    if (opts.token !== null) {
      const given = BEARER.exec(req.get('authorization') ?? '')?.[1];
      if (given === undefined || !secretsEqual(given, opts.token)) {
        res.set('WWW-Authenticate', 'Bearer realm="metrics"');
        throw new HttpError(401, 'METRICS_AUTH_REQUIRED', 'metrics need the METRICS_TOKEN bearer token');
      }
    }
    const text = await opts.metrics.render();
    res.set('Cache-Control', 'no-store').type(opts.metrics.contentType).send(text);
  });
}
