import type { BackoffPolicy } from '../backoff.js';
import type { Agent, Dispatcher } from 'undici';
import type { RateLimit } from './limiter.js';
import type { HostPattern } from '../http/host-allowlist.js';
import type { Logger } from '../log.js';
import { NO_METRICS, type Metrics } from '../metrics/metrics.js';
import { ReadCache } from '../store/read-cache.js';
import type { PortalRecord, TokenStore } from '../store/types.js';
import {
  AllowedEndpoints, assertAllowedUrl, assertMethodName, exchangeRefreshToken, loadPortal, TokenRefresher, type OAuthApp, type OAuthGrant, type RefreshLock,
  type RequestTarget,
} from './auth.js';
import { isBatchable } from './batch.js';
import { B24AuthError, B24BadResponseError, B24OperationTimeLimitError, B24QueryLimitError, B24TransportError } from './errors.js';
import type { Lane, LaneCall } from './lane.js';
import { LaneRegistry } from './lanes.js';
import { parseRateLimit, type BucketFactory, type BucketKind } from './limiter.js';
import { DEFAULT_RETRY, decideRetry, type RetryOptions } from './retry.js';
import { portalSender, type SendDeps } from './send.js';
import { createAgent, DEFAULT_TIMEOUTS, postJson, sharedAgent, type RestResponse, type TransportTimeouts } from './transport.js';

/** Options of {@link createRestClient}. */
export interface RestClientOptions {
  /** Where tokens live; refreshed pairs are written with a compare-and-swap. */
  store: TokenStore;
  /**
   * How long a portal's record read for a call is reused by the next calls (default 5 s; 0 = read per
   * call). A token refresh always reads the store itself, and forgets the cached record.
   */
  portalCacheMs?: number;
  /** The OAuth app, or null for webhook-only setups (no refresh possible). */
  oauth: OAuthApp | null;
  /** The default bucket; a portal's `rateLimit` overrides it. */
  rateLimit: RateLimit;
  /** Requests go only to URLs that `isAllowedPortalUrl()` accepts; others fail with `B24_HOST_REFUSED`. */
  portalHosts: HostPattern[];
  log: Logger;
  /** Default: one keep-alive undici Agent per process. */
  dispatcher?: Dispatcher;
  clock?: () => number;
  /** Coalesce calls queued behind the limiter into `batch` requests (default true). */
  batching?: boolean;
  timeouts?: TransportTimeouts;
  retry?: RetryOptions;
  /** The per-method time budget of the portal, in seconds (default 480; facts §7.2). */
  operatingBudgetS?: number;
  /** The bucket implementation (default `token`; `bottleneck` for comparison), or a factory (cluster mode). */
  limiter?: BucketKind | BucketFactory;
  /** A refresh lock shared by every process (cluster mode); default: single-flight in this process. */
  refreshLock?: RefreshLock;
  /** Counts calls, requests, limiter waits, 503/429 answers and refreshes (default: nothing). */
  metrics?: Metrics;
  /** How a refreshed token pair the store refused is written again (default 250 ms doubling to 10 s); it is used from memory meanwhile. */
  tokenWriteBackoff?: BackoffPolicy;
}

/** The REST capability the upper layers need: any method on any stored portal. */
export interface PortalCaller {
  call<T = unknown>(memberId: string, method: string, params?: Record<string, unknown>): Promise<T>;
}

/** Options of one call. */
export interface CallOptions {
  signal?: AbortSignal;
  /** Never put this call into a batch. */
  noBatch?: boolean;
}

/** Options of {@link RestClient.list}. */
export interface ListOptions {
  /** Stop after this many items (default 10,000). */
  max?: number;
  signal?: AbortSignal;
}

