// The emulator's chat page: dialogues, a composer with command autocomplete and @-mentions, messages
// rendered by the server (BB-code, attachments, keyboards: escaped or whitelisted there), live updates by
// server-sent events, and an inspector (REST calls, event pushes, bucket level, fault controls).
// Plain browser JavaScript, no framework. Text from the portal goes in with textContent; only the
// server-rendered message HTML is set with innerHTML.
'use strict';

const $ = (sel) => document.querySelector(sel);
const el = (tag, cls, text) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
};

const ICONS = {
  like: 'M1 21h4V9H1v12zm22-11c0-1.1-.9-2-2-2h-6.31l.95-4.57.03-.32c0-.41-.17-.79-.44-1.06L14.17 1 7.59 7.59C7.22 7.95 7 8.45 7 9v10c0 1.1.9 2 2 2h9c.83 0 1.54-.5 1.84-1.22l3.02-7.05c.09-.23.14-.47.14-.73v-2z',
  edit: 'M3 17.25V21h3.75L17.81 9.94l-3.75-3.75L3 17.25zM20.71 7.04a1 1 0 0 0 0-1.41l-2.34-2.34a1 1 0 0 0-1.41 0l-1.83 1.83 3.75 3.75 1.83-1.83z',
  delete: 'M6 19c0 1.1.9 2 2 2h8c1.1 0 2-.9 2-2V7H6v12zM19 4h-3.5l-1-1h-5l-1 1H5v2h14V4z',
};

/** A 14 px SVG icon (no emoji: headless and minimal systems lack emoji fonts). */
function icon(name) {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('class', 'icon');
  const p = document.createElementNS(ns, 'path');
  p.setAttribute('d', ICONS[name]);
  svg.append(p);
  return svg;
}

const S = {
  state: null, me: 1, lang: 'en', chatId: null,
  messages: new Map(), // chatId -> Map(id -> view)
  unread: new Map(), last: new Map(),
  typing: new Map(), // userId -> timer (current chat)
  requests: [], deliveries: [], bucket: [], tab: 'calls', open: new Set(), seq: 0,
  editing: null, suggest: { items: [], index: 0, kind: null },
};

// ---- API ----

