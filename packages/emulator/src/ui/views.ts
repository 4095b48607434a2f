import { parsePhpForm } from '../php-form.js';
import { redact, redactString } from '../log.js';
import type { MessageRec } from '../chats.js';
import type { PortalState } from '../portal-state.js';
import type { DeliveryRecord, RestRequestLog } from '../types.js';
import { esc, renderBbCode } from './bbcode.js';
import { renderAttach, renderKeyboard, renderMenu, sizeText } from './blocks.js';

/** A message as the chat page draws it: author, rendered body, keyboard and menu HTML, reactions. */
export interface MessageView {
  id: number;
  chatId: number;
  authorId: number;
  authorName: string;
  isBot: boolean;
  date: string;
  system: boolean;
  deleted: boolean;
  updated: boolean;
  /** The raw text (the page edits own messages with it; it is never inserted as HTML). */
  text: string;
  html: string;
  keyboard: string;
  menu: string;
  reactions: Array<{ code: string; count: number; userIds: number[] }>;
}

const PALETTE = ['#2fc6f6', '#9dcf00', '#ff5752', '#ffa900', '#55d0e0', '#a77bde', '#1eae43', '#f7a700', '#2066b0'];

/** A stable avatar colour per user id. */
export function colorOf(id: number): string {
  return PALETTE[id % PALETTE.length] ?? '#2fc6f6';
}

/** A message's files as attachments, each a link the page downloads through `ui/file/<id>`. */
function filesHtml(state: PortalState, m: MessageRec): string {
  return m.fileIds.map((id) => state.files.get(id)).filter((f) => f !== undefined).map((f) =>
    `<div class="at-file msg-file"><span class="at-file-icon" aria-hidden="true"></span><a href="ui/file/${f.id}" download>${esc(f.name)}</a> `
    + `<span class="at-size">${sizeText(f.size)}</span></div>`).join('');
}

/** The forward source and the replied message, quoted above the text. */
function headerHtml(state: PortalState, m: MessageRec): string {
  const name = (id: number): string => esc(state.directory.get(id)?.name ?? `user ${id}`);
  const forward = m.forwardOf ? `<div class="msg-forward">Forwarded from ${name(m.forwardOf.authorId)}</div>` : '';
  const replied = m.replyTo === null ? undefined : state.chats.message(m.replyTo);
  const quote = replied
    ? `<blockquote class="bb-quote msg-reply"><b>${name(replied.authorId)}</b><br>${esc(replied.deleted ? 'deleted message' : replied.text.slice(0, 120))}</blockquote>`
    : '';
  return forward + quote;
}

/** The page's view of one message; every string in `html`, `keyboard` and `menu` is escaped or whitelisted. */
export function messageView(state: PortalState, m: MessageRec): MessageView {
  const author = state.directory.get(m.authorId);
  const body = m.deleted ? '<i class="deleted">This message was deleted</i>'
    : `${headerHtml(state, m)}${renderBbCode(m.text)}${m.attach !== null ? renderAttach(m.attach) : ''}${filesHtml(state, m)}`;
  return {
    id: m.id, chatId: m.chatId, authorId: m.authorId, authorName: author?.name ?? (m.botCode ?? `user ${m.authorId}`),
    isBot: m.botId !== null, date: new Date(m.dateMs).toISOString(), system: m.system, deleted: m.deleted, updated: m.updated,
    text: m.deleted ? '' : m.text, html: body,
    keyboard: m.keyboard !== null && !m.deleted ? renderKeyboard(m.keyboard, m.id, m.blockedButtons) : '',
    menu: m.menu !== null && !m.deleted ? renderMenu(m.menu, m.id) : '',
    reactions: [...m.reactions].filter(([, set]) => set.size > 0)
      .map(([code, set]) => ({ code: esc(code), count: set.size, userIds: [...set] })),
  };
}

/** People, bots with their visible commands, chats with members, and the portal's knobs. */
export function stateView(state: PortalState): Record<string, unknown> {
  const users = state.directory.all().map((u) => ({ id: u.id, name: u.name, workPosition: u.workPosition, isBot: u.isBot, color: colorOf(u.id) }));
  const bots = state.bots.all().map((b) => ({
    id: b.id, code: b.code, name: state.botUser(b).name, api: b.api, type: b.type, eventMode: b.eventMode,
    canFetch: b.api === 'v2', canPush: b.api === 'v1' || b.webhookUrl !== null, color: colorOf(b.id),
    commands: state.bots.commandsOf(b.id).filter((c) => !c.hidden)
      .map((c) => ({ command: c.command, title: c.title, params: c.params, common: c.common })),
  }));
  const chats = state.chats.allChats().map((c) => ({ id: c.id, kind: c.kind, title: c.title, members: [...c.members] }));
  const b = state.bucket;
  return {
    portal: { memberId: state.memberId, domain: state.domain, clientEndpoint: state.clientEndpoint },
    users, bots, chats,
    bucket: b ? { rate: b.rate, burst: b.burst } : null,
    deliveryFault: state.deliveryFault,
  };
}

/** The inspector's row of a REST call (already masked when logged). */
export function requestView(e: RestRequestLog): Record<string, unknown> {
  return { ...e };
}

/** The inspector's row of an event push: the form body decoded to JSON with secrets masked. */
export function deliveryView(d: DeliveryRecord): Record<string, unknown> {
  let data: unknown;
  try {
    data = redact(parsePhpForm(d.body));
  } catch {
    data = redactString(d.body);
  }
  const { body: _body, ...rest } = d;
  const text = JSON.stringify(data) ?? '';
  return { ...rest, data: text.length > 4000 ? `${text.slice(0, 4000)}…` : text, answer: d.answer === undefined ? undefined : redactString(d.answer) };
}
