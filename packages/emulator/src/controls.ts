import type { PayloadEnv } from './event-intent.js';
import { deliver } from './events.js';
import { LeakyBucket } from './leaky-bucket.js';
import { asList, asObject, asString } from './params.js';
import { PLAN_LIMITS } from './portal-state.js';
import { requireBot, usage } from './scripted-user.js';
import type { Delivery, RateLimit } from './types.js';

// The fault and control knobs of a portal that the chat page and tests turn: plan / bucket, event
// delivery mode, and the classic context-menu press.

/** Replaces the portal's leaky bucket (by plan, explicit rate/burst, or unlimited). */
export function setRateLimit(env: PayloadEnv, limit: RateLimit | 'standard' | 'enterprise' | null): void {
  const l = typeof limit === 'string' ? PLAN_LIMITS[limit] : limit;
  if (l && (!(l.rate > 0) || !(l.burst >= 1))) throw usage('a rate limit needs rate > 0 and burst >= 1');
  env.portal.bucket = l ? new LeakyBucket(l.rate, l.burst, env.core.clock()) : null;
}

/** The bucket's parameters and current level, or null when unlimited. */
export function bucketView(env: PayloadEnv): { rate: number; burst: number; level: number } | null {
  const b = env.portal.bucket;
  return b ? { rate: b.rate, burst: b.burst, level: b.level(env.core.clock()) } : null;
}

/** Switches a bot's event mode (a v2 bot needs a `webhookUrl` to be pushed to). */
export function setEventMode(env: PayloadEnv, botCode: string, mode: 'webhook' | 'fetch'): void {
  const bot = requireBot(env, botCode);
  if (mode === 'fetch' && bot.api !== 'v2') throw usage(`bot "${botCode}" is a classic bot; only v2 bots fetch events`);
  if (mode === 'webhook' && bot.api === 'v2' && bot.webhookUrl === null) throw usage(`bot "${botCode}" has no webhookUrl to push to`);
  bot.eventMode = mode;
  env.portal.emitter.emit('chats');
}

/** Presses a COMMAND item of a classic message's MENU: ONIMCOMMANDADD with `COMMAND_CONTEXT=MENU`. */
export async function pressMenuItem(env: PayloadEnv, from: number, messageId: number, item: number | string): Promise<Delivery> {
  const user = env.portal.directory.get(from);
  const msg = env.portal.chats.message(messageId);
  const chat = msg ? env.portal.chats.chat(msg.chatId) : undefined;
  if (!user || !msg || !chat || msg.botId === null || msg.deleted) throw usage(`message ${messageId} is not a bot message`);
  if (!chat.members.has(user.id)) throw usage(`user ${from} cannot see message ${messageId}`);
  const items = (asList(msg.menu?.['ITEMS']) ?? []).map((i) => asObject(i) ?? {});
  const index = typeof item === 'number' ? item : items.findIndex((i) => asString(i['TEXT']) === item);
  const chosen = items[index];
  if (!chosen) throw usage(`message ${messageId} has no menu item ${JSON.stringify(item)}`);
  if (chosen['DISABLED'] === 'Y') throw usage(`menu item ${JSON.stringify(item)} is disabled`);
  const bot = env.portal.bots.byId(msg.botId);
  const name = asString(chosen['COMMAND']);
  const command = name && bot ? env.portal.bots.findCommand(bot.id, name.replace(/^\//, '')) : undefined;
  if (!bot || !command) throw usage(`menu item ${JSON.stringify(item)} has no command registered for its bot`);
  const params = asString(chosen['COMMAND_PARAMS']) ?? '';
  const [delivery] = await deliver(env, [{ kind: 'command', bot, command, params, context: 'menu', message: msg, chat, user }]);
  if (!delivery) throw usage(`bot "${bot.code}" has no handler bound for commands`);
  return delivery;
}
