import { randomBytes } from 'node:crypto';
import type { Logger } from '../log.js';
import type { BotIdentity, BotProtocol, CommandRegistration } from '../protocol/outbound.js';
import type { AnyBotDefinition, CommandSpec } from '../router/bot.js';
import { protocolFor } from '../protocol/protocols.js';
import type { PortalCaller } from '../rest/client.js';
import type { BotRecord, PortalRecord, Store } from '../store/types.js';

/** What syncing needs. */
export interface SyncOptions {
  store: Store;
  client: PortalCaller;
  bots: ReadonlyMap<string, AnyBotDefinition>;
  api: 'v1' | 'v2';
  eventMode: 'webhook' | 'fetch';
  /** Where pushed events go (`<PUBLIC_URL>/events`); a function because it is known only once listening. */
  handlerUrl: () => string;
  log: Logger;
  clock?: () => number;
}

/** The outcome per bot. */
export interface SyncReport {
  bots: Array<{ code: string; botId: number | null; commands: string[]; error?: string }>;
}

function perLanguage(value: CommandSpec['title']): Record<string, string> {
  if (value === undefined) return {};
  return typeof value === 'string' ? { en: value } : { ...value };
}

/** A fresh webhook-auth owner key: 40 hex characters, the platform's maximum. */
function newBotToken(): string {
  return randomBytes(20).toString('hex');
}

/**
 * Registers every bot module and its commands on one portal, idempotently: a bot or command already
 * in the store is not registered again (v2 `Bot.register` is idempotent by code anyway). For webhook
 * auth a random `botToken` is created and stored before the first register call, so it is never lost.
 * Never throws: errors are reported per bot and logged.
 */
export function createSync(opts: SyncOptions): (memberId: string) => Promise<SyncReport> {
  const clock = opts.clock ?? Date.now;
  const protocol = protocolFor(opts.api);
  const eventMode = opts.api === 'v1' ? 'webhook' : opts.eventMode;

  async function repoint(portal: PortalRecord, bot: BotRecord, handlerUrl: string | null): Promise<BotRecord> {
    const call = protocol.updateEvents({ botId: bot.botId, botToken: bot.botToken }, handlerUrl);
    await opts.client.call(portal.memberId, call.method, call.params);
    const record = { ...bot, eventMode, handlerUrl };
    await opts.store.saveBot(record);
    return record;
  }

  async function ensureBot(portal: PortalRecord, def: AnyBotDefinition, stored: BotRecord | undefined): Promise<BotRecord> {
    const handlerUrl = eventMode === 'webhook' ? opts.handlerUrl() : null;
    if (stored && stored.botId > 0 && stored.api === opts.api) {
      // PUBLIC_URL (or the event mode) changed since registration: re-point the bot's events.
      return stored.handlerUrl === handlerUrl && stored.eventMode === eventMode ? stored : repoint(portal, stored, handlerUrl);
    }
    const botToken = stored?.botToken ?? (portal.authMode === 'webhook' ? newBotToken() : null);
    const pending: BotRecord = {
      memberId: portal.memberId, code: def.code, botId: 0, api: opts.api, eventMode, botToken, handlerUrl, registeredAt: clock(),
    };
    if (botToken !== null) await opts.store.saveBot(pending);
    const call = protocol.registerBot({
      code: def.code, type: def.options.type ?? 'bot', properties: def.options.properties, handlerUrl, eventMode, botToken,
    });
    const record = { ...pending, botId: protocol.parseBotId(await opts.client.call(portal.memberId, call.method, call.params)) };
    // v2 register is idempotent by code and returns an existing bot unchanged, with its old event URL.
    // Classic register ignores EVENT_MESSAGE_UPDATE/DELETE for TYPE=B/H with OPENLINE=N
    // (`outdated/bots/imbot-register.md`); `imbot.update` has no such restriction and binds them.
    return repoint(portal, record, handlerUrl);
  }

  async function ensureCommands(portal: PortalRecord, def: AnyBotDefinition, bot: BotRecord, p: BotProtocol): Promise<string[]> {
    const have = new Set((await opts.store.listCommands(portal.memberId, def.code)).map((c) => c.command));
    const identity: BotIdentity = { botId: bot.botId, botToken: bot.botToken };
    for (const spec of def.commands) {
      const name = spec.name.toLowerCase();
      if (have.has(name)) continue;
      const reg: CommandRegistration = {
        name,
        title: perLanguage(spec.title),
        params: perLanguage(spec.params),
        common: spec.common ?? false,
        hidden: spec.hidden ?? false,
        handlerUrl: opts.handlerUrl(),
      };
      const call = p.registerCommand(identity, reg);
      const commandId = p.parseCommandId(await opts.client.call(portal.memberId, call.method, call.params));
      await opts.store.saveCommand({ memberId: portal.memberId, botCode: def.code, command: name, commandId });
    }
    return def.commands.map((c) => c.name.toLowerCase());
  }

  return async (memberId) => {
    const report: SyncReport = { bots: [] };
    const portal = await opts.store.getPortal(memberId);
    if (!portal) return report;
    const stored = new Map((await opts.store.listBots(memberId)).map((b) => [b.code, b]));
    for (const def of opts.bots.values()) {
      try {
        const bot = await ensureBot(portal, def, stored.get(def.code));
        const commands = await ensureCommands(portal, def, bot, protocol);
        report.bots.push({ code: def.code, botId: bot.botId, commands });
      } catch (e) {
        opts.log.error('bot registration failed', { memberId, botCode: def.code, err: e });
        report.bots.push({ code: def.code, botId: null, commands: [], error: (e as Error).message });
      }
    }
    opts.log.info('bots synced', { memberId, bots: report.bots.map((b) => `${b.code}#${b.botId ?? 'failed'}`).join(',') });
    return report;
  };
}
