import type { IncomingMessage, ServerResponse } from 'node:http';
import { parsePhpForm } from '../protocol/php-form.js';
import { pressableButtons } from './content.js';
import { readBody } from './http-io.js';
import { asInt, asString } from './params.js';
import type { PortalState } from './portal-state.js';
import type { Portal } from './portal.js';

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function messageRows(state: PortalState): string {
  return state.chats.allMessages().slice(-200).map((m) => {
    const author = state.directory.get(m.authorId)?.name ?? String(m.authorId);
    const chat = state.chats.chat(m.chatId);
    const where = chat?.kind === 'group' ? `chat${chat.id} ${chat.title}` : 'private';
    const buttons = m.botId === null || m.deleted ? '' : pressableButtons(m.keyboard).map((b, i) =>
      `<form method="post" action="ui/press" style="display:inline"><input type="hidden" name="messageId" value="${m.id}">` +
      `<button name="button" value="${i}">${esc(asString(b['TEXT']) ?? '?')}</button></form>`).join(' ');
    const text = m.deleted ? '<i>deleted</i>' : esc(m.text).replace(/\n/g, '<br>');
    return `<tr><td>${m.id}</td><td>${esc(where)}</td><td><b>${esc(author)}</b></td><td>${text}${m.updated ? ' <i>(edited)</i>' : ''}<div>${buttons}</div></td></tr>`;
  }).join('\n');
}

/** The server-rendered chat page of a portal: bots, recent messages, a form to write as user 1. */
export function renderPage(state: PortalState, notice: string): string {
  const bots = state.bots.all();
  const groups = state.chats.allChats().filter((c) => c.kind === 'group');
  const targets = [...bots.map((b) => [b.code, `${b.code} (private)`]), ...groups.map((c) => [`chat${c.id}`, `chat${c.id} ${c.title}`])]
    .map(([v, label]) => `<option value="${esc(v ?? '')}">${esc(label ?? '')}</option>`).join('');
  const botRows = bots.map((b) => `<tr><td>${b.id}</td><td>${esc(b.code)}</td><td>${esc(state.botUser(b).name)}</td><td>${b.api}</td><td>${b.type}</td><td>${b.eventMode}</td></tr>`).join('');
  return `<!doctype html><html><head><meta charset="utf-8"><title>Bitrix24 emulator</title>
<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top}</style></head>
<body><h1>Bitrix24 emulator</h1><p>REST: <code>${esc(state.clientEndpoint)}</code> · member_id <code>${esc(state.memberId)}</code></p>
${notice ? `<p style="color:#b00">${esc(notice)}</p>` : ''}
<h2>Bots</h2><table><tr><th>id</th><th>code</th><th>name</th><th>api</th><th>type</th><th>events</th></tr>${botRows}</table>
<h2>Write as user 1</h2><form method="post" action="ui/send"><select name="to">${targets}</select>
<input name="text" size="60" autofocus> <button>Send</button></form>
<h2>Messages</h2><table><tr><th>id</th><th>chat</th><th>author</th><th>text</th></tr>${messageRows(state)}</table></body></html>`;
}

function send(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
  res.end(html);
}

/** Serves `GET /`, `POST /ui/send` and `POST /ui/press` of a portal's page (`sub` is the path after the base). */
export async function handlePage(portal: Portal, state: PortalState, req: IncomingMessage, res: ServerResponse, sub: string): Promise<void> {
  const base = `${state.basePath}/`;
  if (req.method === 'GET' && sub === '/') {
    const notice = new URL(req.url ?? '/', 'http://e').searchParams.get('notice') ?? '';
    return send(res, 200, renderPage(state, notice));
  }
  if (req.method !== 'POST' || (sub !== '/ui/send' && sub !== '/ui/press')) return send(res, 404, 'not found');
  const form = parsePhpForm(await readBody(req));
  let notice = '';
  try {
    if (sub === '/ui/send') await portal.sendMessage({ from: 1, to: asString(form['to']) ?? '', text: asString(form['text']) ?? '' });
    else await portal.pressButton({ from: 1, messageId: asInt(form['messageId']) ?? 0, button: asInt(form['button']) ?? 0 });
  } catch (e) {
    notice = (e as Error).message;
  }
  res.writeHead(303, { location: notice ? `${base}?notice=${encodeURIComponent(notice)}` : base });
  res.end();
}
