import { BotkitError } from '../errors.js';
import { pick, readId, type BotIdentity, type BotProtocol, type RestCall, type WireMessage } from './outbound.js';

function auth(bot: BotIdentity): Record<string, unknown> {
  return bot.botToken === null ? { botId: bot.botId } : { botId: bot.botId, botToken: bot.botToken };
}

function fields(msg: Partial<WireMessage>): Record<string, unknown> {
  if (msg.menu !== undefined) throw new BotkitError('MESSAGE_INVALID', 'context menus exist only in the classic API (B24_BOT_API=v1)');
  const f: Record<string, unknown> = {};
  if (msg.text !== undefined) f['message'] = msg.text;
  if (msg.keyboard !== undefined) f['keyboard'] = msg.keyboard;
  if (msg.attach !== undefined) f['attach'] = msg.attach;
  if (msg.system !== undefined) f['system'] = msg.system;
  if (msg.urlPreview !== undefined) f['urlPreview'] = msg.urlPreview;
  if (msg.replyTo !== undefined) f['replyId'] = msg.replyTo;
  return f;
}

function call(method: string, params: Record<string, unknown>): RestCall {
  return { method: `imbot.v2.${method}`, params };
}

/** Chat bots 2.0 (`imbot.v2.*`): camelCase params, content under `fields`, `botToken` for webhook auth. */
export const protocolV2: BotProtocol = {
  api: 'v2',
  registerBot(reg) {
    const f: Record<string, unknown> = {
      code: reg.code,
      type: reg.type,
      eventMode: reg.eventMode,
      properties: { ...reg.properties },
    };
    if (reg.handlerUrl !== null) f['webhookUrl'] = reg.handlerUrl;
    if (reg.botToken !== null) f['botToken'] = reg.botToken;
    return call('Bot.register', { fields: f });
  },
  parseBotId: (result) => readId(pick(result, 'bot', 'id'), 'result.bot.id'),
  unregisterBot: (bot) => call('Bot.unregister', auth(bot)),
  updateEvents: (bot, handlerUrl) => call('Bot.update', {
    ...auth(bot),
    fields: handlerUrl === null ? { eventMode: 'fetch' } : { eventMode: 'webhook', webhookUrl: handlerUrl },
  }),
  registerCommand(bot, cmd) {
    const f: Record<string, unknown> = { command: cmd.name, common: cmd.common, hidden: cmd.hidden };
    if (Object.keys(cmd.title).length > 0) f['title'] = { ...cmd.title };
    if (Object.keys(cmd.params).length > 0) f['params'] = { ...cmd.params };
    return call('Command.register', { ...auth(bot), fields: f });
  },
  parseCommandId: (result) => readId(pick(result, 'command', 'id'), 'result.command.id'),
  send(bot, dialogId, msg, idempotencyKey) {
    return call('Chat.Message.send', { ...auth(bot), dialogId, fields: { ...fields(msg), templateId: idempotencyKey } });
  },
  parseMessageId: (result) => {
    const id = pick(result, 'id');
    return typeof id === 'number' ? id : null;
  },
  answer(bot, cmd, msg) {
    return call('Command.answer', {
      ...auth(bot),
      commandId: cmd.commandId,
      messageId: cmd.messageId,
      dialogId: cmd.dialogId,
      fields: fields(msg),
    });
  },
  update: (bot, messageId, msg) => call('Chat.Message.update', { ...auth(bot), messageId, fields: fields(msg) }),
  delete: (bot, messageId) => call('Chat.Message.delete', { ...auth(bot), messageId }),
  typing: (bot, dialogId) => call('Chat.InputAction.notify', { ...auth(bot), dialogId }),
  react: (bot, messageId, reaction) => call('Chat.Message.Reaction.add', { ...auth(bot), messageId, reaction }),
};
