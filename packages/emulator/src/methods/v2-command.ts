import type { CommandRec } from '../bots.js';
import { asBool, asInt, asObject, asString, pick, type Params } from '../params.js';
import { PortalError } from '../portal-error.js';
import { botPost, readContent } from '../posting.js';
import type { MethodContext, MethodHandler } from '../rest.js';
import { LANGUAGE } from '../views.js';
import { v2OwnedBot, v2OwnerKey } from './owner.js';

function view(c: CommandRec): Record<string, unknown> {
  return { id: c.id, botId: c.botId, command: `/${c.command}`, common: c.common, hidden: c.hidden, extranetSupport: c.extranetSupport };
}

function langMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, text] of Object.entries(asObject(v) ?? {})) {
    const s = asString(text);
    if (s !== undefined) out[k.toLowerCase()] = s;
  }
  return out;
}

/** `fields`, or the legacy flat form (`command`, `title` at top level) when `fields` is absent. */
function fieldsOf(p: Params): Params {
  return asObject(pick(p, 'fields', 'FIELDS')) ?? p;
}

function commandName(raw: unknown, required: boolean): string | undefined {
  if (raw === undefined && !required) return undefined;
  // register: COMMAND_REQUIRED (command-register.md); update: COMMAND_NAME_EMPTY (command-update.md).
  if (raw === '' && !required) throw new PortalError('COMMAND_NAME_EMPTY', 'Command name is empty');
  if (raw === undefined || raw === '') throw new PortalError('COMMAND_REQUIRED', 'Command is required');
  if (typeof raw !== 'string') throw new PortalError('COMMAND_NAME_INVALID', 'Command must be a string');
  const name = raw.trim().replace(/^\//, '');
  if (name === '') throw required ? new PortalError('COMMAND_REQUIRED', 'Command is required') : new PortalError('COMMAND_NAME_EMPTY', 'Command name is empty');
  if (/\s/.test(name)) throw new PortalError('COMMAND_NAME_INVALID', 'Command must not contain spaces');
  return name;
}

function ownedCommand(ctx: MethodContext, p: Params): { command: CommandRec; botId: number } {
  const bot = v2OwnedBot(ctx, p, v2OwnerKey(ctx, p));
  const id = asInt(pick(p, 'commandId', 'COMMAND_ID'));
  const command = id === undefined ? undefined : ctx.portal.bots.command(id);
  if (!command || command.botId !== bot.id) throw new PortalError('COMMAND_NOT_FOUND', 'Command not found');
  return { command, botId: bot.id };
}

const register: MethodHandler = (ctx, p) => {
  const bot = v2OwnedBot(ctx, p, v2OwnerKey(ctx, p));
  const fields = fieldsOf(p);
  const name = commandName(pick(fields, 'command', 'COMMAND'), true) ?? '';
  const existing = ctx.portal.bots.findCommand(bot.id, name);
  if (existing) return { command: view(existing) };
  const hidden = asBool(pick(fields, 'hidden', 'HIDDEN'), false);
  const title = langMap(pick(fields, 'title', 'TITLE'));
  if (!hidden && Object.keys(title).length === 0) throw new PortalError('COMMAND_TITLE_REQUIRED', 'Command title is required');
  const command = ctx.portal.bots.addCommand({
    botId: bot.id, command: name, common: asBool(pick(fields, 'common', 'COMMON'), false), hidden,
    extranetSupport: asBool(pick(fields, 'extranetSupport', 'EXTRANET_SUPPORT'), false), title,
    params: langMap(pick(fields, 'params', 'PARAMS')), handlerUrl: null,
  });
  return { command: view(command) };
};

const update: MethodHandler = (ctx, p) => {
  const { command } = ownedCommand(ctx, p);
  const fields = asObject(pick(p, 'fields', 'FIELDS')) ?? {};
  const name = commandName(pick(fields, 'command', 'COMMAND'), false);
  if (name !== undefined && name !== command.command && ctx.portal.bots.findCommand(command.botId, name)) {
    throw new PortalError('COMMAND_ALREADY_EXISTS', 'Command already exists');
  }
  if (name !== undefined) command.command = name;
  command.common = asBool(pick(fields, 'common', 'COMMON'), command.common);
  command.hidden = asBool(pick(fields, 'hidden', 'HIDDEN'), command.hidden);
  command.extranetSupport = asBool(pick(fields, 'extranetSupport', 'EXTRANET_SUPPORT'), command.extranetSupport);
  patchLanguages(command, asObject(pick(fields, 'title', 'TITLE')), asObject(pick(fields, 'params', 'PARAMS')));
  return { command: view(command) };
};

/**
 * `commands/command-update.md`: a title string sets that translation, `null` deletes it, a missing key
 * keeps it; `params` works alike but only for the languages present in `title`.
 */
function patchLanguages(command: CommandRec, title: Params | undefined, params: Params | undefined): void {
  const langs = new Set<string>();
  for (const [key, value] of Object.entries(title ?? {})) {
    const lang = key.toLowerCase();
    langs.add(lang);
    if (value === null) delete command.title[lang];
    else if (typeof value === 'string') command.title[lang] = value;
  }
  for (const [key, value] of Object.entries(params ?? {})) {
    const lang = key.toLowerCase();
    if (!langs.has(lang)) continue;
    if (value === null) delete command.params[lang];
    else if (typeof value === 'string') command.params[lang] = value;
  }
}

const list: MethodHandler = (ctx, p) => {
  const bot = v2OwnedBot(ctx, p, v2OwnerKey(ctx, p));
  const category = ctx.portal.botUser(bot).name;
  const pickLang = (m: Record<string, string>): string => m[LANGUAGE] ?? Object.values(m)[0] ?? '';
  return {
    commands: ctx.portal.bots.commandsOf(bot.id).map((c) => ({
      ...view(c), title: pickLang(c.title), params: pickLang(c.params), category, context: '',
    })),
  };
};

const unregister: MethodHandler = (ctx, p) => {
  const { command } = ownedCommand(ctx, p);
  ctx.portal.bots.removeCommand(command.id);
  return { result: true };
};

/**
 * `Command.answer`: posts into the command message's chat. A bot that is not a member (a `common`
 * command) answers with a system message, as the docs describe. No message id is returned.
 */
const answerCommand: MethodHandler = (ctx, p) => {
  const { command, botId } = ownedCommand(ctx, p);
  const bot = ctx.portal.bots.byId(botId);
  const messageId = asInt(pick(p, 'messageId', 'MESSAGE_ID'));
  const msg = messageId === undefined ? undefined : ctx.portal.chats.message(messageId);
  const chat = msg ? ctx.portal.chats.chat(msg.chatId) : undefined;
  if (!bot || !msg || !chat) throw new PortalError('COMMAND_ANSWER_FAILED', 'The command message was not found');
  const content = readContent(asObject(pick(p, 'fields', 'FIELDS')) ?? {}, bot.id, 'v2');
  if (content.text === '' && content.attach === null) throw new PortalError('EMPTY_MESSAGE', 'Message is empty');
  if (!chat.members.has(bot.id)) content.system = true;
  botPost(ctx, bot, chat, content, { via: ctx.method, commandId: command.id, replyTo: msg.id });
  return { result: true };
};

/** `imbot.v2.Command.*` (v2 facts §5). */
export const v2CommandMethods: Record<string, MethodHandler> = {
  'imbot.v2.Command.register': register,
  'imbot.v2.Command.update': update,
  'imbot.v2.Command.list': list,
  'imbot.v2.Command.unregister': unregister,
  'imbot.v2.Command.answer': answerCommand,
};