async function api(name, body) {
  const res = await fetch(`ui/api/${name}`, body === undefined ? {} : {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  const data = await res.json();
  if (!res.ok) throw new Error(data.error_description || data.error || `HTTP ${res.status}`);
  return data;
}

let toastTimer = 0;
function toast(text) {
  const t = $('#toast');
  t.textContent = text;
  t.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { t.hidden = true; }, 3500);
}

function act(name, body) {
  return api(name, body).catch((e) => { toast(e.message); return null; });
}

// ---- state and dialogues ----

const user = (id) => S.state?.users.find((u) => u.id === id);
const botById = (id) => S.state?.bots.find((b) => b.id === id);
const chat = (id) => S.state?.chats.find((c) => c.id === id);

function avatar(id, name, big) {
  const a = el('span', `avatar${big ? ' big' : ''}${botById(id) ? ' bot' : ''}`, (name || '?').trim().charAt(0).toUpperCase());
  a.style.background = user(id)?.color || '#2fc6f6';
  return a;
}

function privateChatOf(botId) {
  return S.state.chats.find((c) => c.kind === 'private' && c.members.includes(S.me) && c.members.includes(botId) && c.members.length === 2);
}

async function loadState() {
  S.state = await api('state');
  $('#portal-name').textContent = S.state.portal.domain;
  const me = $('#me');
  const people = S.state.users.filter((u) => !u.isBot);
  if (me.options.length !== people.length) {
    me.replaceChildren(...people.map((u) => { const o = el('option', '', u.name); o.value = String(u.id); return o; }));
    me.value = String(S.me);
  }
  const langs = new Set(['en']);
  for (const b of S.state.bots) for (const c of b.commands) for (const l of Object.keys(c.title || {})) langs.add(l);
  const lang = $('#lang');
  if (lang.options.length !== langs.size) {
    lang.replaceChildren(...[...langs].map((l) => { const o = el('option', '', l); o.value = l; return o; }));
    lang.value = S.lang;
  }
  renderDialogs();
  renderFaultControls();
  renderHead();
}

function dialogButton(key, title, tag, last, unread, onClick, avatarId) {
  const b = el('button', `dialog${key === S.activeKey ? ' active' : ''}`);
  b.type = 'button';
  b.dataset.key = key;
  b.append(avatar(avatarId, title));
  const meta = el('div', 'meta');
  const name = el('div', 'name');
  name.append(el('span', '', title));
  if (tag) name.append(el('span', 'tag', tag));
  if (unread) name.append(el('span', 'badge', String(unread)));
  meta.append(name, el('div', 'last', last || ''));
  b.append(meta);
  b.addEventListener('click', onClick);
  return b;
}

function lastText(chatId) {
  const m = S.last.get(chatId);
  if (!m) return '';
  const div = document.createElement('div');
  div.innerHTML = m.html;
  // textContent drops <br>: keep line breaks as spaces in the one-line preview.
  for (const br of div.querySelectorAll('br')) br.replaceWith(' ');
  return `${m.authorId === S.me ? 'You: ' : ''}${div.textContent.replace(/\s+/g, ' ').trim()}`;
}

function renderDialogs() {
  const nav = $('#dialogs');
  const items = [el('h3', '', 'Bots')];
  for (const b of S.state.bots) {
    const c = privateChatOf(b.id);
    const tag = `${b.api}${b.eventMode === 'fetch' ? ' · fetch' : ''}`;
    items.push(dialogButton(`bot:${b.code}`, b.name, tag, c ? lastText(c.id) : b.type, c ? S.unread.get(c.id) : 0, () => openBot(b), b.id));
  }
  const groups = S.state.chats.filter((c) => c.kind === 'group' && c.members.includes(S.me));
  if (groups.length) items.push(el('h3', '', 'Group chats'));
  for (const g of groups) {
    items.push(dialogButton(`chat:${g.id}`, g.title, `${g.members.length}`, lastText(g.id), S.unread.get(g.id), () => openChat(g.id, `chat:${g.id}`), 0));
  }
  nav.replaceChildren(...items);
}

function renderHead() {
  const c = S.chatId === null ? null : chat(S.chatId);
  if (!c) return;
  const other = c.kind === 'private' ? c.members.find((id) => id !== S.me) : null;
  const bot = other === null ? null : botById(other);
  $('#chat-title').textContent = c.kind === 'group' ? c.title : (user(other)?.name || 'Dialogue');
  $('#chat-sub').textContent = c.kind === 'group'
    ? c.members.map((id) => user(id)?.name || id).join(', ')
    : bot ? `chat bot · ${bot.api === 'v2' ? 'Chat bots 2.0' : 'classic imbot'} · events by ${bot.eventMode}` : '';
  const av = $('#chat-avatar');
  av.replaceWith(Object.assign(avatar(c.kind === 'group' ? 0 : other, $('#chat-title').textContent, true), { id: 'chat-avatar' }));
}

async function openBot(b) {
  const out = await act('open', { from: S.me, bot: b.code });
  if (!out) return;
  await loadState();
  await openChat(out.result.chatId, `bot:${b.code}`);
}

async function openChat(chatId, key) {
  S.chatId = chatId;
  S.activeKey = key;
  S.unread.delete(chatId);
  S.editing = null;
  $('#editing').hidden = true;
  // Messages that arrive by SSE while the history loads are kept and win over the (older) snapshot.
  const live = new Map();
  S.messages.set(chatId, live);
  const list = await api(`messages?chat=${chatId}`);
  const map = new Map(list.map((m) => [m.id, m]));
  for (const [id, m] of live) map.set(id, m);
  S.messages.set(chatId, new Map([...map].sort((a, b) => a[0] - b[0])));
  renderDialogs();
  renderHead();
  renderMessages();
  $('#input').focus();
}

// ---- messages ----

function timeOf(iso) {
  return new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

function messageNode(m) {
  const own = m.authorId === S.me && !m.isBot;
  const row = el('div', `msg${own ? ' own' : ''}${m.system ? ' system' : ''}${m.isBot ? ' from-bot' : ''}`);
  row.dataset.id = String(m.id);
  row.append(avatar(m.authorId, m.authorName));
  const bubble = el('div', 'bubble');
  if (!own && !m.system) {
    const a = el('div', 'author', m.authorName);
    a.style.color = user(m.authorId)?.color || '#2066b0';
    bubble.append(a);
  }
  const body = el('div', 'body');
  body.innerHTML = m.html; // rendered and escaped by the emulator (src/emulator/ui/bbcode.ts, blocks.ts)
  bubble.append(body);
  if (m.keyboard) bubble.insertAdjacentHTML('beforeend', m.keyboard);
  if (m.reactions.length) {
    const r = el('div', 'reactions');
    for (const x of m.reactions) {
      const chip = el('button', `reaction${x.userIds.includes(S.me) ? ' mine' : ''}`);
      chip.append(x.code === 'like' ? icon('like') : el('span', '', x.code), el('span', '', ` ${x.count}`));
      chip.type = 'button';
      chip.dataset.react = x.code;
      r.append(chip);
    }
    bubble.append(r);
  }
  const foot = el('div', 'foot', `${m.updated && !m.deleted ? 'edited · ' : ''}${timeOf(m.date)}`);
  bubble.append(foot);
  row.append(bubble);
  if (m.menu) row.insertAdjacentHTML('beforeend', m.menu);
  if (!m.deleted && !m.system) {
    const actions = el('div', 'actions');
    const like = el('button');
    like.append(icon('like'));
    like.type = 'button';
    like.title = 'Like';
    like.dataset.react = 'like';
    actions.append(like);
    if (own) {
      for (const op of ['edit', 'delete']) {
        const b = el('button');
        b.append(icon(op));
        b.type = 'button';
        b.dataset.op = op;
        b.title = op === 'edit' ? 'Edit' : 'Delete';
        actions.append(b);
      }
    }
    row.append(actions);
  }
  return row;
}

function renderMessages() {
  const box = $('#messages');
  const map = S.messages.get(S.chatId);
  if (!map || map.size === 0) {
    box.replaceChildren(el('div', 'empty', 'No messages yet. Say hi, or type / for the commands.'));
    return;
  }
  box.replaceChildren(...[...map.values()].map(messageNode));
  box.scrollTop = box.scrollHeight;
}

function upsertMessage(m) {
  S.last.set(m.chatId, m);
  const map = S.messages.get(m.chatId);
  if (map) map.set(m.id, m);
  if (!chat(m.chatId)) return void refreshState();
  if (m.chatId !== S.chatId) {
    if (m.authorId !== S.me && !m.updated) S.unread.set(m.chatId, (S.unread.get(m.chatId) || 0) + 1);
    return renderDialogs();
  }
  stopTyping(m.authorId);
  const box = $('#messages');
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
  const old = box.querySelector(`.msg[data-id="${m.id}"]`);
  const node = messageNode(m);
  if (old) old.replaceWith(node);
  else {
    box.querySelector('.empty')?.remove();
    box.append(node);
  }
  if (atBottom || m.authorId === S.me) box.scrollTop = box.scrollHeight;
  renderDialogs();
}

function showTyping() {
  const names = [...S.typing.keys()].map((id) => user(id)?.name || id);
  const t = $('#typing');
  t.hidden = names.length === 0;
  t.textContent = names.length ? `${names.join(', ')} ${names.length > 1 ? 'are' : 'is'} typing…` : '';
}

function stopTyping(userId) {
  clearTimeout(S.typing.get(userId));
  if (S.typing.delete(userId)) showTyping();
}

function onTyping(t) {
  if (t.chatId !== S.chatId) return;
  clearTimeout(S.typing.get(t.userId));
  S.typing.set(t.userId, setTimeout(() => stopTyping(t.userId), 6000));
  showTyping();
}

// ---- clicks inside messages ----

async function onMessagesClick(e) {
  const t = e.target.closest('[data-press],[data-menu],[data-action],[data-send],[data-put],[data-react],[data-op]');
  if (!t || t.disabled) return;
  const row = t.closest('.msg');
  const messageId = row ? Number(row.dataset.id) : 0;
  if (t.dataset.press) {
    const [mid, i] = t.dataset.press.split(':').map(Number);
    return void act('press', { from: S.me, messageId: mid, button: i });
  }
  if (t.dataset.menu) {
    t.closest('details')?.removeAttribute('open');
    const [mid, i] = t.dataset.menu.split(':').map(Number);
    return void act('menu', { from: S.me, messageId: mid, item: i });
  }
  if (t.dataset.send !== undefined) return void sendText(t.dataset.send);
  if (t.dataset.put !== undefined) return putText(t.dataset.put);
  if (t.dataset.action) return clientAction(t.dataset.action, t.dataset.value || '');
  if (t.dataset.react) {
    const m = S.messages.get(S.chatId)?.get(messageId);
    const mine = m?.reactions.find((r) => r.code === t.dataset.react)?.userIds.includes(S.me);
    return void act('react', { from: S.me, messageId, reaction: t.dataset.react, action: mine ? 'delete' : 'add' });
  }
  if (t.dataset.op === 'delete') return void act('delete', { from: S.me, messageId });
  if (t.dataset.op === 'edit') {
    const m = S.messages.get(S.chatId)?.get(messageId);
    S.editing = messageId;
    $('#editing').hidden = false;
    putText(m ? m.text ?? textOf(m) : '');
  }
}

function textOf(m) {
  const div = document.createElement('div');
  div.innerHTML = m.html;
  // textContent drops <br>: keep line breaks as spaces in the one-line preview.
  for (const br of div.querySelectorAll('br')) br.replaceWith(' ');
  return div.textContent;
}

/** Keyboard ACTION buttons run in the client (docs: PUT, SEND, COPY, CALL, DIALOG). */
function clientAction(action, value) {
  if (action === 'put') return putText(value);
  if (action === 'send') return void sendText(value);
  if (action === 'copy') return void navigator.clipboard?.writeText(value).then(() => toast('Copied'), () => toast(value));
  if (action === 'call') return toast(`Calling ${value}…`);
  if (action === 'dialog') {
    const m = /^chat(\d+)$/.exec(value);
    if (m) return void openChat(Number(m[1]), `chat:${m[1]}`);
    const bot = botById(Number(value));
    if (bot) return void openBot(bot);
  }
}

function putText(text) {
  const input = $('#input');
  input.value = text;
  input.focus();
  autosize();
}

async function sendText(text) {
  if (S.chatId === null || !text.trim()) return;
  if (S.editing !== null) {
    const messageId = S.editing;
    S.editing = null;
    $('#editing').hidden = true;
    return void act('edit', { from: S.me, messageId, text });
  }
  await act('send', { from: S.me, chatId: S.chatId, text });
}

// ---- composer: slash commands and @-mentions ----

function commandsHere() {
  const c = chat(S.chatId);
  if (!c) return [];
  const members = new Set(c.members);
  const out = [];
  for (const b of S.state.bots) {
    for (const cmd of b.commands) {
      if (members.has(b.id) || (cmd.common && c.kind === 'group')) out.push({ bot: b, cmd });
    }
  }
  return out;
}

function titleOf(map) {
  return (map && (map[S.lang] || map.en || Object.values(map)[0])) || '';
}

function updateSuggest() {
  const input = $('#input');
  const before = input.value.slice(0, input.selectionStart);
  const slash = /^\/([^\s]*)$/.exec(before);
  const at = /(?:^|\s)@([^\s@]*)$/.exec(before);
  let items = [];
  let kind = null;
  if (slash) {
    kind = 'command';
    const q = slash[1].toLowerCase();
    items = commandsHere().filter((x) => x.cmd.command.toLowerCase().startsWith(q));
  } else if (at) {
    kind = 'mention';
    const q = at[1].toLowerCase();
    const c = chat(S.chatId);
    items = (c ? c.members : []).filter((id) => id !== S.me).map((id) => user(id)).filter((u) => u && u.name.toLowerCase().includes(q));
  }
  S.suggest = { items, index: 0, kind };
  renderSuggest();
}

function renderSuggest() {
  const box = $('#suggest');
  const { items, index, kind } = S.suggest;
  box.hidden = items.length === 0;
  box.replaceChildren(...items.map((x, i) => {
    const row = el('div', `sg${i === index ? ' on' : ''}`);
    row.setAttribute('role', 'option');
    row.dataset.i = String(i);
    if (kind === 'command') {
      row.append(el('b', '', `/${x.cmd.command}`), el('span', 'params', titleOf(x.cmd.params)), el('span', 'title', titleOf(x.cmd.title)), el('span', 'from', x.bot.name));
    } else {
      row.append(avatar(x.id, x.name), el('b', '', x.name), el('span', 'from', x.isBot ? 'bot' : x.workPosition || ''));
    }
    row.addEventListener('mousedown', (e) => { e.preventDefault(); pick(i); });
    return row;
  }));
}

function pick(i) {
  const input = $('#input');
  const x = S.suggest.items[i];
  if (!x) return;
  const caret = input.selectionStart;
  const before = input.value.slice(0, caret);
  const after = input.value.slice(caret);
  if (S.suggest.kind === 'command') {
    input.value = `/${x.cmd.command} ${after.trimStart()}`;
  } else {
    const head = before.replace(/@([^\s@]*)$/, `[USER=${x.id}]${x.name}[/USER] `);
    input.value = head + after;
    input.setSelectionRange(head.length, head.length);
  }
  S.suggest = { items: [], index: 0, kind: null };
  renderSuggest();
  input.focus();
}

function autosize() {
  const input = $('#input');
  input.style.height = 'auto';
  input.style.height = `${Math.min(140, input.scrollHeight + 2)}px`;
}

function onKey(e) {
  const sg = S.suggest;
  if (sg.items.length) {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      sg.index = (sg.index + (e.key === 'ArrowDown' ? 1 : sg.items.length - 1)) % sg.items.length;
      return renderSuggest();
    }
    // Enter on a text that already is a complete command (e.g. "/ticket") sends it; otherwise Enter and
    // Tab complete the highlighted suggestion.
    const typed = $('#input').value.trim().toLowerCase();
    const complete = e.key === 'Enter' && sg.kind === 'command' && sg.items.some((x) => `/${x.cmd.command.toLowerCase()}` === typed);
    if ((e.key === 'Enter' && !complete) || e.key === 'Tab') {
      e.preventDefault();
      return pick(sg.index);
    }
    if (e.key === 'Escape') {
      S.suggest = { items: [], index: 0, kind: null };
      return renderSuggest();
    }
  }
  if (e.key === 'Enter' && !e.shiftKey) {
    e.preventDefault();
    $('#composer').requestSubmit();
  }
}

// ---- inspector ----

const fmtTime = (ms) => new Date(ms).toISOString().slice(11, 23);

function pretty(json) {
  if (json === undefined || json === null || json === '') return '';
  try { return JSON.stringify(JSON.parse(json), null, 1); } catch { return String(json); }
}

function detailBlock(title, text) {
  if (!text) return [];
  return [el('h4', '', title), el('pre', '', text)];
}

function rowItem(id) {
  const row = el('div', `row-item${S.open.has(id) ? ' open' : ''}`);
  row.dataset.row = String(id);
  return row;
}

function track(item) {
  item.rowId = ++S.seq;
  return item;
}

function requestRow(r) {
  const row = rowItem(r.rowId);
  const line = el('div', 'row-line');
  const ok = r.status === 200;
  line.append(el('span', 't', fmtTime(r.at)), el('span', `st${ok ? '' : r.status ? ' err' : ' none'}`, String(r.status || '—')),
    el('span', 'm', r.method));
  if (r.batchSize !== undefined) line.append(el('span', 'pill', `batch ×${r.batchSize}`));
  if (r.fault) line.append(el('span', 'pill fault', r.fault));
  line.append(el('span', 't', `${r.durationMs ?? 0} ms`));
  const detail = el('div', 'detail');
  detail.append(el('div', '', `${r.httpMethod} ${r.path} · auth ${r.auth}${r.bucketLevel !== null && r.bucketLevel !== undefined ? ` · bucket ${r.bucketLevel}` : ''}`),
    ...detailBlock('params', pretty(r.params)),
    ...(r.error ? detailBlock('error', `${r.error}: ${r.errorDescription || ''}`) : detailBlock('result', pretty(r.result))));
  row.append(line, detail);
  return row;
}

function deliveryRow(d) {
  const row = rowItem(d.rowId);
  const line = el('div', 'row-line');
  const ok = d.status !== null && d.status >= 200 && d.status < 300;
  line.append(el('span', 't', fmtTime(d.at)), el('span', `st${ok ? '' : d.status ? ' err' : ' none'}`, String(d.status ?? '—')),
    el('span', 'm', d.event), el('span', 'pill', d.botCode));
  if (d.error) line.append(el('span', 'pill fault', d.error));
  line.append(el('span', 't', `${d.durationMs ?? 0} ms`));
  const detail = el('div', 'detail');
  detail.append(el('div', '', `POST ${d.url}`), ...detailBlock('event', pretty(d.data)), ...detailBlock('answer', d.answer || ''));
  row.append(line, detail);
  return row;
}

let inspectorQueued = false;
function renderInspector() {
  if (inspectorQueued) return;
  inspectorQueued = true;
  requestAnimationFrame(() => {
    inspectorQueued = false;
    if (S.tab === 'calls') $('#tab-calls').replaceChildren(...S.requests.slice(-150).reverse().map(requestRow));
    if (S.tab === 'events') $('#tab-events').replaceChildren(...S.deliveries.slice(-150).reverse().map(deliveryRow));
    if (S.tab === 'bucket') drawBucket();
  });
}

function drawBucket() {
  const svg = $('#bucket-chart');
  const pts = S.bucket.filter((p) => p.level !== null);
  const last = S.bucket.at(-1);
  if (!last || last.level === null) {
    svg.replaceChildren();
    $('#bucket-text').textContent = 'This portal has no leaky bucket (unlimited).';
    return;
  }
  const max = Math.max(last.burst, 1);
  const t0 = pts[0].at;
  const span = Math.max(1, last.at - t0);
  const xy = (p) => `${((p.at - t0) / span) * 400},${160 - (p.level / max) * 150}`;
  const ns = 'http://www.w3.org/2000/svg';
  const line = document.createElementNS(ns, 'polyline');
  line.setAttribute('points', pts.map(xy).join(' '));
  line.setAttribute('fill', 'none');
  line.setAttribute('stroke', '#2fc6f6');
  line.setAttribute('stroke-width', '2');
  const cap = document.createElementNS(ns, 'line');
  Object.entries({ x1: 0, x2: 400, y1: 10, y2: 10, stroke: '#ff5752', 'stroke-dasharray': '4 4' }).forEach(([k, v]) => cap.setAttribute(k, String(v)));
  svg.replaceChildren(cap, line);
  $('#bucket-text').textContent = `Level ${last.level} of ${last.burst} (the 503 threshold, red), drains ${last.rate}/s. Last ${Math.round(span / 1000)} s.`;
}

function renderFaultControls() {
  const modes = $('#f-modes');
  modes.replaceChildren(...S.state.bots.map((b) => {
    const row = el('div', 'mode-row');
    const sel = el('select');
    for (const m of ['webhook', 'fetch']) {
      const o = el('option', '', m);
      o.value = m;
      o.disabled = m === 'fetch' ? !b.canFetch : !b.canPush;
      sel.append(o);
    }
    sel.value = b.eventMode;
    sel.addEventListener('change', async () => {
      await act('fault', { op: 'eventMode', bot: b.code, mode: sel.value });
      refreshState();
    });
    row.append(el('span', '', `${b.name} (${b.api})`), sel);
    return row;
  }));
  $('#f-list').replaceChildren(...(S.state.faults || []).map((f) =>
    el('li', '', `${f.method || 'every method'}: ${f.kind === 'status' ? `${f.status} ${f.error}` : f.kind}${f.times !== undefined ? ` × ${f.times}` : ''}`)));
  const df = S.state.deliveryFault;
  $('#f-delivery-now').textContent = df ? `Now: ${df.kind}${df.kind === 'delay' ? ` ${df.delayMs ?? 2000} ms` : ''}${df.times !== undefined ? ` × ${df.times}` : ''}` : 'Now: delivering normally.';
  const methods = new Set(S.requests.map((r) => r.method));
  $('#f-methods').replaceChildren(...[...methods].map((m) => { const o = el('option'); o.value = m; return o; }));
}

async function fault(body, done) {
  const out = await act('fault', body);
  if (out) toast(done);
  refreshState();
}

function wireFaults() {
  $('#f-expire').addEventListener('click', () => fault({ op: 'expireTokens' }, 'Access tokens expired'));
  $('#f-plan-apply').addEventListener('click', () => fault({ op: 'plan', plan: $('#f-plan').value }, 'Plan changed'));
  $('#f-bucket-apply').addEventListener('click', () => fault({ op: 'bucket', rate: Number($('#f-rate').value), burst: Number($('#f-burst').value) }, 'Bucket changed'));
  $('#f-inject').addEventListener('click', () => fault({ op: 'inject', method: $('#f-method').value, fault: $('#f-kind').value, times: $('#f-times').value === '' ? undefined : Number($('#f-times').value) }, 'Fault injected'));
  $('#f-clear').addEventListener('click', () => fault({ op: 'clearFaults' }, 'Faults cleared'));
  $('#f-delivery-apply').addEventListener('click', () => fault({ op: 'delivery', kind: $('#f-delivery').value, delayMs: Number($('#f-delay').value || 0), times: $('#f-dtimes').value === '' ? undefined : Number($('#f-dtimes').value) }, 'Event delivery changed'));
}

// ---- live updates ----

let refreshTimer = 0;
function refreshState() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => { loadState().catch((e) => toast(e.message)); }, 150);
}

