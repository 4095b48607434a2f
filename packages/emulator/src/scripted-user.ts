import { EmulatorError } from './errors.js';
import type { BotRec } from './bots.js';
import type { ChatRec, MessageRec } from './chats.js';
import { pressableButtons } from './content.js';
import type { UserRec } from './directory.js';
import type { EventIntent, PayloadEnv } from './event-intent.js';
import { deliver } from './events.js';
import { asString } from './params.js';
import { mentionedIds } from './payload-v1.js';
import type { Delivery, SendMessageOptions } from './types.js';

/** Misuse of the scripted API (unknown user, bot, chat, message or button). */
export function usage(message: string): EmulatorError {
  return new EmulatorError('EMULATOR_USAGE', message);
}

function userOf(env: PayloadEnv, id: number): UserRec {
  const user = env.portal.directory.get(id);
  if (!user) throw usage(`no user ${id} on this portal`);
  return user;
}

function botOf(env: PayloadEnv, code: string): BotRec {
  const bot = env.portal.bots.byCode(code);
  if (!bot) throw usage(`no bot with code "${code}" is registered`);
  return bot;
}

/** v2 `supervisor`/`personal` and v1 `S` bots see every message of their chats; the others only mentions. */
function seesEverything(bot: BotRec): boolean {
  return bot.type === 'supervisor' || bot.type === 'personal';
}

/** The target chat of a user's message: a group they belong to, or their private dialog with a bot. */
function targetChat(env: PayloadEnv, user: UserRec, to: string): { chat: ChatRec; privateBot: BotRec | null } {
  const group = env.portal.chats.group(to);
  if (group) {
    if (!group.members.has(user.id)) throw usage(`user ${user.id} is not a member of ${to}`);
    return { chat: group, privateBot: null };
  }
  const bot = botOf(env, to);
  return { chat: env.portal.chats.privateChat(user.id, bot.id), privateBot: bot };
}

/** `/cmd rest` after leading mentions, or null. */
export function parseCommand(text: string): { name: string; params: string } | null {
  const bare = text.replace(/^(\s*\[USER=\d+\][\s\S]*?\[\/USER\][\s,:]*)+/i, '').trimStart();
  const m = /^\/([^\s/]+)(?:\s+([\s\S]*))?$/.exec(bare);
  return m ? { name: m[1] ?? '', params: (m[2] ?? '').trim() } : null;
}

/** The bots in a chat that get events for `msg` (not commands): private bot, supervisors, mentioned bots. */
function watchers(env: PayloadEnv, chat: ChatRec, msg: MessageRec, privateBot: BotRec | null): BotRec[] {
  if (privateBot) return [privateBot];
  const mentioned = new Set(mentionedIds(msg.text));
  return [...chat.members]
    .map((id) => env.portal.bots.byId(id))
    .filter((b): b is BotRec => b !== undefined && (seesEverything(b) || mentioned.has(b.id)));
}

/**
 * The events of a new user message. A `/cmd` registered for a bot that can see it (the private bot,
 * a bot in the group, or any bot's `common` command) gives that bot a COMMAND event and no MESSAGEADD;
 * every other watcher gets MESSAGEADD.
 */
function messageIntents(env: PayloadEnv, chat: ChatRec, msg: MessageRec, user: UserRec, privateBot: BotRec | null): EventIntent[] {
  const parsed = parseCommand(msg.text);
  const intents: EventIntent[] = [];
  const commanded = new Set<number>();
  if (parsed) {
    const candidates = privateBot ? [privateBot] : [...chat.members].map((id) => env.portal.bots.byId(id)).filter((b): b is BotRec => b !== undefined);
    for (const bot of candidates) {
      const command = env.portal.bots.findCommand(bot.id, parsed.name);
      if (!command) continue;
      commanded.add(bot.id);
      intents.push({ kind: 'command', bot, command, params: parsed.params, context: 'textarea', message: msg, chat, user });
    }
    for (const command of env.portal.bots.commonCommands(parsed.name)) {
      const bot = env.portal.bots.byId(command.botId);
      if (!bot || commanded.has(bot.id)) continue;
      commanded.add(bot.id);
      intents.push({ kind: 'command', bot, command, params: parsed.params, context: 'textarea', message: msg, chat, user });
    }
  }
  const bots = watchers(env, chat, msg, privateBot).filter((b) => !commanded.has(b.id));
  if (bots.length > 0) intents.push({ kind: 'message', op: 'add', message: msg, chat, user, bots });
  return intents;
}

/** A user writes a message (see {@link EmulatedPortal.sendMessage}). */
export async function userSendMessage(env: PayloadEnv, opts: SendMessageOptions): Promise<{ messageId: number; deliveries: Delivery[] }> {
  const user = userOf(env, opts.from);
  const { chat, privateBot } = targetChat(env, user, opts.to);
  let text = opts.text;
  if (opts.mention !== undefined) {
    const bot = botOf(env, opts.mention);
    text = `[USER=${bot.id}]${env.portal.botUser(bot).name}[/USER] ${text}`;
  }
  const msg = env.portal.chats.post({ chatId: chat.id, authorId: user.id, text, dateMs: env.core.clock(), replyTo: opts.replyTo ?? null,
    system: opts.system ?? false });
  if (opts.forwardOf !== undefined) {
    const original = env.portal.chats.message(opts.forwardOf);
    if (!original) throw usage(`no message ${opts.forwardOf} to forward`);
    msg.forwardOf = original;
  }
  for (const f of opts.files ?? []) {
    const content = typeof f.content === 'string' ? Buffer.from(f.content, 'utf8') : f.content;
    const file = env.portal.files.add({ chatId: chat.id, name: f.name, authorId: user.id, dateMs: msg.dateMs, ...(content ? { content } : { size: f.size ?? 0 }) });
    msg.fileIds.push(file.id);
  }
  env.portal.emitter.emit('message', msg);
  const deliveries = await deliver(env, messageIntents(env, chat, msg, user, privateBot));
  return { messageId: msg.id, deliveries };
}

