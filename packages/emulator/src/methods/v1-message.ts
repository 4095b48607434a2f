import type { MessageRec } from '../chats.js';
import { asBool, asInt, asString, upperKeys, type Params } from '../params.js';
import { PortalError } from '../portal-error.js';
import { applyUpdate, botPost, readContent, resolveBotDialog, touched } from '../posting.js';
import type { MethodContext, MethodHandler } from '../rest.js';
import { v1OwnedBot, v1OwnerKey } from './owner.js';

const EDIT_WINDOW_MS = 3 * 24 * 3_600_000;

function botOf(ctx: MethodContext, p: Params): { P: Params; bot: ReturnType<typeof v1OwnedBot> } {
  const P = upperKeys(p);
  return { P, bot: v1OwnedBot(ctx, P, v1OwnerKey(ctx, P)) };
}

/** The bot's own message, editable for 3 days (facts §4.6). */
function editable(ctx: MethodContext, P: Params, botId: number): MessageRec {
  const id = asInt(P['MESSAGE_ID']);
  if (id === undefined || id <= 0) throw new PortalError('MESSAGE_ID_ERROR', 'Message ID can\'t be empty');
  const msg = ctx.portal.chats.message(id);
  if (!msg || msg.deleted) throw new PortalError('MESSAGE_ID_ERROR', 'Message not found');
  if (msg.botId !== botId) throw new PortalError('CANT_EDIT_MESSAGE', 'Time has expired for modification or you don\'t have access');
  if (ctx.core.clock() - msg.dateMs > EDIT_WINDOW_MS) throw new PortalError('CANT_EDIT_MESSAGE', 'Time has expired for modification or you don\'t have access');
  return msg;
}

const add: MethodHandler = (ctx, p) => {
  const { P, bot } = botOf(ctx, p);
  const from = asInt(P['FROM_USER_ID']) ?? 0;
  const to = asInt(P['TO_USER_ID']) ?? 0;
  const content = readContent(P, bot.id, 'v1');
  if (content.text === '') throw new PortalError('MESSAGE_EMPTY', 'Message can\'t be empty');
  if (from > 0 && to > 0) {
    const chat = ctx.portal.chats.privateChat(from, to);
    return botPost(ctx, bot, chat, { ...content, system: true }, { via: ctx.method }).id;
  }
  const dialogId = asString(P['DIALOG_ID'])?.trim();
  if (!dialogId) throw new PortalError('DIALOG_ID_EMPTY', 'Dialog ID can\'t be empty');
  const chat = resolveBotDialog(ctx.portal, bot, dialogId, 'ACCESS_ERROR');
  return botPost(ctx, bot, chat, content, { via: ctx.method }).id;
};

/** `imbot.message.update`: an empty MESSAGE deletes the message (facts §4.6). */
const update: MethodHandler = (ctx, p) => {
  const { P, bot } = botOf(ctx, p);
  const msg = editable(ctx, P, bot.id);
  if (P['MESSAGE'] !== undefined && (asString(P['MESSAGE']) ?? '').trim() === '') {
    msg.deleted = true;
  } else {
    applyUpdate(msg, P, 'v1', 'menu_ERROR');
  }
  touched(ctx.portal, msg);
  return true;
};

const remove: MethodHandler = (ctx, p) => {
  const { P, bot } = botOf(ctx, p);
  const msg = editable(ctx, P, bot.id);
  msg.deleted = true;
  if (asBool(P['COMPLETE'], false)) msg.text = '';
  touched(ctx.portal, msg);
  return true;
};

/** `imbot.message.like`: toggles the bot's like; `WITHOUT_CHANGES` when plus/minus changes nothing. */
const like: MethodHandler = (ctx, p) => {
  const { P, bot } = botOf(ctx, p);
  const id = asInt(P['MESSAGE_ID']);
  const msg = id === undefined ? undefined : ctx.portal.chats.message(id);
  if (!msg) throw new PortalError('MESSAGE_ID_ERROR', 'Message not found');
  const likes = msg.reactions.get('like') ?? new Set<number>();
  const action = (asString(P['ACTION']) ?? 'auto').toLowerCase();
  const want = action === 'plus' ? true : action === 'minus' ? false : !likes.has(bot.id);
  if (want === likes.has(bot.id)) throw new PortalError('WITHOUT_CHANGES', 'Nothing changed');
  if (want) likes.add(bot.id);
  else likes.delete(bot.id);
  msg.reactions.set('like', likes);
  return true;
};

const sendTyping: MethodHandler = (ctx, p) => {
  const { P, bot } = botOf(ctx, p);
  const dialogId = asString(P['DIALOG_ID'])?.trim();
  if (!dialogId) throw new PortalError('DIALOG_ID_EMPTY', 'Dialog ID can\'t be empty');
  const chat = resolveBotDialog(ctx.portal, bot, dialogId, 'ACCESS_ERROR');
  ctx.portal.stats.bump('typing');
  ctx.portal.emitter.emit('typing', { userId: bot.id, chatId: chat.id });
  return true;
};

/** `imbot.message.*`, `imbot.chat.sendTyping` (facts §4.5-4.9). */
export const v1MessageMethods: Record<string, MethodHandler> = {
  'imbot.message.add': add,
  'imbot.message.update': update,
  'imbot.message.delete': remove,
  'imbot.message.like': like,
  'imbot.chat.sendTyping': sendTyping,
};
