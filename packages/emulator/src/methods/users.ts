import type { UserRec } from '../directory.js';
import { asInt, asObject, asString, type Params } from '../params.js';
import { ListPage, type MethodHandler } from '../rest.js';

/** Rows per page of every list method (docs api-reference/user/user-get.md, `start`: "always 50"). */
export const PAGE_SIZE = 50;

/** A top-level param that filters (`ID`, `>=ID`, `UF_DEPARTMENT`): upper-case field names with an optional prefix. */
const FILTER_KEY = /^(>=|<=|!=|!@|!%|>|<|@|%|=|!)?[A-Z][A-Z0-9_]*$/;
const OWN_KEYS = new Set(['FILTER', 'ADMIN_MODE', 'IMAGE_RESIZE']);

/** The user row of `user.get` (docs api-reference/user/user-get.md, "Обработка ответа"). */
export function userRow(u: UserRec): Record<string, unknown> {
  return {
    ID: String(u.id), ACTIVE: true, NAME: u.firstName, LAST_NAME: u.lastName, SECOND_NAME: '',
    EMAIL: `user${u.id}@example.com`, TIME_ZONE: '', IS_ONLINE: 'Y', PERSONAL_GENDER: u.gender,
    WORK_POSITION: u.workPosition, UF_DEPARTMENT: [1], USER_TYPE: 'employee',
  };
}

type Cond = (row: Record<string, unknown>) => boolean;

function compare(a: unknown, b: unknown): number {
  const na = Number(a);
  const nb = Number(b);
  if (!Number.isNaN(na) && !Number.isNaN(nb)) return na - nb;
  return String(a).localeCompare(String(b));
}

/** One filter key with its documented prefix (`>=ID`, `!NAME`, `%NAME`, `@ID`...). */
function condition(key: string, value: unknown): Cond {
  const m = /^(>=|<=|!=|!@|!%|>|<|@|%|=|!)?(.+)$/.exec(key);
  const op = m?.[1] ?? '=';
  const field = m?.[2] ?? key;
  const list = Array.isArray(value) ? value.map(String) : [String(value)];
  return (row) => {
    const v = row[field];
    const c = compare(v, value);
    switch (op) {
      case '>': return c > 0;
      case '>=': return c >= 0;
      case '<': return c < 0;
      case '<=': return c <= 0;
      case '!': case '!=': return !list.includes(String(v));
      case '@': return list.includes(String(v));
      case '!@': return !list.includes(String(v));
      case '%': return String(v).toLowerCase().includes(String(value).toLowerCase());
      case '!%': return !String(v).toLowerCase().includes(String(value).toLowerCase());
      default: return list.includes(String(v)) || (typeof v === 'boolean' && String(v) === String(value));
    }
  };
}

function filterOf(params: Params): Cond[] {
  const explicit = asObject(params['FILTER']) ?? asObject(params['filter']);
  const source = explicit ?? Object.fromEntries(Object.entries(params).filter(([k]) => FILTER_KEY.test(k) && !OWN_KEYS.has(k)));
  return Object.entries(source).map(([k, v]) => condition(k, v));
}

/** `sort`+`order` strings, or an `order` map (`{ID: 'ASC'}`, as the SDK's list helpers send it). */
function sorter(params: Params): (a: Record<string, unknown>, b: Record<string, unknown>) => number {
  const map = asObject(params['order']);
  const [field, dir] = map ? (Object.entries(map)[0] ?? ['ID', 'ASC']) : [asString(params['sort']) ?? 'ID', asString(params['order']) ?? 'ASC'];
  const sign = String(dir).toUpperCase() === 'DESC' ? -1 : 1;
  return (a, b) => sign * compare(a[field], b[field]);
}

/**
 * `user.get`: the portal's people (bots excluded), filtered, sorted, 50 a page. `start` selects the page
 * and the answer carries `total` and `next`; `start=-1` skips counting (no `total`, no `next`), as the
 * docs advise for cursor paging by `>ID`.
 */
export const userGet: MethodHandler = (ctx, params) => {
  const conds = filterOf(params);
  const rows = ctx.portal.directory.all().filter((u) => !u.isBot).map(userRow)
    .filter((row) => conds.every((c) => c(row))).sort(sorter(params));
  const start = asInt(params['start']) ?? 0;
  if (start < 0) return new ListPage(rows.slice(0, PAGE_SIZE), null, null);
  const page = rows.slice(start, start + PAGE_SIZE);
  const next = start + PAGE_SIZE < rows.length ? start + PAGE_SIZE : null;
  return new ListPage(page, rows.length, next);
};

/** `user.get`. */
export const userMethods: Record<string, MethodHandler> = { 'user.get': userGet };
