import { pick } from '../protocol/outbound.js';
import type { PortalCaller } from '../rest/client.js';
import type { AuthMode, BotRecord } from '../store/types.js';
import { listBotsCall, listClassicBotsCall, listCommandsCall } from './calls.js';

/** A bot of this app as the portal lists it. Fields the listing does not show are null. */
export interface PortalBot {
  botId: number;
  code: string;
  /** Full name (first and last), as both listings show it. */
  fullName: string | null;
  /** v2 only. */
  type: string | null;
  /** v2 only. */
  eventMode: string | null;
  /** The portal language titles are shown in (v2 only). */
  language: string | null;
  /** Classic `OPENLINE` (v1 only). */
  openline: boolean | null;
  /** The webhook-auth owner key it was listed with (null for OAuth). */
  botToken: string | null;
}

/** A command as `imbot.v2.Command.list` shows it: title and hint in the portal language only. */
export interface PortalCommand {
  commandId: number;
  /** Lower-case, no slash. */
  name: string;
  title: string;
  params: string;
  common: boolean;
  hidden: boolean;
}

/** What this app has registered on one portal. */
export interface PortalView {
  /** This app's bots, by code. */
  bots: Map<string, PortalBot>;
  /** v2: each listed bot's commands, by bot code. v1: null (classic has no command list method). */
  commands: Map<string, PortalCommand[]> | null;
}

/** What reading needs. */
export interface ReadOptions {
  client: PortalCaller;
  memberId: string;
  api: 'v1' | 'v2';
  authMode: AuthMode;
  /** The store's bot records of the portal. */
  stored: readonly BotRecord[];
  /** Bot codes whose commands to list (v2): the declared ones. */
  commandsOf: ReadonlySet<string>;
}

const PAGE = 50;
/** A guard against a portal that keeps saying `hasNextPage` (1000 pages of 50: ten times the 100-bot limit). */
const MAX_PAGES = 1000;

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const int = (v: unknown): number | null => {
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : null;
};
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/**
 * `imbot.v2.Bot.list`, every page (`bots/bot-list.md`; the platform answers `hasNextPage: true` for a
 * full last page, then an empty one). With webhook auth a `botToken` lists only the bots of that token.
 */
async function listV2Bots(o: ReadOptions, botToken: string | null): Promise<PortalBot[]> {
  const out: PortalBot[] = [];
  for (let page = 0; page < MAX_PAGES; page++) {
    const call = listBotsCall(botToken, page * PAGE, PAGE);
    const result = await o.client.call(o.memberId, call.method, call.params);
    const bots = list(pick(result, 'bots'));
    const names = new Map(list(pick(result, 'users')).map((u) => [int(pick(u, 'id')), str(pick(u, 'name'))]));
    for (const b of bots) {
      const botId = int(pick(b, 'id'));
      const code = str(pick(b, 'code'));
      if (botId === null || code === null) continue;
      out.push({
        botId, code, fullName: names.get(botId) ?? null, type: str(pick(b, 'type')), eventMode: str(pick(b, 'eventMode')),
        language: str(pick(b, 'language')), openline: null, botToken,
      });
    }
    if (pick(result, 'hasNextPage') !== true || bots.length === 0) break;
  }
  return out;
}

async function listV2Commands(o: ReadOptions, bot: PortalBot): Promise<PortalCommand[]> {
  const call = listCommandsCall({ botId: bot.botId, botToken: bot.botToken });
  const result = await o.client.call(o.memberId, call.method, call.params);
  return list(pick(result, 'commands')).flatMap((c) => {
    const commandId = int(pick(c, 'id'));
    const name = str(pick(c, 'command'))?.replace(/^\//, '').toLowerCase();
    if (commandId === null || !name) return [];
    return [{
      commandId, name, title: str(pick(c, 'title')) ?? '', params: str(pick(c, 'params')) ?? '',
      common: pick(c, 'common') === true, hidden: pick(c, 'hidden') === true,
    }];
  });
}

async function readV2(o: ReadOptions): Promise<PortalView> {
  // OAuth: one listing of the app's bots. Webhook auth: each bot has its own owner key, listed one by one.
  const tokens = o.authMode === 'oauth' ? [null] : [...new Set(o.stored.flatMap((b) => (b.botToken === null ? [] : [b.botToken])))];
  const bots = new Map<string, PortalBot>();
  for (const token of tokens) for (const bot of await listV2Bots(o, token)) bots.set(bot.code, bot);
  const commands = new Map<string, PortalCommand[]>();
  for (const bot of bots.values()) if (o.commandsOf.has(bot.code)) commands.set(bot.code, await listV2Commands(o, bot));
  return { bots, commands };
}

/** `imbot.bot.list` lists every bot of the portal: ours are those the store knows, matched by id. */
async function readV1(o: ReadOptions): Promise<PortalView> {
  const call = listClassicBotsCall();
  const result = await o.client.call(o.memberId, call.method, call.params);
  const listed = new Map<number, unknown>();
  for (const entry of Array.isArray(result) ? result : Object.values(result ?? {})) {
    const id = int(pick(entry, 'ID'));
    if (id !== null) listed.set(id, entry);
  }
  const bots = new Map<string, PortalBot>();
  for (const rec of o.stored) {
    const entry = listed.get(rec.botId);
    if (rec.botId <= 0 || entry === undefined) continue;
    bots.set(rec.code, {
      botId: rec.botId, code: rec.code, fullName: str(pick(entry, 'NAME')), type: null, eventMode: null, language: null,
      openline: pick(entry, 'OPENLINE') === 'Y', botToken: rec.botToken,
    });
  }
  return { bots, commands: null };
}

/** Reads what this app has registered on the portal; changes nothing. */
export function readPortal(o: ReadOptions): Promise<PortalView> {
  return o.api === 'v2' ? readV2(o) : readV1(o);
}
