import { Agent, request, type Dispatcher } from 'undici';
import { redactString } from '../log.js';
import {
  apiErrorFrom, B24BadResponseError, B24TimeoutError, B24TransportError, type B24ApiError,
} from './errors.js';

/** The `time` block of a REST answer (facts §7.3); every field is optional. */
export interface RestTime {
  start?: number;
  finish?: number;
  duration?: number;
  processing?: number;
  /** Seconds this method used over the last 10 minutes. */
  operating?: number;
  /** Unix seconds when the oldest minute of `operating` drops out. */
  operating_reset_at?: number;
  date_start?: string;
  date_finish?: string;
}

/** A successful REST answer: `result` plus paging and timing. */
export interface RestResponse<T = unknown> {
  result: T;
  total?: number;
  next?: number;
  time?: RestTime;
}

/** Timeouts of the HTTP transport, in ms. */
export interface TransportTimeouts {
  connectMs?: number;
  headersMs?: number;
  bodyMs?: number;
}

/** What one HTTP exchange needs: the dispatcher and the per-request timeouts. */
export interface Transport {
  dispatcher: Dispatcher;
  headersMs: number;
  bodyMs: number;
}

/** Defaults: the cloud kills a request after 60 s, so waiting longer for headers is pointless. */
export const DEFAULT_TIMEOUTS: Required<TransportTimeouts> = { connectMs: 10_000, headersMs: 65_000, bodyMs: 30_000 };

let shared: Agent | null = null;

/**
 * The process-wide keep-alive agent with the default connect timeout; clients that set their own
 * `connectMs` get their own agent instead.
 */
export function sharedAgent(): Agent {
  shared ??= createAgent(DEFAULT_TIMEOUTS.connectMs);
  return shared;
}

/** A keep-alive agent with a connect timeout. */
export function createAgent(connectMs: number): Agent {
  return new Agent({ connect: { timeout: connectMs }, keepAliveTimeout: 30_000, connections: 64 });
}

// Failures that happen before a single byte of the request left: a retry cannot post twice.
const NOT_SENT = new Set([
  'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT',
  'CERT_HAS_EXPIRED', 'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'ERR_TLS_CERT_ALTNAME_INVALID', 'SELF_SIGNED_CERT_IN_CHAIN',
]);
const TIMEOUTS = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);
const TRUNCATED = new Set(['UND_ERR_RES_CONTENT_LENGTH_MISMATCH']);

function field(e: unknown, key: 'code' | 'name' | 'message'): string | null {
  if (typeof e !== 'object' || e === null) return null;
  const v = (e as Record<string, unknown>)[key];
  return typeof v === 'string' ? v : null;
}

/** The low-level code of an error in any shape: undici (`code`), fetch (`cause.code`), nock (plain object). */
export function transportCodeOf(e: unknown): string | null {
  const cause = typeof e === 'object' && e !== null ? (e as { cause?: unknown }).cause : undefined;
  const code = field(e, 'code') ?? field(cause, 'code');
  if (code) return code;
  const name = field(e, 'name');
  return name === 'TimeoutError' ? 'ETIMEDOUT' : null;
}

/**
 * Maps any transport failure to a coded error. Handles undici errors, fetch's
 * `TypeError('fetch failed', {cause})`, nock's plain objects and Errors with a `code`.
 */
export function transportErrorFrom(e: unknown, method: string): B24TransportError {
  if (e instanceof B24TransportError) return e;
  const code = transportCodeOf(e);
  const message = redactString(field(e, 'message') ?? String(e));
  const maybeExecuted = code === null || !NOT_SENT.has(code);
  const d = { method, maybeExecuted, transportCode: code, message: code ? `${code}: ${message}` : message, cause: e };
  if (code !== null && TIMEOUTS.has(code)) return new B24TimeoutError(d);
  if (code !== null && TRUNCATED.has(code)) return new B24BadResponseError({ method, status: 0, message: `truncated answer (${message})`, cause: e });
  return new B24TransportError(d);
}

