import { protocolFor } from '../protocol/protocols.js';
import type { BotIdentity, RestCall } from '../protocol/outbound.js';
import type { DeclaredBot, DeclaredCommand, SyncTarget } from './declared.js';

// The REST calls of registration sync beyond what the message protocol builds (register, unregister):
// listing, updating a bot's profile and events, updating and removing commands. Classic spellings follow
// `outdated/bots/imbot-update.md`, `outdated/commands/imbot-command-update.md` and `-unregister.md`;
// v2 ones `imbot.v2/bots/bot-update.md`, `imbot.v2/commands/command-update.md`, `command-unregister.md`.

/** Properties the platform can clear with an empty string (the others can only be replaced). */
const CLEARABLE = new Set(['lastName', 'workPosition']);

/** What changes in one bot update: its profile (all declared properties) and/or where its events go. */
export interface BotUpdate {
  bot: DeclaredBot;
  /** Send the profile: the declared properties, and '' for clearable ones no longer declared. */
  properties: boolean;
  /** Property keys applied before that are no longer declared. */
  dropped: readonly string[];
  /** Send the event mode and handler URL. */
  events: boolean;
}

function v1Auth(bot: BotIdentity): Record<string, unknown> {
  return bot.botToken === null ? { BOT_ID: bot.botId } : { BOT_ID: bot.botId, CLIENT_ID: bot.botToken };
}

function v2Auth(bot: BotIdentity): Record<string, unknown> {
  return bot.botToken === null ? { botId: bot.botId } : { botId: bot.botId, botToken: bot.botToken };
}

/** The declared profile in the generation's spelling (taken from its register call, so both stay alike). */
function profile(target: SyncTarget, update: BotUpdate): Record<string, unknown> {
  const reg = protocolFor(target.api).registerBot({
    code: update.bot.code, type: update.bot.type, properties: update.bot.properties, handlerUrl: null, eventMode: 'webhook', botToken: null,
  });
  const props = target.api === 'v1'
    ? { ...(reg.params['PROPERTIES'] as Record<string, unknown>) }
    : { ...((reg.params['fields'] as Record<string, unknown>)['properties'] as Record<string, unknown>) };
  for (const key of update.dropped.filter((k) => CLEARABLE.has(k))) {
    props[target.api === 'v1' ? key.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase() : key] = '';
  }
  return props;
}

/** `imbot.update` / `imbot.v2.Bot.update` with the profile and/or the event settings. */
export function updateBotCall(target: SyncTarget, bot: BotIdentity, update: BotUpdate): RestCall {
  if (target.api === 'v1') {
    const fields: Record<string, unknown> = {};
    if (update.properties) fields['PROPERTIES'] = profile(target, update);
    if (update.events) fields['EVENT_HANDLER'] = target.handlerUrl;
    return { method: 'imbot.update', params: { ...v1Auth(bot), FIELDS: fields } };
  }
  const fields: Record<string, unknown> = {};
  if (update.properties) fields['properties'] = profile(target, update);
  if (update.events) {
    fields['eventMode'] = target.eventMode;
    if (target.eventMode === 'webhook') fields['webhookUrl'] = target.handlerUrl;
  }
  return { method: 'imbot.v2.Bot.update', params: { ...v2Auth(bot), fields } };
}

/** Languages applied before but no longer declared map to null: v2 deletes that translation. */
function withRemoved(now: Record<string, string>, before: readonly string[]): Record<string, string | null> {
  const out: Record<string, string | null> = { ...now };
  for (const lang of before) if (!(lang in now)) out[lang] = null;
  return out;
}

/**
 * `imbot.command.update` / `imbot.v2.Command.update` setting every declared title and hint. Classic
 * `LANG` replaces the list; v2 merges per language, so languages dropped since `before` are sent as null.
 * Classic `COMMON` is not updatable (the plan re-registers instead).
 */
export function updateCommandCall(
  target: SyncTarget, bot: BotIdentity, commandId: number, cmd: DeclaredCommand, before: { title: readonly string[]; params: readonly string[] },
): RestCall {
  if (target.api === 'v1') {
    const fields: Record<string, unknown> = {
      HIDDEN: cmd.hidden ? 'Y' : 'N',
      LANG: Object.keys(cmd.title).map((l) => ({ LANGUAGE_ID: l, TITLE: cmd.title[l], PARAMS: cmd.params[l] ?? '' })),
    };
    if (target.handlerUrl !== null) fields['EVENT_COMMAND_ADD'] = target.handlerUrl;
    const auth = bot.botToken === null ? {} : { CLIENT_ID: bot.botToken };
    return { method: 'imbot.command.update', params: { ...auth, COMMAND_ID: commandId, FIELDS: fields } };
  }
  const fields: Record<string, unknown> = { common: cmd.common, hidden: cmd.hidden };
  const title = withRemoved(cmd.title, before.title);
  // Hints apply only to the languages present in `title` (command-update.md): send those titles along.
  const params = withRemoved(cmd.params, before.params);
  if (Object.keys(title).length > 0) fields['title'] = title;
  if (Object.keys(params).length > 0) fields['params'] = params;
  return { method: 'imbot.v2.Command.update', params: { ...v2Auth(bot), commandId, fields } };
}

/** `imbot.command.unregister` / `imbot.v2.Command.unregister`. */
export function unregisterCommandCall(api: 'v1' | 'v2', bot: BotIdentity, commandId: number): RestCall {
  if (api === 'v1') {
    return { method: 'imbot.command.unregister', params: { ...(bot.botToken === null ? {} : { CLIENT_ID: bot.botToken }), COMMAND_ID: commandId } };
  }
  return { method: 'imbot.v2.Command.unregister', params: { ...v2Auth(bot), commandId } };
}

/** One page of `imbot.v2.Bot.list` (`bots/bot-list.md`: limit 50 by default, `offset` to page on). */
export function listBotsCall(botToken: string | null, offset: number, limit: number): RestCall {
  return { method: 'imbot.v2.Bot.list', params: { ...(botToken === null ? {} : { botToken }), limit, offset } };
}

/** `imbot.v2.Command.list` of one bot (`commands/command-list.md`, not paged). */
export function listCommandsCall(bot: BotIdentity): RestCall {
  return { method: 'imbot.v2.Command.list', params: v2Auth(bot) };
}

/** `imbot.bot.list`: every bot of the portal, keyed by id (`outdated/bots/imbot-bot-list.md`). */
export function listClassicBotsCall(): RestCall {
  return { method: 'imbot.bot.list', params: {} };
}
