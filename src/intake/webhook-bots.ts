import type { PortalRecord, RegistryStore, TokenStore } from '../store/types.js';
import { secretsEqual } from './verify.js';

/**
 * The `application_token` the platform puts on events of a bot registered through an incoming webhook:
 * `"custom" + botToken`, cut to 50 characters (there is no OAuth app, so no app token).
 */
export function webhookBotAppToken(botToken: string): string {
  return `custom${botToken}`.slice(0, 50);
}

/**
 * Events of webhook-registered bots carry the portal's real `member_id`, which a webhook URL never tells
 * us; the portal is found by domain and by the bot token the event's application token derives from.
 * Returns the stored webhook portal with the token this event must carry, or null.
 */
export async function findWebhookPortal(store: Pick<TokenStore, 'listPortals'> & Pick<RegistryStore, 'listBots'>, env: { domain: string; applicationToken: string }): Promise<PortalRecord | null> {
  for (const portal of await store.listPortals()) {
    if (portal.authMode !== 'webhook' || portal.domain.toLowerCase() !== env.domain.toLowerCase()) continue;
    for (const bot of await store.listBots(portal.memberId)) {
      if (bot.botToken === null) continue;
      const expected = webhookBotAppToken(bot.botToken);
      if (secretsEqual(env.applicationToken, expected)) return { ...portal, applicationToken: expected };
    }
  }
  return null;
}
