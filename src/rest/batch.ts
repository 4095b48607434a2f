import { encodePhpForm } from '../protocol/php-form.js';
import { apiErrorFrom, B24BadResponseError } from './errors.js';
import type { RestResponse, RestTime } from './transport.js';

/** The platform's limit of commands in one `batch` request (facts §7.4). */
export const MAX_BATCH = 50;

// Uploads and downloads are refused inside batch (ERROR_BATCH_METHOD_NOT_ALLOWED) and are large.
const FILE_METHOD = /(^|\.)(file|disk)(\.|$)|upload|download/i;

/** True when `method` may travel inside a `batch` request: not a file method, not `batch` itself. */
export function isBatchable(method: string): boolean {
  return method.toLowerCase() !== 'batch' && !FILE_METHOD.test(method);
}

/** One call inside a batch. */
export interface BatchCall {
  method: string;
  params: Record<string, unknown>;
}

/** The outcome of one call of a batch. */
export type BatchOutcome = { ok: true; response: RestResponse } | { ok: false; error: Error };

/**
 * Builds the params of a `batch` request: commands `c0..cN` as `method?php-form-query`, run in
 * order, `halt=0` so one failing command does not cancel the others.
 */
export function encodeBatch(calls: readonly BatchCall[]): { halt: 0; cmd: Record<string, string> } {
  const cmd: Record<string, string> = {};
  calls.forEach((c, i) => {
    const query = encodePhpForm(c.params);
    cmd[`c${i}`] = query === '' ? c.method : `${c.method}?${query}`;
  });
  return { halt: 0, cmd };
}

// Empty PHP arrays serialise as [] instead of {} (facts §10.11).
function table(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function numberAt(t: Record<string, unknown>, key: string): number | undefined {
  const v = t[key];
  return typeof v === 'number' ? v : typeof v === 'string' && v !== '' && !Number.isNaN(Number(v)) ? Number(v) : undefined;
}

/** Maps a `batch` answer back to each call: its result (with total/next/time) or its coded error. */
export function decodeBatch(envelope: RestResponse, calls: readonly BatchCall[]): BatchOutcome[] {
  const outer = table(envelope.result);
  const results = table(outer['result']);
  const errors = table(outer['result_error']);
  const totals = table(outer['result_total']);
  const nexts = table(outer['result_next']);
  const times = table(outer['result_time']);
  return calls.map((c, i): BatchOutcome => {
    const key = `c${i}`;
    const err = errors[key];
    if (typeof err === 'object' && err !== null) {
      const e = err as Record<string, unknown>;
      const apiCode = typeof e['error'] === 'string' ? e['error'] : 'BATCH_ERROR';
      const description = typeof e['error_description'] === 'string' ? e['error_description'] : '';
      return { ok: false, error: apiErrorFrom({ method: c.method, status: 0, apiCode, description }) };
    }
    if (!(key in results)) {
      return { ok: false, error: new B24BadResponseError({ method: c.method, status: 200, message: `batch answer lacks command ${key}` }) };
    }
    const response: RestResponse = { result: results[key] };
    const total = numberAt(totals, key);
    const next = numberAt(nexts, key);
    if (total !== undefined) response.total = total;
    if (next !== undefined) response.next = next;
    const time = times[key];
    if (typeof time === 'object' && time !== null) response.time = time as RestTime;
    return { ok: true, response };
  });
}