/** The rate-limited, batching, refreshing REST client of all portals. */
export interface RestClient {
  /** Calls `method` on the portal `memberId` (auth from the store: OAuth or webhook). Resolves with `result`. */
  call<T = unknown>(memberId: string, method: string, params?: Record<string, unknown>, opts?: CallOptions): Promise<T>;
  /** Same, returning the whole envelope (result, total, next, time). */
  callRaw<T = unknown>(memberId: string, method: string, params?: Record<string, unknown>, opts?: CallOptions): Promise<RestResponse<T>>;
  /** Pages a list method (`start`/`next`) up to a cap, stopping when `signal` aborts. */
  list<T = unknown>(memberId: string, method: string, params?: Record<string, unknown>, opts?: ListOptions): AsyncIterable<T>;
  /**
   * Calls a method with an explicit access token on an explicit endpoint (to verify ONAPPINSTALL
   * before anything is stored). Allowlist-checked; exactly one attempt (never retried, never refreshed,
   * not queued behind a limiter: a verification must neither repeat nor wait), bounded by `signal`.
   */
  callWithToken<T = unknown>(clientEndpoint: string, accessToken: string, method: string, params?: Record<string, unknown>, opts?: { signal?: AbortSignal }): Promise<T>;
  /**
   * Redeems a refresh token at the OAuth server (the install check: the server, authenticated by our
   * client secret, names the portal the pair belongs to). One attempt, bounded by `signal`. Throws
   * `B24_AUTH_FAILED` without an OAuth app.
   */
  exchangeRefreshToken(refreshToken: string, opts?: { signal?: AbortSignal }): Promise<OAuthGrant>;
  /** Number of portals (and hosts) with a live limiter; idle ones are dropped. */
  activeLanes(): number;
  /** Rejects queued calls, drops every limiter and closes the client's own agent. */
  close(): Promise<void>;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

const closedError = (method: string): B24TransportError =>
  new B24TransportError({ method, maybeExecuted: false, transportCode: 'CLIENT_CLOSED', message: 'the REST client was closed' });

function itemsOf(result: unknown, method: string): unknown[] {
  if (Array.isArray(result)) return result;
  if (typeof result === 'object' && result !== null) {
    const arrays = Object.values(result).filter(Array.isArray);
    if (arrays.length === 1) return arrays[0] as unknown[];
  }
  throw new B24BadResponseError({ method, status: 200, message: 'list result is not an array' });
}

/** One call as the retry loop sees it. */
interface Attempt {
  lane: () => Promise<Lane>;
  method: string;
  params: Record<string, unknown>;
  call: Omit<LaneCall, 'resolve' | 'reject'>;
  /** Refreshes the token the failed request carried; null when the call cannot refresh. */
  refresh: ((e: unknown) => Promise<void>) | null;
  signal: AbortSignal | undefined;
}

class Client implements RestClient {
  readonly #opts: RestClientOptions;
  readonly #clock: () => number;
  readonly #retry: Required<RetryOptions>;
  readonly #batching: boolean;
  readonly #ownAgent: Agent | null;
  readonly #refresher: TokenRefresher;
  readonly #lanes: LaneRegistry;
  readonly #deps: SendDeps;
  readonly #portals: ReadCache<PortalRecord | null>;
  #closed = false;

  constructor(opts: RestClientOptions) {
    this.#opts = opts;
    this.#clock = opts.clock ?? Date.now;
    const timeouts = { ...DEFAULT_TIMEOUTS, ...opts.timeouts };
    this.#ownAgent = !opts.dispatcher && opts.timeouts?.connectMs !== undefined ? createAgent(timeouts.connectMs) : null;
    const transport = { dispatcher: opts.dispatcher ?? this.#ownAgent ?? sharedAgent(), headersMs: timeouts.headersMs, bodyMs: timeouts.bodyMs };
    this.#retry = { ...DEFAULT_RETRY, ...opts.retry };
    this.#batching = opts.batching ?? true;
    const metrics = opts.metrics ?? NO_METRICS;
    this.#refresher = new TokenRefresher({
      store: opts.store, oauth: opts.oauth, transport, log: opts.log, clock: this.#clock, metrics, ...(opts.refreshLock ? { lock: opts.refreshLock } : {}),
      ...(opts.tokenWriteBackoff ? { persistBackoff: opts.tokenWriteBackoff } : {}),
    });
    this.#lanes = new LaneRegistry({ batching: this.#batching, bucket: opts.limiter ?? 'token', clock: this.#clock });
    this.#portals = new ReadCache({ ttlMs: opts.portalCacheMs ?? 5000, clock: this.#clock });
    // A refreshed pair the store could not take yet is used from memory (the refresher keeps writing it).
    const current = (p: PortalRecord | null): PortalRecord | null => (p ? this.#refresher.current(p) : p);
    const cached = { getPortal: async (memberId: string) => current(await this.#portals.get(memberId, () => opts.store.getPortal(memberId))) };
    this.#deps = {
      store: cached, transport, endpoints: new AllowedEndpoints(opts.portalHosts), clock: this.#clock, operatingBudgetS: opts.operatingBudgetS ?? 480, sentWith: new WeakMap(), metrics,
    };
  }

  async call<T>(memberId: string, method: string, params?: Record<string, unknown>, o?: CallOptions): Promise<T> {
    return (await this.callRaw<T>(memberId, method, params, o)).result;
  }

  async callRaw<T>(memberId: string, method: string, params: Record<string, unknown> = {}, o: CallOptions = {}): Promise<RestResponse<T>> {
    assertMethodName(method);
    const res = await this.#run({
      lane: () => this.#portalLane(memberId), method, params, signal: o.signal,
      call: { method, params, batchable: this.#batching && !o.noBatch && isBatchable(method), signal: o.signal },
      refresh: this.#opts.oauth
        ? (e) => this.#refresher.refresh(memberId, this.#deps.sentWith.get(e as object) ?? '').finally(() => this.#portals.forget(memberId))
        : null,
    });
    return res as RestResponse<T>;
  }

