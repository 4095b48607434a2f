import { request } from 'undici';
import type { Stack } from '../e2e/harness.js';

/** An answer of the app page: status, headers and the body text. */
export interface PageAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** What a page's forms carry: the session and its CSRF token. */
export type PageSession = { s: string; csrf: string };

/** What a test may change in a launch (everything else is what the portal posts). */
export interface LaunchOptions {
  userId?: number;
  authId?: string;
  memberId?: string;
  domain?: string;
  applicationToken?: string | null;
  accept?: string;
}

const form = (fields: Record<string, string>): string => new URLSearchParams(fields).toString();

async function answer(res: Awaited<ReturnType<typeof request>>): Promise<PageAnswer> {
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}

/**
 * Opens `/app` as the portal does (DOC settings/oauth/simple-way.md): a POST from the portal's page into
 * its iframe, `DOMAIN`, `PROTOCOL`, `LANG`, `APP_SID` in the query string and the tokens of the user who
 * opened it in the form body.
 */
export async function launch(stack: Stack, o: LaunchOptions = {}): Promise<PageAnswer> {
  const portal = stack.emu.portal;
  const tokens = portal.issueTokens(o.userId ?? 1);
  const query = new URLSearchParams({ DOMAIN: o.domain ?? portal.domain, PROTOCOL: '0', LANG: 'en', APP_SID: 'a1b2c3d4e5f6' });
  const body: Record<string, string> = {
    AUTH_ID: o.authId ?? tokens.accessToken, AUTH_EXPIRES: String(tokens.expiresIn), REFRESH_ID: tokens.refreshToken,
    SERVER_ENDPOINT: 'https://oauth.bitrix24.tech/rest/', APPLICATION_SCOPE: 'imbot,im', member_id: o.memberId ?? portal.memberId,
    status: 'L', PLACEMENT: 'DEFAULT',
  };
  if (o.applicationToken !== null) body['APPLICATION_TOKEN'] = o.applicationToken ?? portal.applicationToken;
  const portalOrigin = new URL(portal.clientEndpoint).origin;
  return answer(await request(`${stack.url}/app?${query}`, {
    method: 'POST', body: form(body),
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: portalOrigin, referer: `${portalOrigin}/marketplace/app/1/`,
      'sec-fetch-site': 'cross-site', accept: o.accept ?? 'text/html,application/xhtml+xml,*/*;q=0.8' },
  }));
}

/** The session and CSRF token of the page's first form. */
export function sessionOf(html: string): PageSession {
  const s = /name="s" value="([^"]+)"/.exec(html)?.[1];
  const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1];
  if (!s || !csrf) throw new Error(`no session form in the page: ${html.slice(0, 300)}`);
  return { s, csrf };
}

/** Posts a form of the page, from the page itself (same origin) unless `headers` say otherwise (`undefined` drops one). */
export async function act(stack: Stack, path: string, fields: Record<string, string>, headers: Record<string, string | undefined> = {}): Promise<PageAnswer> {
  const all = { 'content-type': 'application/x-www-form-urlencoded', origin: stack.url, 'sec-fetch-site': 'same-origin', accept: 'text/html', ...headers };
  const sent = Object.fromEntries(Object.entries(all).filter((e): e is [string, string] => e[1] !== undefined));
  return answer(await request(`${stack.url}/app${path}`, { method: 'POST', body: form(fields), headers: sent }));
}

/** The visible text of a page (tags dropped, entities of the escaper decoded, spaces collapsed). */
export function textOf(html: string): string {
  return html.replace(/<style[\s\S]*?<\/style>/g, '').replace(/<[^>]+>/g, ' ').replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)))
    .replace(/\s+/g, ' ').trim();
}
