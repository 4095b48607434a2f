import type { IncomingMessage, ServerResponse } from 'node:http';
import { redactString } from '../log.js';
import { resolveCaller, type WebhookCredentials } from './auth.js';
import { runBatch } from './batch.js';
import type { Core } from './core.js';
import { spoilAnswer, type Lingering } from './fault-apply.js';
import { readBody, readParams, sendError, sendJson } from './http-io.js';
import { asList, asObject, type Params } from './params.js';
import { PortalError } from './portal-error.js';
import type { PortalState } from './portal-state.js';
import type { InvokeBase, MethodTable } from './rest.js';
import type { FaultSpec, RestRequestLog } from './types.js';
import { timeBlock } from './views.js';

/** What the REST route needs besides the portal. */
export interface RestServices {
  core: Core;
  methods: MethodTable;
  lingering: Lingering;
}

interface RestRoute {
  method: string;
  webhook: WebhookCredentials | null;
}

/**
 * Splits the path after `/rest/`: `<method>[.json]` or `<user>/<code>/<method>[.json]`. Leading slashes
 * are ignored: the official JS SDK's OAuth client joins `client_endpoint` (`.../rest/`) and `/<method>`
 * into `/rest//<method>` (b24jssdk core/http/abstract-http `_prepareMethod`), which portals answer.
 */
export function parseRestTail(tail: string): RestRoute | null {
  const parts = tail.replace(/^\/+/, '').replace(/\/+$/, '').split('/');
  const strip = (m: string): string => m.replace(/\.json$/i, '');
  if (parts.length === 1 && parts[0]) return { method: strip(parts[0]), webhook: null };
  const [user, code, method] = parts;
  if (parts.length === 3 && user && /^\d+$/.test(user) && code && method) {
    return { method: strip(method), webhook: { userId: Number(user), code } };
  }
  return null;
}

const SNIPPET = 2000;

/** Keys whose values are credentials (not `COLOR_TOKEN` and the like, which the inspector must show). */
const SECRET = /^(auth|access_token|refresh_token|application_token|client_secret|bot_?token|password|secret|auth_id|refresh_id)$/i;

/** JSON of a value with secrets masked and long strings cut, for the inspector. */
export function snippet(value: unknown): string {
  const text = JSON.stringify(value, (k, v: unknown) => {
    if (SECRET.test(k) && (typeof v === 'string' || typeof v === 'number')) return '***';
    if (typeof v !== 'string') return v;
    const masked = redactString(v); // `auth=...` in batch commands, webhook codes in URLs
    return masked.length > 300 ? `${masked.slice(0, 300)}…` : masked;
  }) ?? '';
  return text.length > SNIPPET ? `${text.slice(0, SNIPPET)}…` : text;
}

/** Serves one REST request of a portal and records it in the portal's log and counters. */
export async function handleRest(svc: RestServices, portal: PortalState, req: IncomingMessage, res: ServerResponse,
  tail: string): Promise<void> {
  const route = parseRestTail(tail);
  const entry: RestRequestLog = {
    at: svc.core.clock(), path: redactString(new URL(req.url ?? '/', 'http://e').pathname),
    method: route ? (svc.methods.get(route.method)?.name ?? route.method) : tail, httpMethod: req.method ?? 'GET',
    status: 0, auth: route?.webhook ? 'webhook' : 'none',
  };
  const started = Date.now();
  try {
    if (!route) throw new PortalError('ERROR_METHOD_NOT_FOUND', 'Method not found!');
    await serve(svc, portal, req, res, route, entry);
  } catch (e) {
    const err = e instanceof PortalError ? e : new PortalError('INTERNAL_SERVER_ERROR', 'Internal server error');
    if (!(e instanceof PortalError)) svc.core.log.error('emulator method failed', { method: entry.method, err: e });
    entry.status = err.status;
    entry.error = err.code;
    entry.errorDescription = err.message;
    if (!res.headersSent && !res.destroyed) sendError(res, err);
  } finally {
    entry.durationMs = Date.now() - started;
    entry.bucketLevel = portal.bucket ? Math.round(portal.bucket.level(svc.core.clock()) * 100) / 100 : null;
    portal.stats.record(entry);
    svc.core.log.debug('emulator request', { method: entry.method, status: entry.status, error: entry.error, fault: entry.fault });
  }
}

function faultStatus(spec: FaultSpec, entry: RestRequestLog): void {
  entry.fault = spec.kind;
  if (spec.kind === 'status') {
    entry.status = spec.status ?? 500;
    entry.error = spec.error ?? 'INTERNAL_SERVER_ERROR';
  } else {
    entry.status = spec.kind === 'badJson' || spec.kind === 'truncated' ? 200 : 0;
  }
}

async function serve(svc: RestServices, portal: PortalState, req: IncomingMessage, res: ServerResponse, route: RestRoute,
  entry: RestRequestLog): Promise<void> {
  // File.upload carries up to 100 MB as Base64 (4/3 larger) in its body.
  const limit = /^imbot\.v2\.file\.upload$/i.test(route.method) ? Math.ceil((portal.files.limits.maxFileBytes * 4) / 3) + (1 << 20) : undefined;
  const params = await readParams(req, await readBody(req, limit));
  entry.params = snippet(params);
  if (!route.webhook && params['auth'] !== undefined) entry.auth = 'oauth';
  const fault = svc.core.faults.take(route.method, portal.memberId);
  const during = fault?.kind === 'slow' && fault.during === true;
  if (fault && !fault.after && !during) {
    if (fault.kind === 'slow') await svc.lingering.sleep(fault.delayMs ?? 1000);
    if (spoilAnswer(fault, req, res, svc.lingering)) return faultStatus(fault, entry);
    entry.fault = 'slow';
  }
  if (portal.bucket && !portal.bucket.tryTake(svc.core.clock())) throw new PortalError('QUERY_LIMIT_EXCEEDED', 'Too many requests');
  const caller = resolveCaller(svc.core, portal, route.webhook, params);
  delete params['auth'];
  if (during) entry.fault = 'slow';
  const hold = during ? () => svc.lingering.sleep(fault?.delayMs ?? 1000) : undefined;
  const body = await run(svc, { core: svc.core, portal, caller, ...(hold ? { hold } : {}) }, route.method, params, entry);
  if (fault?.after && spoilAnswer(fault, req, res, svc.lingering, body)) return faultStatus(fault, entry);
  sendJson(res, 200, body);
  entry.status = 200;
  entry.result = snippet(body['result']);
}

async function run(svc: RestServices, base: InvokeBase, method: string, params: Params,
  entry: RestRequestLog): Promise<Record<string, unknown>> {
  const start = entry.at;
  if (method.toLowerCase() === 'batch') {
    const cmd = params['cmd'];
    entry.batchSize = (asList(cmd) ?? Object.keys(asObject(cmd) ?? {})).length;
    const result = await runBatch(svc.methods, base, params);
    return { result, time: timeBlock(start, svc.core.clock()) };
  }
  const inv = await svc.methods.invoke(base, method, params);
  return { result: inv.result, ...inv.paging, time: timeBlock(start, svc.core.clock(), inv.operating) };
}
