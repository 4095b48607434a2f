import type { OutboxItem } from '../store/types.js';
import { badge, layout, postForm, relative, when, type Notice, type PageFrame } from './app-page-html.js';
import type { AppPageState, BotView, CommandView } from './app-page-state.js';
import { esc } from './html.js';

function perLanguage(values: Record<string, string>): string {
  const entries = Object.entries(values);
  if (entries.length === 0) return '<span class="muted">—</span>';
  return entries.map(([lang, v]) => `<div><span class="lang">${esc(lang)}</span>${esc(v)}</div>`).join('');
}

function commandRows(commands: readonly CommandView[]): string {
  if (commands.length === 0) return '<p class="muted small empty">No commands.</p>';
  const rows = commands.map((c) => `<tr><td class="mono">/${esc(c.name)}</td>
<td>${c.commandId === null ? badge('warn', 'not registered') : `#${c.commandId}`}${c.declared ? '' : ` ${badge('bad', 'removed from bots/')}`}</td>
<td>${perLanguage(c.title)}</td><td>${perLanguage(c.params)}</td></tr>`).join('');
  return `<table><tr><th>command</th><th>id</th><th>title</th><th>parameters</th></tr>${rows}</table>`;
}

function handlerCell(b: BotView): string {
  if (!b.registered) return '<span class="muted">—</span>';
  const url = b.handlerUrl === null ? '<span class="muted">none (fetch mode)</span>' : `<span class="mono">${esc(b.handlerUrl)}</span>`;
  return `${url} ${b.handlerCurrent ? badge('ok', 'current') : badge('warn', 'not current: sync')}`;
}

function botCard(f: PageFrame, b: BotView): string {
  const state = b.registered ? badge('ok', `registered #${b.botId ?? ''}`) : badge('warn', 'not registered');
  const declared = b.declared ? '' : ` ${badge('bad', 'removed from bots/')}`;
  const unregister = b.registered ? postForm(f, `/bots/${encodeURIComponent(b.code)}/unregister`, 'Unregister…', { cls: 'danger' }) : '';
  return `<section class="bot" data-bot="${esc(b.code)}"><div class="bot-head"><div><span class="name">${esc(b.name)}</span><span class="code">${esc(b.code)}</span></div>
<div class="row">${state}${declared}${unregister}</div></div>
<dl class="facts"><div><dt>id</dt><dd>${b.botId ?? '—'}</dd></div><div><dt>type</dt><dd>${esc(b.type)}</dd></div>
<div><dt>API</dt><dd>${esc(b.api ?? '—')}</dd></div><div><dt>events</dt><dd>${esc(b.eventMode ?? '—')}</dd></div>
<div><dt>handler URL</dt><dd>${handlerCell(b)}</dd></div></dl>${commandRows(b.commands)}</section>`;
}

function cards(f: PageFrame, s: AppPageState): string {
  const p = s.portal;
  const install = s.install.finished === false ? badge('bad', 'install not finished') : s.install.finished === true ? badge('ok', 'installed') : badge('warn', 'unknown');
  const status = p.status === 'reinstall_required' ? badge('bad', 'refresh refused: reinstall the app') : badge('ok', 'valid');
  const expiry = p.tokenExpiresAt === null ? '—' : `${when(p.tokenExpiresAt)} <span class="muted">(${esc(relative(p.tokenExpiresAt, f.now))})</span>`;
  const registered = s.bots.filter((b) => b.registered).length;
  return `<div class="cards">
<div class="card" id="install"><h3>Install</h3><p>${install}</p><p class="small">${esc(s.install.detail)}</p><p class="small muted">since ${when(p.installedAt)}</p></div>
<div class="card" id="token"><h3>Access token</h3><p>${status}</p><p class="small">expires ${expiry}</p><p class="small muted">last refreshed or stored ${when(p.tokenUpdatedAt)}</p></div>
<div class="card" id="sync"><h3>Registration</h3><p>${registered} of ${s.bots.filter((b) => b.declared).length} bots registered</p>
<p class="small muted">${esc(s.target.api)} · ${esc(s.target.eventMode)}${s.target.handlerUrl ? ` · ${esc(s.target.handlerUrl)}` : ''}</p>
<div class="row">${postForm(f, '/sync/plan', 'Preview sync', { cls: 'primary' })}${postForm(f, '/view', 'Refresh')}</div></div></div>`;
}

/** A dialogue key, shortened when long (v2 keys carry a hash), with the whole key as its tooltip. */
function dialogue(key: string): string {
  const short = key.length > 22 ? `${key.slice(0, 10)}…${key.slice(-8)}` : key;
  return `<td class="mono" title="${esc(key)}">${esc(short)}</td>`;
}

function itemTime(i: OutboxItem, now: number): string {
  return i.notBefore > now ? `retry ${esc(relative(i.notBefore, now))}` : 'ready';
}

function outboxTable(f: PageFrame, s: AppPageState): string {
  if (s.outbox.length === 0) return '<p class="muted">Nothing waiting: every reply was delivered.</p>';
  const rows = s.outbox.map((i) => `<tr><td class="num">${i.id}</td>${dialogue(i.dialogueKey)}<td class="mono">${esc(i.method)}</td>
<td class="num">${i.attempts}</td><td>${itemTime(i, f.now)}</td><td>${when(i.createdAt)}</td></tr>`).join('');
  const more = s.outboxMore ? '<p class="muted small">Only the oldest 50 are shown.</p>' : '';
  return `<div class="table"><table id="outbox"><tr><th>id</th><th>dialogue</th><th>method</th><th>attempts</th><th>state</th><th>queued</th></tr>${rows}</table></div>${more}`;
}

function deadTable(f: PageFrame, s: AppPageState): string {
  if (s.dead.length === 0) return '<p class="muted">No dead letters.</p>';
  const rows = s.dead.map((d) => `<tr data-dead="${d.id}"><td class="num">${d.id}</td>${dialogue(d.dialogueKey)}<td class="mono">${esc(d.method)}</td>
<td>${esc(d.reason)}</td><td class="num">${d.attempts}</td><td class="actions">${postForm(f, `/dead/${d.id}/retry`, 'Retry')} ${postForm(f, `/dead/${d.id}/discard`, 'Discard…', { cls: 'danger' })}</td></tr>`).join('');
  const more = s.deadMore ? '<p class="muted small">Only the newest 50 are shown.</p>' : '';
  return `<div class="table"><table id="dead"><tr><th>id</th><th>dialogue</th><th>method</th><th>reason</th><th>attempts</th><th></th></tr>${rows}</table></div>${more}`;
}

function errorList(s: AppPageState): string {
  if (s.errors.length === 0) return '<p class="muted">No warnings or errors since the server started.</p>';
  const rows = s.errors.map((e) => `<tr><td>${when(e.at)}</td><td>${e.level === 'error' ? badge('bad', 'error') : badge('warn', 'warn')}</td>
<td>${esc(e.message)}${e.detail ? `<div class="muted small">${esc(e.detail)}</div>` : ''}</td><td class="mono">${esc(e.code ?? '')}</td></tr>`).join('');
  return `<div class="table"><table id="errors"><tr><th>time</th><th>level</th><th>message</th><th>code</th></tr>${rows}</table></div>`;
}

/** The app page: install and token state, each bot with its commands, the outbox, dead letters and recent errors. */
export function renderOverview(f: PageFrame, s: AppPageState, notice?: Notice): string {
  const bots = s.bots.length === 0 ? '<p class="muted">No bots are declared in bots/.</p>' : s.bots.map((b) => botCard(f, b)).join('');
  const body = `<h1>Bots on ${esc(s.portal.domain)}</h1>${cards(f, s)}
<h2>Bots <span class="count">${s.bots.length}</span></h2>${bots}
<h2>Outbox <span class="count">${s.outbox.length}${s.outboxMore ? '+' : ''} waiting</span></h2>${outboxTable(f, s)}
<h2>Dead letters <span class="count">${s.dead.length}${s.deadMore ? '+' : ''}</span></h2>${deadTable(f, s)}
<h2>Recent errors <span class="count">${s.errors.length}</span></h2>${errorList(s)}`;
  return layout(f, `Bots · ${s.portal.domain}`, body, notice);
}
