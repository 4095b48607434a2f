import type { Metrics } from '../metrics/metrics.js';
import type { PortalRecord, TokenStore } from '../store/types.js';
import { loadPortal, targetFor, type AllowedEndpoints, type RequestTarget } from './auth.js';
import { decodeBatch, encodeBatch } from './batch.js';
import { B24OperationTimeLimitError, B24QueryLimitError } from './errors.js';
import type { Lane, LaneCall } from './lane.js';
import { postJson, type RestResponse, type RestTime, type Transport } from './transport.js';

/** What the send link needs. */
export interface SendDeps {
  /** Where the current credentials are read (the client's short-lived cache in front of the store). */
  store: Pick<TokenStore, 'getPortal'>;
  transport: Transport;
  /** The allowlist, checked on the portal's current endpoint before each request. */
  endpoints: AllowedEndpoints;
  clock: () => number;
  /** The per-method time budget; a method that used 90 % of it is held until its reset. */
  operatingBudgetS: number;
  /** Remembers which access token a failed request carried, so a refresh knows what is stale. */
  sentWith: WeakMap<object, string>;
  metrics: Metrics;
}

// A 429 without operating_reset_at: the platform unblocks within 10 minutes; probe again after one.
const DEFAULT_BLOCK_MS = 60_000;

function feedback(d: SendDeps, lane: Lane, e: unknown): void {
  if (e instanceof B24QueryLimitError) lane.onRateLimited(e.retryAfterMs);
  else if (e instanceof B24OperationTimeLimitError) lane.block(e.method, e.resetAt ?? d.clock() + (e.retryAfterMs ?? DEFAULT_BLOCK_MS));
  else return;
  d.metrics.restLimited(e);
}

function observeTime(d: SendDeps, lane: Lane, method: string, time: RestTime | undefined): void {
  if (typeof time?.operating !== 'number' || typeof time.operating_reset_at !== 'number') return;
  if (time.operating >= d.operatingBudgetS * 0.9) lane.block(method, time.operating_reset_at * 1000);
}

function remember(d: SendDeps, e: unknown, target: RequestTarget): void {
  if (target.token !== null && typeof e === 'object' && e !== null) d.sentWith.set(e, target.token);
}

async function exchange(d: SendDeps, lane: Lane, target: RequestTarget, method: string, signal?: AbortSignal): Promise<RestResponse> {
  try {
    const res = await postJson(d.transport, target.url, target.body, method, signal, d.clock());
    lane.onSuccess();
    return res;
  } catch (e) {
    feedback(d, lane, e);
    remember(d, e, target);
    throw e;
  }
}

function rejectAll(d: SendDeps, calls: readonly LaneCall[], e: unknown): void {
  for (const c of calls) {
    d.metrics.restCall(c.method, e);
    c.reject(e);
  }
}

async function sendOne(d: SendDeps, lane: Lane, call: LaneCall, target: RequestTarget): Promise<void> {
  try {
    const res = await exchange(d, lane, target, call.method, call.signal);
    observeTime(d, lane, call.method, res.time);
    d.metrics.restCall(call.method, null);
    call.resolve(res);
  } catch (e) {
    d.metrics.restCall(call.method, e);
    call.reject(e);
  }
}

async function sendBatch(d: SendDeps, lane: Lane, calls: LaneCall[], portal: PortalRecord): Promise<void> {
  const target = targetFor(portal, 'batch', encodeBatch(calls));
  let envelope: RestResponse;
  try {
    envelope = await exchange(d, lane, target, 'batch');
  } catch (e) {
    rejectAll(d, calls, e);
    return;
  }
  decodeBatch(envelope, calls).forEach((outcome, i) => {
    const call = calls[i] as LaneCall;
    if (outcome.ok) {
      observeTime(d, lane, call.method, outcome.response.time);
      d.metrics.restCall(call.method, null);
      call.resolve(outcome.response);
    } else {
      feedback(d, lane, outcome.error);
      d.metrics.restCall(call.method, outcome.error);
      call.reject(outcome.error);
    }
  });
}

/**
 * The send link of a portal's lane: reads the current credentials (a refresh may have happened
 * while the calls waited), then sends one call alone or several as one `batch`, and reports 503,
 * 429 and `time.operating` back to the lane.
 */
export function portalSender(d: SendDeps, memberId: string): (calls: LaneCall[], lane: Lane) => Promise<void> {
  return async (calls, lane) => {
    const first = calls[0];
    if (!first) return;
    const now = d.clock();
    for (const c of calls) d.metrics.limiterWait(now - (c.queuedAt ?? now));
    d.metrics.restRequest(calls.length);
    let portal: PortalRecord;
    try {
      portal = await loadPortal(d.store, memberId);
      // Re-checked here: a reinstall may have changed the endpoint while the calls waited.
      d.endpoints.assert(portal.clientEndpoint);
    } catch (e) {
      rejectAll(d, calls, e);
      return;
    }
    if (calls.length === 1) return sendOne(d, lane, first, targetFor(portal, first.method, first.params));
    return sendBatch(d, lane, calls, portal);
  };
}
