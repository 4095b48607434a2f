import { BotkitError } from '../errors.js';
import { readId, type BotIdentity, type BotProtocol, type BotType, type WireMessage } from './outbound.js';

const TYPE: Record<BotType, string> = { bot: 'B', supervisor: 'S', personal: 'S', openline: 'O' };

const yn = (v: boolean): 'Y' | 'N' => (v ? 'Y' : 'N');

function auth(bot: BotIdentity): Record<string, unknown> {
  return bot.botToken === null ? { BOT_ID: bot.botId } : { BOT_ID: bot.botId, CLIENT_ID: bot.botToken };
}

function clientId(bot: BotIdentity): Record<string, unknown> {
  return bot.botToken === null ? {} : { CLIENT_ID: bot.botToken };
}

/** `lightBlue` → `LIGHT_BLUE`. */
function upperSnake(name: string): string {
  return name.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
}

function content(msg: Partial<WireMessage>): Record<string, unknown> {
  const p: Record<string, unknown> = {};
  if (msg.text !== undefined) p['MESSAGE'] = msg.text;
  if (msg.keyboard !== undefined) p['KEYBOARD'] = msg.keyboard;
  if (msg.attach !== undefined) p['ATTACH'] = msg.attach;
  if (msg.menu !== undefined) p['MENU'] = msg.menu;
  if (msg.system !== undefined) p['SYSTEM'] = yn(msg.system);
  if (msg.urlPreview !== undefined) p['URL_PREVIEW'] = yn(msg.urlPreview);
  return p;
}

/** Classic bots (`imbot.*`, deprecated but what existing bots and on-premise portals run). */
export const protocolV1: BotProtocol = {
  api: 'v1',
  registerBot(reg) {
    const p = reg.properties;
    const properties: Record<string, unknown> = { NAME: p.name };
    if (p.lastName !== undefined) properties['LAST_NAME'] = p.lastName;
    if (p.color !== undefined) properties['COLOR'] = upperSnake(p.color);
    if (p.workPosition !== undefined) properties['WORK_POSITION'] = p.workPosition;
    if (p.avatar !== undefined) properties['PERSONAL_PHOTO'] = p.avatar;
    if (p.gender !== undefined) properties['PERSONAL_GENDER'] = p.gender;
    const params: Record<string, unknown> = {
      CODE: reg.code,
      TYPE: TYPE[reg.type],
      OPENLINE: yn(reg.type === 'openline'),
      EVENT_HANDLER: reg.handlerUrl,
      PROPERTIES: properties,
    };
    if (reg.botToken !== null) params['CLIENT_ID'] = reg.botToken;
    return { method: 'imbot.register', params };
  },
  parseBotId: (result) => readId(result, 'result (bot id)'),
  unregisterBot: (bot) => ({ method: 'imbot.unregister', params: auth(bot) }),
  updateEvents: (bot, handlerUrl) => ({ method: 'imbot.update', params: { ...auth(bot), FIELDS: { EVENT_HANDLER: handlerUrl } } }),
  registerCommand(bot, cmd) {
    const langs = Object.keys(cmd.title);
    return {
      method: 'imbot.command.register',
      params: {
        ...auth(bot),
        COMMAND: cmd.name,
        COMMON: yn(cmd.common),
        HIDDEN: yn(cmd.hidden),
        EVENT_COMMAND_ADD: cmd.handlerUrl,
        LANG: langs.map((l) => ({ LANGUAGE_ID: l, TITLE: cmd.title[l], PARAMS: cmd.params[l] ?? '' })),
      },
    };
  },
  parseCommandId: (result) => readId(result, 'result (command id)'),
  send: (bot, dialogId, msg) => ({ method: 'imbot.message.add', params: { ...auth(bot), DIALOG_ID: dialogId, ...content(msg) } }),
  parseMessageId: (result) => (typeof result === 'number' ? result : null),
  answer: (bot, cmd, msg) => ({
    method: 'imbot.command.answer',
    params: { ...clientId(bot), COMMAND_ID: cmd.commandId, MESSAGE_ID: cmd.messageId, ...content(msg) },
  }),
  update: (bot, messageId, msg) => ({ method: 'imbot.message.update', params: { ...auth(bot), MESSAGE_ID: messageId, ...content(msg) } }),
  delete: (bot, messageId) => ({ method: 'imbot.message.delete', params: { ...auth(bot), MESSAGE_ID: messageId } }),
  typing: (bot, dialogId) => ({ method: 'imbot.chat.sendTyping', params: { ...auth(bot), DIALOG_ID: dialogId } }),
  // Classic bots have one reaction, the like (`outdated/messages/imbot-message-like.md`): `plus` sets it;
  // any other code cannot be set and is refused before anything is queued.
  react: (bot, messageId, reaction) => {
    if (reaction !== 'like') {
      throw new BotkitError('CONTEXT_UNSUPPORTED', `classic bots can only set the "like" reaction (imbot.message.like), not "${reaction}"`);
    }
    return { method: 'imbot.message.like', params: { ...auth(bot), MESSAGE_ID: messageId, ACTION: 'plus' } };
  },
};
