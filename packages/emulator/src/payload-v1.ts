import type { BotRec, CommandRec } from './bots.js';
import type { ChatRec, MessageRec } from './chats.js';
import type { UserRec } from './directory.js';
import type { PayloadEnv } from './event-intent.js';
import { v1FileParams } from './file-views.js';
import { uuid } from './ids.js';
import { v1BotBlock } from './payload-auth.js';
import { LANGUAGE, isoDate } from './views.js';

type Data = Record<string, unknown>;

const FLAGS = {
  PUSH: 'Y', PUSH_IMPORTANT: 'N', RECENT_SKIP_AUTHOR: 'N', CONVERT: 'N', SKIP_COMMAND: 'N',
  SKIP_COUNTER_INCREMENTS: 'N', SILENT_CONNECTOR: 'N', SKIP_CONNECTOR: 'N', IMPORTANT_CONNECTOR: 'N',
  NO_SESSION_OL: 'N', FAKE_RELATION: 0, SKIP_URL_INDEX: 'N',
};

const MENTION = /\[USER=(\d+)\][\s\S]*?\[\/USER\]/gi;

/** Ids mentioned with `[USER=<id>]` in a text. */
export function mentionedIds(text: string): number[] {
  return [...text.matchAll(MENTION)].map((m) => Number(m[1]));
}

/** The text with the mentions of `botIds` removed (and leading blanks), as v1 group events deliver `MESSAGE`. */
export function stripMentions(text: string, botIds: number[]): string {
  return text.replace(MENTION, (all, id: string) => (botIds.includes(Number(id)) ? '' : all)).trimStart();
}

/** `data[USER]`: the long form (message events) or the short one (join, command). */
export function v1User(user: UserRec, long: boolean): Data {
  const base: Data = { ID: user.id, NAME: user.name, FIRST_NAME: user.firstName, LAST_NAME: user.lastName };
  if (!long) return { ...base, WORK_POSITION: user.workPosition, GENDER: user.gender };
  return {
    ...base, WORK_POSITION: user.workPosition, GENDER: user.gender, IS_BOT: user.isBot ? 'Y' : 'N',
    IS_CONNECTOR: 'N', IS_NETWORK: 'N', IS_EXTRANET: 'N',
  };
}

function botBlocks(env: PayloadEnv, bots: BotRec[]): Data {
  const out: Data = {};
  for (const bot of bots) out[String(bot.id)] = v1BotBlock(env, bot);
  return out;
}

function groupChatParams(chat: ChatRec, msg: MessageRec): Data {
  return {
    CHAT_ID: chat.id, CHAT_TITLE: chat.title, CHAT_AUTHOR_ID: chat.ownerId, CHAT_TYPE: 'C', CHAT_AVATAR: 0,
    CHAT_COLOR: 'MINT', CHAT_ENTITY_TYPE: '', CHAT_ENTITY_ID: '', CHAT_ENTITY_DATA_1: '', CHAT_ENTITY_DATA_2: '',
    CHAT_ENTITY_DATA_3: '', CHAT_EXTRANET: 'N', CHAT_PREV_MESSAGE_ID: Math.max(0, msg.id - 1), CHAT_CAN_POST: 'MEMBER',
    RID: msg.authorId, IS_MANAGER: 'N',
  };
}

/** `data` of ONIMBOTMESSAGEADD for the bots of one app (facts §5.3). */
export function v1MessageAdd(env: PayloadEnv, bots: BotRec[], msg: MessageRec, chat: ChatRec, user: UserRec): Data {
  const ids = bots.map((b) => b.id);
  const group = chat.kind === 'group';
  const dialogId = group ? `chat${chat.id}` : String(user.id);
  const mentioned = mentionedIds(msg.text);
  const addressed = group ? (mentioned.find((id) => ids.includes(id)) ?? 0) : (ids[0] ?? 0);
  const params: Data = {
    MESSAGE: group ? stripMentions(msg.text, ids) : msg.text, TEMPLATE_ID: uuid(), MESSAGE_TYPE: group ? 'C' : 'P',
    FROM_USER_ID: user.id, DIALOG_ID: dialogId, TO_CHAT_ID: chat.id, AUTHOR_ID: user.id, SYSTEM: msg.system ? 'Y' : 'N',
    ...(group ? groupChatParams(chat, msg) : { TO_USER_ID: addressed }),
    ...FLAGS, COMMAND_CONTEXT: 'TEXTAREA', CHAT_USER_COUNT: chat.members.size,
  };
  if (group) {
    params['MENTIONED_LIST'] = Object.fromEntries(mentioned.map((id) => [String(id), id]));
    params['PLATFORM_CONTEXT'] = 'web';
    params['MESSAGE_ORIGINAL'] = msg.text;
    params['TO_USER_ID'] = addressed;
  } else {
    params['PLATFORM_CONTEXT'] = 'web';
  }
  Object.assign(params, { MESSAGE_ID: msg.id, CHAT_TYPE: group ? 'C' : 'P', LANGUAGE }, v1FileParams(env.portal, msg));
  return { BOT: botBlocks(env, bots), PARAMS: params, USER: v1User(user, true) };
}

