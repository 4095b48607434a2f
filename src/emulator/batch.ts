import { parsePhpForm } from '../protocol/php-form.js';
import { asBool, asList, asObject, type Params } from './params.js';
import { PortalError } from './portal-error.js';
import type { InvokeBase, MethodTable } from './rest.js';
import { timeBlock } from './views.js';

/** Most commands one batch may carry (facts §7.4). */
export const BATCH_LIMIT = 50;

type Results = Record<string, unknown>;

/** The `cmd` param as ordered `[key, "method?query"]` pairs (map or array). */
function commands(params: Params): Array<[string, string]> {
  const cmd = params['cmd'];
  const list = asList(cmd);
  const entries = list ? list.map((v, i) => [String(i), v] as const) : Object.entries(asObject(cmd) ?? {});
  return entries.map(([k, v]) => [k, typeof v === 'string' ? v : '']);
}

function lookup(results: Results, key: string, path: string[]): unknown {
  let v: unknown = results[key];
  for (const step of path) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[step] : undefined;
  return v;
}

/** Replaces `$result[key][field]...` references with earlier results (the batch chaining feature). */
function substitute(query: string, results: Results): string {
  return query.replace(/\$result((?:\[[^\]]*\])+)/g, (all, brackets: string) => {
    const parts = [...brackets.matchAll(/\[([^\]]*)\]/g)].map((m) => m[1] ?? '');
    const [key = '', ...path] = parts;
    const v = lookup(results, key, path);
    return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? encodeURIComponent(String(v)) : all;
  });
}

/** PHP empty arrays serialize as `[]`, not `{}`. */
function phpMap(map: Results): Results | [] {
  return Object.keys(map).length === 0 ? [] : map;
}

/**
 * Runs a `batch` (facts §7.4): `"method?query"` commands with the batch's credentials, each charged to
 * its own method; sub-errors go to `result_error`; `halt` stops at the first one. Commands past the 50th
 * fail alone with `ERROR_BATCH_LENGTH_EXCEEDED` (`settings/how-to-call-rest-api/batch.md`); the first 50 run.
 */
export async function runBatch(table: MethodTable, base: InvokeBase, params: Params): Promise<Results> {
  const list = commands(params);
  const halt = asBool(params['halt'], false);
  const result: Results = {};
  const errors: Results = {};
  const times: Results = {};
  const totals: Results = {};
  const nexts: Results = {};
  for (const [index, [key, command]] of list.entries()) {
    const started = base.core.clock();
    const [name = '', query = ''] = splitCommand(command);
    try {
      // settings/how-to-call-rest-api/batch.md: "подзапросы сверх лимита завершаются ошибкой ERROR_BATCH_LENGTH_EXCEEDED".
      if (index >= BATCH_LIMIT) throw new PortalError('ERROR_BATCH_LENGTH_EXCEEDED', 'Max batch length exceeded');
      if (name.toLowerCase() === 'batch') throw new PortalError('ERROR_BATCH_METHOD_NOT_ALLOWED', 'Method is not allowed for batch usage');
      const sub = parseQuery(substitute(query, result));
      const inv = await table.invoke(base, name, sub);
      result[key] = inv.result;
      if (inv.paging.total !== undefined) totals[key] = inv.paging.total;
      if (inv.paging.next !== undefined) nexts[key] = inv.paging.next;
      times[key] = timeBlock(started, base.core.clock());
    } catch (e) {
      if (!(e instanceof PortalError)) throw e;
      errors[key] = { error: e.code, error_description: e.message };
      if (halt) break;
    }
  }
  base.portal.stats.bump('batchCommands', Math.min(list.length, BATCH_LIMIT));
  return { result: phpMap(result), result_error: phpMap(errors), result_total: phpMap(totals), result_next: phpMap(nexts), result_time: phpMap(times) };
}

function splitCommand(command: string): [string, string] {
  const i = command.indexOf('?');
  return i < 0 ? [command.trim(), ''] : [command.slice(0, i).trim(), command.slice(i + 1)];
}

function parseQuery(query: string): Params {
  try {
    return parsePhpForm(query, { maxParams: 5000, maxDepth: 16 }) as Params;
  } catch {
    throw new PortalError('INVALID_REQUEST', 'The command query cannot be parsed');
  }
}
