import type { Logger } from '../log.js';
import { protocolFor } from '../protocol/protocols.js';
import type { PortalCaller } from '../rest/client.js';
import { B24ApiError } from '../rest/errors.js';
import type { AnyBotDefinition } from '../router/bot.js';
import type { BotRecord, CommandRecord, PortalRecord, Store } from '../store/types.js';
import { Applier, type AppliedChange } from './apply.js';
import { declaredBots, declaredHash, type DeclaredBot, type SyncTarget } from './declared.js';
import { describeChange, diffPortal, type SyncChange, type SyncPlan } from './plan.js';
import { readPortal, type PortalView } from './portal-view.js';

export type { AppliedChange } from './apply.js';

/** What syncing needs. */
export interface SyncOptions {
  store: Store;
  /** The server's REST client: every call goes through its per-portal limiter. */
  client: PortalCaller;
  bots: ReadonlyMap<string, AnyBotDefinition>;
  api: 'v1' | 'v2';
  eventMode: 'webhook' | 'fetch';
  /** Where pushed events go (`<PUBLIC_URL>/events`); a function because it is known only once listening. */
  handlerUrl: () => string;
  log: Logger;
  clock?: () => number;
}

/** The outcome of a sync: per declared bot, and every change with whether the portal took it. */
export interface SyncReport {
  bots: Array<{ code: string; botId: number | null; commands: string[]; error?: string }>;
  changes: AppliedChange[];
}

/** Registration sync of one server: plan, apply, unregister. Callers serialise calls per portal. */
export interface Registrar {
  /** Where the bots' events go now. */
  target(): SyncTarget;
  /** The hash of the declared bots and the target (see {@link declaredHash}). */
  hash(): string;
  /** Reads the portal and returns what a sync would change; changes nothing. Throws when the portal cannot be read. */
  plan(memberId: string): Promise<SyncPlan>;
  /** Makes the portal match the declared bots; stores the hash when every change succeeded. Never throws. */
  sync(memberId: string): Promise<SyncReport>;
  /** Unregisters one bot on the portal and forgets it; null when the store knows no such bot. */
  unregister(memberId: string, code: string): Promise<{ botId: number } | null>;
}

interface Read {
  portal: PortalRecord;
  stored: BotRecord[];
  commands: CommandRecord[];
  view: PortalView;
}

/**
 * Registration sync, one idempotent operation per portal: reads what this app has registered (v2
 * `Bot.list` + `Command.list`; classic `imbot.bot.list` and the store, as classic has no command
 * list), diffs it against `bots/`, then registers what is missing, updates what changed (profile,
 * event URL, command titles and hints per language) and unregisters what was removed. For webhook auth
 * a random `botToken` is created and stored before the first register call, so it is never lost.
 */
export function createRegistrar(opts: SyncOptions): Registrar {
  const clock = opts.clock ?? Date.now;
  const declared: DeclaredBot[] = declaredBots(opts.bots);
  const byCode = new Map(declared.map((d) => [d.code, d]));
  const target = (): SyncTarget => {
    const mode = opts.api === 'v1' ? 'webhook' : opts.eventMode;
    return { api: opts.api, eventMode: mode, handlerUrl: mode === 'webhook' ? opts.handlerUrl() : null };
  };

  async function read(memberId: string): Promise<Read | null> {
    const portal = await opts.store.getPortal(memberId);
    if (!portal) return null;
    const stored = await opts.store.listBots(memberId);
    const commands = await opts.store.listCommands(memberId);
    const view = await readPortal({
      client: opts.client, memberId, api: opts.api, authMode: portal.authMode, stored, commandsOf: new Set(byCode.keys()),
    });
    return { portal, stored, commands, view };
  }

  const diff = (r: Read): SyncChange[] =>
    diffPortal({ declared, target: target(), storedBots: r.stored, storedCommands: r.commands, portal: r.view });

  /** Records of bots neither declared nor on the portal (deleted there, or a registration that never completed). */
  async function forgetStale(r: Read): Promise<void> {
    for (const rec of r.stored) {
      if (!byCode.has(rec.code) && !r.view.bots.has(rec.code)) await opts.store.deleteBot(r.portal.memberId, rec.code);
    }
  }

  function report(changes: AppliedChange[], bots: ReadonlyMap<string, BotRecord>, commands: CommandRecord[]): SyncReport {
    return {
      changes,
      bots: declared.map((d) => {
        const rec = bots.get(d.code);
        const failed = changes.find((c) => c.bot === d.code && !c.ok);
        const registered = rec !== undefined && rec.botId > 0 && !changes.some((c) => c.bot === d.code && c.action === 'register-bot' && !c.ok);
        return {
          code: d.code, botId: registered ? rec.botId : null,
          commands: registered ? commands.filter((c) => c.botCode === d.code).map((c) => c.command) : [],
          ...(failed?.error !== undefined ? { error: failed.error } : {}),
        };
      }),
    };
  }

  async function sync(memberId: string): Promise<SyncReport> {
    let r: Read | null;
    try {
      r = await read(memberId);
    } catch (e) {
      opts.log.error('reading the registered bots failed; nothing changed', { memberId, err: e });
      const error = e instanceof Error ? e.message : String(e);
      return { bots: declared.map((d) => ({ code: d.code, botId: null, commands: [], error })), changes: [] };
    }
    if (!r) return { bots: [], changes: [] };
    const changes = diff(r);
    const bots = new Map(r.stored.map((b) => [b.code, b]));
    const applier = new Applier({ store: opts.store, client: opts.client, portal: r.portal, target: target(), declared: byCode, bots, view: r.view, clock });
    const applied: AppliedChange[] = [];
    for (const change of changes) {
      const done = await applier.apply(change);
      if (!done.ok) opts.log.error('sync change failed', { memberId, change: describeChange(change), error: done.error });
      applied.push(done);
    }
    await forgetStale(r);
    const failed = applied.filter((c) => !c.ok).length;
    if (failed === 0) await opts.store.setSyncHash(memberId, declaredHash(declared, target()));
    opts.log.info('bots synced', { memberId, changes: applied.length, failed, applied: applied.map(describeChange).join('; ') });
    return report(applied, bots, await opts.store.listCommands(memberId));
  }

  return {
    target,
    hash: () => declaredHash(declared, target()),
    async plan(memberId) {
      const r = await read(memberId);
      return { memberId, changes: r ? diff(r) : [] };
    },
    sync,
    async unregister(memberId, code) {
      const bot = (await opts.store.listBots(memberId)).find((b) => b.code === code);
      if (!bot) return null;
      if (bot.botId > 0) {
        try {
          const call = protocolFor(bot.api).unregisterBot({ botId: bot.botId, botToken: bot.botToken });
          await opts.client.call(memberId, call.method, call.params);
        } catch (e) {
          if (!(e instanceof B24ApiError && (e.apiCode === 'BOT_NOT_FOUND' || e.apiCode === 'BOT_ID_ERROR'))) throw e;
        }
      }
      await opts.store.deleteBot(memberId, code);
      opts.log.info('bot unregistered', { memberId, botCode: code, botId: bot.botId });
      return bot.botId > 0 ? { botId: bot.botId } : null;
    },
  };
}
