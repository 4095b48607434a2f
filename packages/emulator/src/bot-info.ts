import type { BotRec } from './bots.js';
import type { PayloadEnv } from './event-intent.js';
import { applicationTokenOf } from './payload-auth.js';
import type { EmulatedBot } from './types.js';

/** The inspection view of a bot: generation, delivery, handler URLs, commands. */
export function botInfo(env: PayloadEnv, bot: BotRec): EmulatedBot {
  const bots = env.portal.bots;
  return {
    id: bot.id, code: bot.code, name: env.portal.botUser(bot).name, api: bot.api, type: bot.type,
    eventMode: bot.eventMode, auth: bot.authKind, applicationToken: applicationTokenOf(env, bot), webhookUrl: bot.webhookUrl,
    handlers: bot.api === 'v1' ? { ...bots.handlers(bot.ownerKey) } : null,
    commands: bots.commandsOf(bot.id).map((c) => ({
      id: c.id, command: c.command, common: c.common, hidden: c.hidden, title: { ...c.title }, params: { ...c.params }, handlerUrl: c.handlerUrl,
    })),
  };
}