function ownUserMessage(env: PayloadEnv, from: number, messageId: number): { msg: MessageRec; chat: ChatRec; user: UserRec } {
  const user = userOf(env, from);
  const msg = env.portal.chats.message(messageId);
  const chat = msg ? env.portal.chats.chat(msg.chatId) : undefined;
  if (!msg || !chat || msg.authorId !== from) throw usage(`message ${messageId} is not a message of user ${from}`);
  return { msg, chat, user };
}

function privateBotOf(env: PayloadEnv, chat: ChatRec, userId: number): BotRec | null {
  if (chat.kind !== 'private') return null;
  const other = [...chat.members].find((id) => id !== userId);
  return other === undefined ? null : (env.portal.bots.byId(other) ?? null);
}

/** A user edits or deletes their message; watchers get MESSAGEUPDATE / MESSAGEDELETE. */
export async function userChangeMessage(env: PayloadEnv, op: 'update' | 'delete', from: number, messageId: number,
  text?: string): Promise<Delivery[]> {
  const { msg, chat, user } = ownUserMessage(env, from, messageId);
  if (op === 'update') {
    msg.text = text ?? msg.text;
    msg.updated = true;
  } else {
    msg.deleted = true;
  }
  env.portal.emitter.emit('message', msg);
  const bots = watchers(env, chat, msg, privateBotOf(env, chat, from));
  return bots.length === 0 ? [] : deliver(env, [{ kind: 'message', op, message: msg, chat, user, bots }]);
}

/** A user presses a COMMAND button of a bot message (see {@link EmulatedPortal.pressButton}). */
export async function userPressButton(env: PayloadEnv, from: number, messageId: number, button: number | string): Promise<Delivery> {
  const user = userOf(env, from);
  const msg = env.portal.chats.message(messageId);
  const chat = msg ? env.portal.chats.chat(msg.chatId) : undefined;
  if (!msg || !chat || msg.botId === null || msg.deleted) throw usage(`message ${messageId} is not a bot message`);
  if (!chat.members.has(user.id)) throw usage(`user ${from} cannot see message ${messageId}`);
  const buttons = pressableButtons(msg.keyboard);
  const index = typeof button === 'number' ? button : buttons.findIndex((b) => asString(b['TEXT']) === button);
  const chosen = buttons[index];
  if (!chosen) throw usage(`message ${messageId} has no button ${JSON.stringify(button)}`);
  if (chosen['DISABLED'] === 'Y' || msg.blockedButtons.has(index)) throw usage(`button ${JSON.stringify(button)} is disabled`);
  const name = asString(chosen['COMMAND']);
  const bot = env.portal.bots.byId(Number(msg.keyboard?.['BOT_ID'] ?? msg.botId));
  const command = name && bot ? env.portal.bots.findCommand(bot.id, name.replace(/^\//, '')) : undefined;
  if (!bot || !command) throw usage(`button ${JSON.stringify(button)} has no command registered for its bot; the platform ignores the press`);
  if (String(chosen['BLOCK'] ?? 'N').toUpperCase() === 'Y') msg.blockedButtons.add(index);
  const params = asString(chosen['COMMAND_PARAMS']) ?? '';
  const [delivery] = await deliver(env, [{ kind: 'command', bot, command, params, context: 'keyboard', message: msg, chat, user }]);
  if (!delivery) throw usage(`bot "${bot.code}" has no handler bound for commands`);
  return delivery;
}

/** A user sets or removes a reaction; v2 bots get REACTIONCHANGE for their own messages. */
export async function userReact(env: PayloadEnv, from: number, messageId: number, reaction: string,
  action: 'add' | 'delete'): Promise<Delivery[]> {
  const user = userOf(env, from);
  const msg = env.portal.chats.message(messageId);
  const chat = msg ? env.portal.chats.chat(msg.chatId) : undefined;
  if (!msg || !chat || !chat.members.has(user.id)) throw usage(`user ${from} cannot see message ${messageId}`);
  const set = msg.reactions.get(reaction) ?? new Set<number>();
  if (action === 'add') set.add(user.id);
  else set.delete(user.id);
  msg.reactions.set(reaction, set);
  env.portal.emitter.emit('message', msg);
  const bot = msg.botId === null ? undefined : env.portal.bots.byId(msg.botId);
  if (!bot || bot.api !== 'v2' || !bot.isReactionsEnabled) return [];
  return deliver(env, [{ kind: 'reaction', bot, message: msg, chat, user, reaction, action }]);
}

/** The bot joins a chat, or a user opens the private dialog: JOINCHAT. */
export async function botJoined(env: PayloadEnv, botCode: string, chat: ChatRec, byUserId: number): Promise<Delivery> {
  const bot = botOf(env, botCode);
  const user = userOf(env, byUserId);
  chat.members.add(bot.id);
  const [delivery] = await deliver(env, [{ kind: 'join', bot, chat, user }]);
  if (!delivery) throw usage(`bot "${botCode}" has no handler bound for JOINCHAT`);
  return delivery;
}

/** Finds a bot by code for the portal facade. */
export function requireBot(env: PayloadEnv, code: string): BotRec {
  return botOf(env, code);
}
