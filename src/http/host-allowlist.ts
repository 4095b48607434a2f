/** One entry of `B24_PORTAL_HOSTS`: an exact host or a `*.` wildcard, with an optional port. */
export interface HostPattern {
  /** Lower-case host without port; a leading `*.` matches exactly one or more labels. */
  host: string;
  port: number | null;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);
const HOST_RE = /^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;

/** Parses a comma-separated allowlist such as `*.bitrix24.com,portal.example.com:8443,127.0.0.1:*`. */
export function parseHostPatterns(list: string): HostPattern[] {
  return list.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean).map((entry) => {
    const m = /^(.+?)(?::(\d{1,5}|\*))?$/.exec(entry);
    const host = m?.[1] ?? '';
    if (!HOST_RE.test(host)) throw new Error(`"${entry}" is not a host pattern`);
    const port = m?.[2] === undefined ? null : m[2] === '*' ? -1 : Number(m[2]);
    return { host, port };
  });
}

/** True when `host` is a loopback name or address (plain http is allowed only there). */
export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host.toLowerCase());
}

function hostMatches(pattern: string, host: string): boolean {
  if (!pattern.startsWith('*.')) return pattern === host;
  const suffix = pattern.slice(1);
  return host.endsWith(suffix) && host.length > suffix.length;
}

/**
 * Decides whether the framework may send requests (and tokens) to `url`: https to an allowed host,
 * or plain http to an allowed loopback host. A port in the pattern must match; without one only
 * the scheme's default port is allowed; `:*` allows any port.
 */
export function isAllowedPortalUrl(url: string, patterns: readonly HostPattern[]): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.username || parsed.password) return false;
  const host = parsed.hostname.toLowerCase();
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && isLoopback(host))) return false;
  const port = parsed.port === '' ? null : Number(parsed.port);
  return patterns.some((p) => hostMatches(p.host, host) && (p.port === -1 || p.port === port));
}
