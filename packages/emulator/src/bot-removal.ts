import type { BotRec } from './bots.js';
import type { PayloadEnv } from './event-intent.js';
import { deliver } from './events.js';

/**
 * Unregisters a bot: the delete event (ONIMBOTDELETE / ONIMBOTV2DELETE, pushed bots only) is shaped
 * before the bot disappears and sent in the background; then the bot, its commands, its chat
 * memberships and its fetch queue are gone (`Event.get` answers BOT_NOT_FOUND afterwards).
 */
export function removeBot(env: PayloadEnv, bot: BotRec, byUserId: number, notify = true): void {
  if (notify && bot.eventMode === 'webhook') env.core.track(deliver(env, [{ kind: 'botDelete', bot, userId: byUserId }]));
  env.portal.bots.remove(bot.id);
  env.portal.chats.leaveAll(bot.id);
  env.portal.eventLog.dropBot(bot.id);
}
