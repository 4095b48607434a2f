import type { MessageRec } from '../chats.js';
import { asBool, asInt, asObject, asString, pick, type Params } from '../params.js';
import { PortalError } from '../portal-error.js';
import { applyUpdate, botPost, readContent, resolveBotDialog, touched } from '../posting.js';
import type { MethodContext, MethodHandler } from '../rest.js';
import { MessageUuids } from '../uuids.js';
import { v2OwnedBot, v2OwnerKey } from './owner.js';

/** Reaction codes accepted by `Reaction.add/delete` (v2 facts §3.7). */
export const REACTIONS: ReadonlySet<string> = new Set(('like dislike faceWithTearsOfJoy redHeart neutralFace fire cry ' +
  'slightlySmilingFace winkingFace laugh kiss wonder slightlyFrowningFace loudlyCryingFace faceWithStuckOutTongue ' +
  'faceWithStuckOutTongueAndWinkingEye smilingFaceWithSunglasses confusedFace flushedFace thinkingFace angry ' +
  'smilingFaceWithHorns faceWithThermometer facepalm poo flexedBiceps clappingHands raisedHand smilingFaceWithHeartEyes ' +
  'smilingFaceWithHearts pleadingFace relievedFace foldedHands okHand signHorns loveYouGesture clownFace partyingFace ' +
  'questionMark exclamationMark lightBulb bomb sleepingSymbol crossMark whiteHeavyCheckMark eyes handshake hundredPoints').split(' '));

function dialogOf(p: Params): string {
  const dialogId = asString(pick(p, 'dialogId', 'DIALOG_ID'))?.trim();
  // The v2 pages list no DIALOG_ID_EMPTY (that is a classic code): no dialog is a chat the bot is not in.
  if (!dialogId) throw new PortalError('ACCESS_DENIED', 'Access denied');
  return dialogId;
}

function ownMessage(ctx: MethodContext, p: Params, botId: number): MessageRec {
  const id = asInt(pick(p, 'messageId', 'MESSAGE_ID'));
  const msg = id === undefined ? undefined : ctx.portal.chats.message(id);
  if (!msg || msg.botId !== botId || msg.system || msg.deleted) throw new PortalError('ACCESS_DENIED', 'Access denied');
  return msg;
}

/**
 * `Chat.Message.send`. `templateId` is the message UUID (see {@link MessageUuids}): only a lowercase
 * UUIDv4 is kept (anything else is dropped silently), portal-wide; a repeat answers the first
 * message's id and posts nothing, or `MESSAGE_DUPLICATED_BY_UUID` while the first send still runs
 * (a `slow` fault with `during` keeps it running).
 */
const send: MethodHandler = async (ctx, p) => {
  const bot = v2OwnedBot(ctx, p, v2OwnerKey(ctx, p));
  const chat = resolveBotDialog(ctx.portal, bot, dialogOf(p), 'ACCESS_DENIED');
  const fields = asObject(pick(p, 'fields', 'FIELDS')) ?? {};
  const content = { ...readContent(fields, bot.id, 'v2'), menu: null };
  if (content.text === '' && content.attach === null) throw new PortalError('EMPTY_MESSAGE', 'Message is empty');
  const raw = asString(pick(fields, 'templateId', 'TEMPLATE_ID')) ?? '';
  const uuid = !content.system && MessageUuids.valid(raw) ? raw : null;
  if (uuid !== null) {
    const claim = ctx.portal.uuids.claim(uuid, ctx.core.clock());
    if (claim.kind === 'existing') return { id: claim.messageId, uuidMap: {} };
    if (claim.kind === 'inFlight') throw new PortalError('MESSAGE_DUPLICATED_BY_UUID', 'A message with this UUID is being sent');
  }
  await ctx.hold();
  const replyTo = asInt(pick(fields, 'replyId', 'REPLY_ID')) ?? null;
  const msg = botPost(ctx, bot, chat, content, { via: ctx.method, replyTo, idempotencyKey: uuid });
  if (uuid !== null) ctx.portal.uuids.complete(uuid, msg.id);
  return { id: msg.id, uuidMap: {} };
};

