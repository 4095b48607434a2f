import { CSRF_FIELD } from './app-page-csrf.js';
import { esc } from './html.js';

/** What every page of a session shows and carries: where to post, the session and its CSRF token. */
export interface PageFrame {
  /** Path prefix of the app routes as the browser sees them (`PUBLIC_URL`'s path + `/app`). */
  base: string;
  domain: string;
  userId: number;
  /** The session token the page's forms carry (a fresh one per page). */
  session: string;
  csrf: string;
  sessionExpiresAt: number;
  now: number;
}

/** `2026-11-29 10:06 UTC`. */
export function when(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms) || ms <= 0) return '—';
  return `${new Date(ms).toISOString().replace('T', ' ').slice(0, 16)} UTC`;
}

/** `in 58 min`, `3 h ago`. */
export function relative(ms: number, now: number): string {
  const d = ms - now;
  const a = Math.abs(d);
  const span = a < 90_000 ? `${Math.max(1, Math.round(a / 1000))} s` : a < 5_400_000 ? `${Math.round(a / 60_000)} min`
    : a < 172_800_000 ? `${Math.round(a / 3_600_000)} h` : `${Math.round(a / 86_400_000)} d`;
  return d >= 0 ? `in ${span}` : `${span} ago`;
}

/** A small coloured label. */
export const badge = (kind: 'ok' | 'warn' | 'bad' | 'info', text: string): string => `<span class="badge ${kind}">${esc(text)}</span>`;

/** A POST form with the session and CSRF fields, extra hidden fields and one button. */
export function postForm(f: PageFrame, action: string, button: string, o: { fields?: Record<string, string>; cls?: string; title?: string } = {}): string {
  const hidden = { s: f.session, [CSRF_FIELD]: f.csrf, ...o.fields };
  const inputs = Object.entries(hidden).map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`).join('');
  const cls = o.cls ? ` class="${esc(o.cls)}"` : '';
  const title = o.title ? ` title="${esc(o.title)}"` : '';
  return `<form method="post" action="${esc(f.base + action)}">${inputs}<button type="submit"${cls}${title}>${esc(button)}</button></form>`;
}

/** A notice above the page content. */
export interface Notice {
  kind: 'ok' | 'bad' | 'info';
  text: string;
}

/** The whole document: header with the portal and the admin, the stylesheet, the content. */
export function layout(f: PageFrame, title: string, body: string, notice?: Notice): string {
  const who = `${esc(f.domain)} · administrator #${f.userId} · session ${esc(relative(f.sessionExpiresAt, f.now).replace(/^in /, 'for '))}`;
  const note = notice ? `<div class="notice ${notice.kind}" role="status">${esc(notice.text)}</div>` : '';
  return document(f.base, title, `<header class="top"><div class="brand">b24-botkit · bots</div><div class="who">${who}</div></header>
<main>${note}${body}</main>`);
}

/** A bare HTML document with the app stylesheet. */
export function document(base: string, title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)}</title><link rel="stylesheet" href="${esc(base)}/style.css"></head><body>${body}</body></html>`;
}

/** The page of a refusal: what happened, its code, and what to do. */
export function errorPage(base: string, status: number, code: string, message: string): string {
  const hint = status === 401 || status === 403
    ? 'Open the app again from the portal menu (Applications). Only portal administrators can manage the bots.'
    : 'Try again in a moment; if it keeps failing, check the server log.';
  return document(base, `${status} ${code}`, `<div class="error-page"><h1>${status === 403 ? 'Not allowed' : status === 401 ? 'Not signed in' : 'Something went wrong'}</h1>
<p>${esc(message)}</p><p class="muted small">Error code <span class="mono">${esc(code)}</span> · HTTP ${status}</p><p>${esc(hint)}</p></div>`);
}
