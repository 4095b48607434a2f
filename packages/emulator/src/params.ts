import { PortalError } from './portal-error.js';

/** Request parameters after parsing: JSON values, or strings and nested maps from a form body. */
export type Params = Record<string, unknown>;

/** The first defined value among `names` (camelCase name first, then its UPPER_SNAKE alias). */
export function pick(p: Params, ...names: string[]): unknown {
  for (const name of names) if (p[name] !== undefined) return p[name];
  return undefined;
}

/** A string for strings and numbers, `undefined` otherwise. */
export function asString(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

/** An integer from a number or a decimal string, `undefined` otherwise. */
export function asInt(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^-?\d+$/.test(v.trim())) return Number(v.trim());
  return undefined;
}

/** Bitrix boolean rules: `true`, `"Y"`, `"1"`, `"TRUE"` are true; absent gives `fallback`. */
export function asBool(v: unknown, fallback: boolean): boolean {
  if (v === undefined || v === null) return fallback;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v === 1;
  if (typeof v === 'string') return ['Y', '1', 'TRUE'].includes(v.trim().toUpperCase());
  return false;
}

/** A plain object (also from a JSON string), `undefined` for anything else. */
export function asObject(v: unknown): Params | undefined {
  if (typeof v === 'string' && /^\s*\{/.test(v)) {
    try {
      return asObject(JSON.parse(v));
    } catch {
      return undefined;
    }
  }
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) return v as Params;
  return undefined;
}

/**
 * A list from an array, or from a form map with numeric keys (`KEYBOARD[0][TEXT]` parses into
 * `{"0": {...}}` because numeric keys stay keys), or from a JSON array string.
 */
export function asList(v: unknown): unknown[] | undefined {
  if (Array.isArray(v)) return v;
  if (typeof v === 'string' && /^\s*\[/.test(v)) {
    try {
      return asList(JSON.parse(v));
    } catch {
      return undefined;
    }
  }
  const o = asObject(v);
  if (!o) return undefined;
  const keys = Object.keys(o);
  if (!keys.every((k) => /^\d+$/.test(k))) return undefined;
  return keys.sort((a, b) => Number(a) - Number(b)).map((k) => o[k]);
}

/** The same map with upper-cased top-level keys (v1 imbot methods ignore the case of their params). */
export function upperKeys(p: Params): Params {
  const out: Params = {};
  for (const [k, v] of Object.entries(p)) out[k.toUpperCase()] = v;
  return out;
}

/** A required positive integer, or the given error. */
export function requireInt(v: unknown, code: string, description: string): number {
  const n = asInt(v);
  if (n === undefined || n <= 0) throw new PortalError(code, description);
  return n;
}

/** True for an absolute http(s) URL, the only handler URLs the emulator can call. */
export function isHandlerUrl(v: unknown): v is string {
  if (typeof v !== 'string') return false;
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}