const update: MethodHandler = (ctx, p) => {
  const bot = v2OwnedBot(ctx, p, v2OwnerKey(ctx, p));
  const msg = ownMessage(ctx, p, bot.id);
  // The docs name no error for missing `fields` (chat-message-update.md lists only the bot errors and
  // ACCESS_DENIED): nothing to change, the answer is the plain success (UNCONFIRMED what the portal does).
  const fields = asObject(pick(p, 'fields', 'FIELDS'));
  if (!fields) return { result: true };
  applyUpdate(msg, fields, 'v2');
  touched(ctx.portal, msg);
  return { result: true };
};

const remove: MethodHandler = (ctx, p) => {
  const bot = v2OwnedBot(ctx, p, v2OwnerKey(ctx, p));
  const msg = ownMessage(ctx, p, bot.id);
  msg.deleted = true;
  if (asBool(pick(p, 'complete', 'COMPLETE'), false)) msg.text = '';
  touched(ctx.portal, msg);
  return { result: true };
};

const notify: MethodHandler = (ctx, p) => {
  const bot = v2OwnedBot(ctx, p, v2OwnerKey(ctx, p));
  const chat = resolveBotDialog(ctx.portal, bot, dialogOf(p), 'ACCESS_DENIED');
  // `duration` is documented as 1-600 s with no error code for other values (chat-input-action-notify.md):
  // the emulator accepts any value, as a clamp would (UNCONFIRMED whether the portal clamps or ignores it).
  void asInt(pick(p, 'duration', 'DURATION'));
  ctx.portal.stats.bump('typing');
  ctx.portal.emitter.emit('typing', { userId: bot.id, chatId: chat.id });
  return { result: true };
};

function reaction(action: 'add' | 'delete'): MethodHandler {
  return (ctx, p) => {
    const bot = v2OwnedBot(ctx, p, v2OwnerKey(ctx, p));
    const id = asInt(pick(p, 'messageId', 'MESSAGE_ID'));
    const msg = id === undefined ? undefined : ctx.portal.chats.message(id);
    if (!msg || !ctx.portal.chats.chat(msg.chatId)?.members.has(bot.id)) throw new PortalError('ACCESS_DENIED', 'Access denied');
    const code = asString(pick(p, 'reaction', 'REACTION')) ?? '';
    if (!REACTIONS.has(code)) throw new PortalError('REACTION_NOT_FOUND', 'Reaction not found');
    const set = msg.reactions.get(code) ?? new Set<number>();
    if (action === 'add' && set.has(bot.id)) throw new PortalError('REACTION_ALREADY_SET', 'Reaction already set');
    if (action === 'add') set.add(bot.id);
    else set.delete(bot.id);
    msg.reactions.set(code, set);
    return { result: true };
  };
}

/** Fetch mode (v2 facts §8): `offset` acknowledges older rows, `limit` 1-1000 (clamped, default 100). */
const eventGet: MethodHandler = (ctx, p) => {
  const bot = v2OwnedBot(ctx, p, v2OwnerKey(ctx, p));
  const offset = Math.max(0, asInt(pick(p, 'offset', 'OFFSET')) ?? 0);
  const limit = Math.min(1000, Math.max(1, asInt(pick(p, 'limit', 'LIMIT')) ?? 100));
  const page = ctx.portal.eventLog.read(bot.id, offset, limit, ctx.core.clock());
  ctx.portal.stats.bump('eventsFetched', page.events.length);
  return page;
};

/** `imbot.v2.Chat.Message.*`, `InputAction.notify`, `Event.get` (v2 facts §3, §8). */
export const v2MessageMethods: Record<string, MethodHandler> = {
  'imbot.v2.Chat.Message.send': send,
  'imbot.v2.Chat.Message.update': update,
  'imbot.v2.Chat.Message.delete': remove,
  'imbot.v2.Chat.InputAction.notify': notify,
  'imbot.v2.Chat.Message.Reaction.add': reaction('add'),
  'imbot.v2.Chat.Message.Reaction.delete': reaction('delete'),
  'imbot.v2.Event.get': eventGet,
};