/** Parses `Retry-After` (seconds or an HTTP date) into ms from `now`. */
export function parseRetryAfter(value: string | string[] | undefined, now: number): number | null {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return null;
  if (/^\d+(\.\d+)?$/.test(v.trim())) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

interface Exchange {
  url: string;
  contentType: string;
  body: string;
  /** The REST method, for error messages. */
  method: string;
  signal?: AbortSignal | undefined;
}

async function exchange(t: Transport, x: Exchange): Promise<{ status: number; text: string; retryAfter: string | string[] | undefined }> {
  let res: Dispatcher.ResponseData;
  try {
    res = await request(x.url, {
      method: 'POST',
      headers: { 'content-type': x.contentType, accept: 'application/json', 'user-agent': 'b24-botkit' },
      body: x.body,
      dispatcher: t.dispatcher,
      headersTimeout: t.headersMs,
      bodyTimeout: t.bodyMs,
      ...(x.signal ? { signal: x.signal } : {}),
    });
  } catch (e) {
    if (x.signal?.aborted) throw x.signal.reason;
    throw transportErrorFrom(e, x.method);
  }
  try {
    return { status: res.statusCode, text: await res.body.text(), retryAfter: res.headers['retry-after'] };
  } catch (e) {
    if (x.signal?.aborted) throw x.signal.reason;
    const mapped = transportErrorFrom(e, x.method);
    if (mapped instanceof B24TimeoutError || mapped instanceof B24BadResponseError) throw mapped;
    // The portal answered and then the connection died mid-body: the answer is cut off.
    throw new B24BadResponseError({ method: x.method, status: res.statusCode, message: `truncated answer (${mapped.message})`, cause: e });
  }
}

function parseJson(text: string, status: number, method: string): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    const head = redactString(text.slice(0, 60)).replace(/\s+/g, ' ');
    throw new B24BadResponseError({ method, status, message: `HTTP ${status}, not JSON: "${head}"`, cause });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new B24BadResponseError({ method, status, message: `HTTP ${status}, JSON is not an object` });
  }
  return json as Record<string, unknown>;
}

/** An `{error, error_description}` answer as a coded error, or null when `json` is not one. */
export function errorFromAnswer(json: Record<string, unknown>, status: number, method: string, retryAfterMs: number | null): B24ApiError | null {
  if (typeof json['error'] !== 'string') return null;
  const time = json['time'] as RestTime | undefined;
  const resetAt = typeof time?.operating_reset_at === 'number' ? time.operating_reset_at * 1000 : null;
  const description = typeof json['error_description'] === 'string' ? json['error_description'] : '';
  return apiErrorFrom({ method, status, apiCode: json['error'], description, retryAfterMs, resetAt });
}

/**
 * POSTs a JSON body to a portal and returns the success envelope. Every failure is a coded error:
 * the portal's error object ({@link B24ApiError} and subclasses), or a transport, timeout or
 * bad-response error. An abort by `signal` rejects with the signal's reason.
 */
export async function postJson(t: Transport, url: string, body: unknown, method: string, signal?: AbortSignal, now = Date.now()): Promise<RestResponse> {
  const res = await exchange(t, { url, contentType: 'application/json', body: JSON.stringify(body), method, signal });
  const json = parseJson(res.text, res.status, method);
  const apiError = errorFromAnswer(json, res.status, method, parseRetryAfter(res.retryAfter, now));
  if (apiError) throw apiError;
  if (res.status >= 300 || !('result' in json)) {
    throw new B24BadResponseError({ method, status: res.status, message: `HTTP ${res.status} without result or error` });
  }
  return json as unknown as RestResponse;
}

/** POSTs a urlencoded form (the OAuth token endpoint) and returns the status and the JSON object. */
export async function postForm(
  t: Transport, url: string, form: Record<string, string>, method: string, signal?: AbortSignal,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const body = new URLSearchParams(form).toString();
  const res = await exchange(t, { url, contentType: 'application/x-www-form-urlencoded', body, method, signal });
  return { status: res.status, json: parseJson(res.text, res.status, method) };
}