function connect() {
  const es = new EventSource('ui/api/events');
  es.addEventListener('message', (e) => upsertMessage(JSON.parse(e.data)));
  es.addEventListener('typing', (e) => onTyping(JSON.parse(e.data)));
  es.addEventListener('state', () => refreshState());
  es.addEventListener('request', (e) => {
    S.requests.push(track(JSON.parse(e.data)));
    if (S.requests.length > 500) S.requests.shift();
    renderInspector();
  });
  es.addEventListener('delivery', (e) => {
    S.deliveries.push(track(JSON.parse(e.data)));
    if (S.deliveries.length > 300) S.deliveries.shift();
    renderInspector();
  });
  es.addEventListener('bucket', (e) => {
    S.bucket.push(JSON.parse(e.data));
    if (S.bucket.length > 180) S.bucket.shift();
    if (S.tab === 'bucket') renderInspector();
  });
}

// ---- group dialog ----

function openGroupDialog() {
  const people = S.state.users.filter((u) => !u.isBot && u.id !== S.me);
  const box = (items, name) => items.map((x) => {
    const l = el('label');
    const c = el('input');
    c.type = 'checkbox';
    c.name = name;
    c.value = name === 'bot' ? x.code : String(x.id);
    c.checked = true;
    l.append(c, el('span', '', x.name));
    return l;
  });
  $('#g-users').replaceChildren(...box(people, 'user'));
  $('#g-bots').replaceChildren(...box(S.state.bots, 'bot'));
  $('#group-dialog').showModal();
}