  async callWithToken<T>(
    clientEndpoint: string, accessToken: string, method: string, params: Record<string, unknown> = {}, o: { signal?: AbortSignal } = {},
  ): Promise<T> {
    assertMethodName(method);
    if (this.#closed) throw closedError(method);
    const url = `${clientEndpoint.replace(/\/?$/, '/')}${method}`;
    assertAllowedUrl(url, this.#opts.portalHosts);
    const res = await postJson(this.#deps.transport, url, { ...params, auth: accessToken }, method, o.signal, this.#clock());
    return res.result as T;
  }

  async *list<T>(memberId: string, method: string, params: Record<string, unknown> = {}, o: ListOptions = {}): AsyncGenerator<T> {
    const max = o.max ?? 10_000;
    let start: unknown = params['start'] ?? 0;
    let seen = 0;
    while (seen < max) {
      o.signal?.throwIfAborted();
      const res = await this.callRaw(memberId, method, { ...params, start }, o.signal ? { signal: o.signal } : {});
      const items = itemsOf(res.result, method);
      for (const item of items) {
        if (seen >= max) return;
        seen++;
        yield item as T;
      }
      if (typeof res.next !== 'number' || items.length === 0) return;
      start = res.next;
    }
  }

  activeLanes(): number {
    return this.#lanes.size;
  }

  async exchangeRefreshToken(refreshToken: string, o: { signal?: AbortSignal } = {}): Promise<OAuthGrant> {
    if (!this.#opts.oauth) throw new B24AuthError({ method: 'oauth.token', status: 0, apiCode: 'NO_OAUTH_APP', description: 'B24_CLIENT_ID is not set' });
    return exchangeRefreshToken(this.#deps.transport, this.#opts.oauth, refreshToken, this.#clock(), o.signal);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#refresher.close();
    this.#lanes.close((call) => closedError(call.method));
    if (this.#ownAgent) await this.#ownAgent.close();
  }

  /** The retry loop: every attempt goes through the lane (limiter, batch, auth, transport) again. */
  async #run(a: Attempt): Promise<RestResponse> {
    let refreshed = false;
    let attempt = 0;
    let limited = 0;
    for (;;) {
      if (this.#closed) throw closedError(a.method);
      const lane = await a.lane();
      try {
        await this.#waitForMethod(lane, a.method, a.signal);
        return await new Promise<RestResponse>((resolve, reject) => lane.submit({ ...a.call, resolve, reject }));
      } catch (e) {
        if (a.signal?.aborted) throw a.signal.reason;
        const isLimit = e instanceof B24QueryLimitError || e instanceof B24OperationTimeLimitError;
        if (isLimit) limited++;
        const d = decideRetry(e, { method: a.method, params: a.params, attempt, limited, refreshed, canRefresh: a.refresh !== null, opts: this.#retry });
        if (d.kind === 'fail') throw e;
        if (d.kind === 'refresh') {
          refreshed = true;
          await this.#refreshFor(a, e);
        } else {
          if (!isLimit) attempt++;
          await sleep(d.delayMs, a.signal);
        }
      }
    }
  }

  async #refreshFor(a: Attempt, stale: unknown): Promise<void> {
    try {
      await (a.refresh as (e: unknown) => Promise<void>)(stale);
    } catch (e) {
      // The call itself was refused (401) and never ran; only the refresh failed on the wire.
      if (!(e instanceof B24TransportError)) throw e;
      throw new B24TransportError({
        method: a.method, maybeExecuted: false, transportCode: e.transportCode, message: `token refresh failed: ${e.message}`, cause: e,
      });
    }
  }

  async #waitForMethod(lane: Lane, method: string, signal?: AbortSignal): Promise<void> {
    const until = lane.blockedUntil(method);
    if (until === 0) return;
    if (until - this.#clock() > this.#retry.maxBlockWaitMs) {
      throw new B24OperationTimeLimitError({
        method, status: 429, apiCode: 'OPERATION_TIME_LIMIT', description: 'held back by the client until the time budget resets', resetAt: until,
      });
    }
    await sleep(until - this.#clock(), signal);
  }

  /** Fails fast (unknown portal, reinstall needed, refused host) before the call waits for a token. */
  async #portalLane(memberId: string): Promise<Lane> {
    const portal = await loadPortal(this.#deps.store, memberId);
    this.#deps.endpoints.assert(portal.clientEndpoint);
    return this.#lanes.get(memberId, parseRateLimit(portal.rateLimit, this.#opts.rateLimit), portalSender(this.#deps, memberId));
  }
}

/**
 * Creates the REST client: call → per-portal limiter → auth (webhook or OAuth with single-flight
 * refresh) → batch when calls pile up → transport (undici). Every attempt, retries included, takes
 * a token from the portal's bucket.
 *
 * @example
 * const client = createRestClient({ store, oauth: null, rateLimit: config.rateLimit,
 *   portalHosts: config.portalHosts, log });
 * await client.call(memberId, 'imbot.v2.Chat.Message.send', { botId, botToken, dialogId, fields: { message: 'hi' } });
 */
export function createRestClient(opts: RestClientOptions): RestClient {
  return new Client(opts);
}