/** `data` of ONIMBOTMESSAGEUPDATE / ONIMBOTMESSAGEDELETE (facts §5.4, §5.5). */
export function v1MessageChange(env: PayloadEnv, op: 'update' | 'delete', bots: BotRec[], msg: MessageRec, chat: ChatRec,
  user: UserRec): Data {
  const ids = bots.map((b) => b.id);
  const group = chat.kind === 'group';
  const text = op === 'delete' ? `Message from ${isoDate(msg.dateMs)} was deleted` : msg.text;
  const params: Data = {
    ID: msg.id, CHAT_ID: chat.id, AUTHOR_ID: msg.authorId, MESSAGE: group && op === 'update' ? stripMentions(text, ids) : text,
    MESSAGE_TYPE: group ? 'C' : 'P', CHAT_AUTHOR_ID: group ? chat.ownerId : (ids[0] ?? 0),
    ...(group ? { CHAT_ENTITY_TYPE: '' } : {}), CHAT_ENTITY_ID: '', CHAT_ENTITY_DATA_1: '', CHAT_ENTITY_DATA_2: '',
    CHAT_ENTITY_DATA_3: '',
  };
  if (!group) Object.assign(params, { FROM_USER_ID: user.id, TO_USER_ID: ids[0] ?? 0 });
  if (op === 'update') {
    params['CHAT_USER_COUNT'] = chat.members.size;
    if (group) Object.assign(params, { MENTIONED_LIST: Object.fromEntries(mentionedIds(msg.text).map((id) => [String(id), id])) });
    params['PLATFORM_CONTEXT'] = 'web';
    if (group) params['MESSAGE_ORIGINAL'] = msg.text;
  }
  Object.assign(params, {
    DIALOG_ID: group ? `chat${chat.id}` : String(user.id), MESSAGE_ID: msg.id, CHAT_TYPE: group ? 'C' : 'P', LANGUAGE,
  });
  return { BOT: botBlocks(env, bots), PARAMS: params, USER: v1User(user, true) };
}

/** `data` of ONIMBOTJOINCHAT (facts §5.6). */
export function v1Join(env: PayloadEnv, bot: BotRec, chat: ChatRec, user: UserRec): Data {
  const params: Data = chat.kind === 'group'
    ? { CHAT_TYPE: 'C', MESSAGE_TYPE: 'C', BOT_ID: bot.id, USER_ID: user.id, CHAT_ID: chat.id, CHAT_AUTHOR_ID: chat.ownerId,
        CHAT_ENTITY_TYPE: '', CHAT_ENTITY_ID: '', ACCESS_HISTORY: 1, DIALOG_ID: `chat${chat.id}`, LANGUAGE }
    : { CHAT_TYPE: 'P', MESSAGE_TYPE: 'P', BOT_ID: bot.id, USER_ID: user.id, TO_USER_ID: user.id, FROM_USER_ID: bot.id,
        DIALOG_ID: String(user.id), LANGUAGE };
  return { BOT: botBlocks(env, [bot]), PARAMS: params, USER: v1User(user, false) };
}

/** `data` of ONIMCOMMANDADD (facts §5.8): `data[COMMAND][<id>]` instead of `data[BOT]`. */
export function v1Command(env: PayloadEnv, bot: BotRec, command: CommandRec, cmdParams: string,
  context: 'textarea' | 'keyboard' | 'menu', msg: MessageRec, chat: ChatRec, user: UserRec): Data {
  const { AUTH, BOT_ID, BOT_CODE, ...token } = v1BotBlock(env, bot);
  const block = {
    ...token, AUTH, BOT_ID, BOT_CODE, COMMAND: command.command, COMMAND_ID: command.id, COMMAND_PARAMS: cmdParams,
    COMMAND_CONTEXT: context.toUpperCase(), MESSAGE_ID: msg.id,
  };
  const group = chat.kind === 'group';
  const typed = context === 'textarea' ? msg.text : `/${command.command}${cmdParams ? ` ${cmdParams}` : ''}`;
  const params: Data = {
    MESSAGE: typed, TEMPLATE_ID: uuid(), MESSAGE_TYPE: group ? 'C' : 'P', FROM_USER_ID: user.id,
    DIALOG_ID: group ? `chat${chat.id}` : String(user.id), TO_CHAT_ID: chat.id, AUTHOR_ID: user.id, SYSTEM: 'N',
  };
  if (group) {
    Object.assign(params, groupChatParams(chat, msg), { CHAT_PARENT_ID: 0, CHAT_PARENT_MID: 0 });
    params['BOT_IN_CHAT'] = Object.fromEntries([...chat.members].filter((id) => env.portal.bots.byId(id)).map((id) => [String(id), id]));
  } else {
    params['TO_USER_ID'] = bot.id;
  }
  Object.assign(params, { SKIP_USER_CHECK: 'Y', RECENT_ADD: 'Y', ...FLAGS, MESSAGE_ID: msg.id, CHAT_TYPE: group ? 'C' : 'P', LANGUAGE });
  return { COMMAND: { [String(command.id)]: block }, PARAMS: params, USER: v1User(user, false) };
}