async function createGroup(e) {
  e.preventDefault();
  const checked = (name) => [...document.querySelectorAll(`#group-form input[name=${name}]:checked`)].map((c) => c.value);
  $('#group-dialog').close();
  const out = await act('group', { from: S.me, title: $('#g-title').value, userIds: checked('user').map(Number), bots: checked('bot') });
  if (!out) return;
  await loadState();
  await openChat(out.result.chatId, `chat:${out.result.chatId}`);
}

// ---- start ----

async function main() {
  wireFaults();
  $('#messages').addEventListener('click', (e) => void onMessagesClick(e));
  $('#composer').addEventListener('submit', (e) => {
    e.preventDefault();
    const input = $('#input');
    const text = input.value;
    input.value = '';
    autosize();
    S.suggest = { items: [], index: 0, kind: null };
    renderSuggest();
    void sendText(text);
  });
  $('#input').addEventListener('input', () => { autosize(); updateSuggest(); });
  $('#input').addEventListener('click', updateSuggest);
  $('#input').addEventListener('keydown', onKey);
  $('#input').addEventListener('blur', () => setTimeout(() => {
    if (document.activeElement === $('#input')) return; // focused again meanwhile: keep what typing shows
    S.suggest.items = [];
    renderSuggest();
  }, 150));
  $('#cancel-edit').addEventListener('click', () => { S.editing = null; $('#editing').hidden = true; putText(''); });
  $('#me').addEventListener('change', async () => {
    S.me = Number($('#me').value);
    S.chatId = null;
    S.activeKey = null;
    $('#messages').replaceChildren(el('div', 'empty', 'Pick a dialogue on the left.'));
    $('#chat-title').textContent = 'Pick a dialogue';
    $('#chat-sub').textContent = '';
    await loadState();
  });
  $('#lang').addEventListener('change', () => { S.lang = $('#lang').value; updateSuggest(); });
  $('#new-group').addEventListener('click', openGroupDialog);
  $('#g-cancel').addEventListener('click', () => $('#group-dialog').close());
  $('#group-form').addEventListener('submit', (e) => void createGroup(e));
  $('#toggle-inspector').addEventListener('click', () => $('#app').classList.toggle('no-inspector'));
  document.querySelectorAll('.tabs button').forEach((b) => b.addEventListener('click', () => {
    S.tab = b.dataset.tab;
    document.querySelectorAll('.tabs button').forEach((x) => x.classList.toggle('active', x === b));
    document.querySelectorAll('.tab').forEach((t) => { t.hidden = t.id !== `tab-${S.tab}`; });
    renderInspector();
  }));
  $('#inspector').addEventListener('click', (e) => {
    const row = e.target.closest('.row-item');
    if (!row || e.target.closest('pre')) return;
    const id = Number(row.dataset.row);
    if (!S.open.delete(id)) S.open.add(id);
    row.classList.toggle('open', S.open.has(id));
  });
  const initial = await api('inspector');
  S.requests = initial.requests.map(track);
  S.deliveries = initial.deliveries.map(track);
  connect();
  await loadState();
  for (const c of S.state.chats) {
    const list = await api(`messages?chat=${c.id}`);
    if (list.length) S.last.set(c.id, list[list.length - 1]);
  }
  renderDialogs();
  renderInspector();
  const first = S.state.bots.find((b) => b.code === 'echo') || S.state.bots[0];
  if (first) await openBot(first);
  else $('#messages').replaceChildren(el('div', 'empty', 'No bots yet: install an app that registers some.'));
}

main().catch((e) => toast(e.message));
