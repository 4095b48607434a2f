import { randomBytes } from 'node:crypto';
import type { BotIdentity, BotProtocol, RestCall } from '../protocol/outbound.js';
import { protocolFor } from '../protocol/protocols.js';
import type { PortalCaller } from '../rest/client.js';
import { B24ApiError } from '../rest/errors.js';
import type { BotRecord, PortalRecord, RegistryStore } from '../store/types.js';
import { updateBotCall, updateCommandCall, unregisterCommandCall } from './calls.js';
import { botSpec, commandSpec, parseSpec, type BotSpec, type CommandSpecRecord, type DeclaredBot, type SyncTarget } from './declared.js';
import { TYPE_NOTE, type SyncChange } from './plan.js';
import type { PortalView } from './portal-view.js';

/** A change as applied: whether the portal took it, and what it said when not. */
export type AppliedChange = SyncChange & { ok: boolean; error?: string };

/** Answers meaning "already gone": unregistering is then done (v2 facts §2.7, §5.4; classic §4.3, §4.12). */
const GONE = new Set(['BOT_NOT_FOUND', 'BOT_ID_ERROR', 'COMMAND_NOT_FOUND', 'COMMAND_ID_ERROR']);

/** A fresh webhook-auth owner key: 40 hex characters, the platform's maximum. */
function newBotToken(): string {
  return randomBytes(20).toString('hex');
}

/** What applying needs: the portal, where events go, and what was read before planning. */
export interface ApplyContext {
  store: RegistryStore;
  client: PortalCaller;
  portal: PortalRecord;
  target: SyncTarget;
  declared: ReadonlyMap<string, DeclaredBot>;
  /** The store's bot records by code; kept current as changes are applied. */
  bots: Map<string, BotRecord>;
  view: PortalView;
  clock: () => number;
}

/** Applies planned changes one by one, keeping the store in step with each change the portal took. */
export class Applier {
  readonly #c: ApplyContext;
  readonly #protocol: BotProtocol;

  constructor(ctx: ApplyContext) {
    this.#c = ctx;
    this.#protocol = protocolFor(ctx.target.api);
  }

  async #call(call: RestCall): Promise<unknown> {
    return this.#c.client.call(this.#c.portal.memberId, call.method, call.params);
  }

  async #callUnlessGone(call: RestCall): Promise<void> {
    try {
      await this.#call(call);
    } catch (e) {
      if (!(e instanceof B24ApiError && GONE.has(e.apiCode))) throw e;
    }
  }

  #def(code: string): DeclaredBot {
    const d = this.#c.declared.get(code);
    if (!d) throw new Error(`bot ${code} is not declared in bots/`);
    return d;
  }

  /** The registered bot a command change needs. */
  #identity(code: string): BotIdentity {
    const bot = this.#c.bots.get(code);
    if (!bot || bot.botId <= 0 || bot.api !== this.#c.target.api) throw new Error(`bot ${code} is not registered`);
    return { botId: bot.botId, botToken: bot.botToken };
  }

  /** Applies one change. Never throws: a failure is reported on the change. */
  async apply(change: SyncChange): Promise<AppliedChange> {
    try {
      const error = await this.#apply(change);
      return error === null ? { ...change, ok: true } : { ...change, ok: false, error };
    } catch (e) {
      return { ...change, ok: false, error: e instanceof Error ? e.message : String(e) };
    }
  }

  async #apply(c: SyncChange): Promise<string | null> {
    switch (c.action) {
      case 'register-bot': return this.#registerBot(this.#def(c.bot));
      case 'update-bot': return this.#updateBot(this.#def(c.bot), c.botId, c.fields);
      case 'unregister-bot': return this.#unregisterBot(c.bot, c.botId);
      case 'register-command': return this.#registerCommand(this.#def(c.bot), c.command);
      case 'update-command': return this.#updateCommand(this.#def(c.bot), c.command, c.commandId);
      case 'unregister-command': return this.#unregisterCommand(c.bot, c.command, c.commandId);
    }
  }

  async #registerBot(d: DeclaredBot): Promise<null> {
    const { store, portal, target } = this.#c;
    const prev = this.#c.bots.get(d.code);
    const botToken = prev?.botToken ?? (portal.authMode === 'webhook' ? newBotToken() : null);
    const base: BotRecord = {
      memberId: portal.memberId, code: d.code, botId: 0, api: target.api, eventMode: target.eventMode, botToken,
      handlerUrl: target.handlerUrl, registeredAt: this.#c.clock(),
    };
    // The owner key is stored before the platform first sees it, so it is never lost.
    if (botToken !== null && prev?.botToken !== botToken) await store.saveBot(base);
    const reg = this.#protocol.registerBot({
      code: d.code, type: d.type, properties: d.properties, handlerUrl: target.handlerUrl, eventMode: target.eventMode, botToken,
    });
    const botId = this.#protocol.parseBotId(await this.#call(reg));
    // v2 register is idempotent by code and returns an existing bot unchanged (bot-register.md); classic
    // register ignores EVENT_MESSAGE_UPDATE/DELETE for TYPE=B/H (`outdated/bots/imbot-register.md`).
    // One update sets the profile and binds every event.
    await this.#call(updateBotCall(target, { botId, botToken }, { bot: d, properties: true, dropped: [], events: true }));
    if (prev && prev.botId !== botId) {
      for (const cmd of await store.listCommands(portal.memberId, d.code)) await store.deleteCommand(portal.memberId, d.code, cmd.command);
    }
    await this.#save({ ...base, botId, spec: JSON.stringify(botSpec(d)) });
    return null;
  }

  async #updateBot(d: DeclaredBot, botId: number, fields: readonly string[]): Promise<string | null> {
    const { portal, target } = this.#c;
    const prev = this.#c.bots.get(d.code);
    const listed = this.#c.view.bots.get(d.code);
    const identity = { botId, botToken: prev?.botToken ?? listed?.botToken ?? null };
    const before = parseSpec<BotSpec>(prev?.spec);
    const spec = botSpec(d);
    const properties = fields.some((f) => f.startsWith('properties.'));
    const events = fields.includes('eventMode') || fields.includes('handlerUrl');
    if (properties || events) {
      const dropped = Object.keys(before?.properties ?? {}).filter((k) => !(k in spec.properties));
      await this.#call(updateBotCall(target, identity, { bot: d, properties, dropped, events }));
    }
    const typeBlocked = fields.includes('type');
    if (typeBlocked) spec.type = before?.type ?? listed?.type ?? d.type;
    await this.#save({
      memberId: portal.memberId, code: d.code, botId, api: target.api, eventMode: target.eventMode, botToken: identity.botToken,
      handlerUrl: target.handlerUrl, registeredAt: prev?.registeredAt ?? this.#c.clock(), spec: JSON.stringify(spec),
    });
    return typeBlocked ? TYPE_NOTE : null;
  }

  async #unregisterBot(code: string, botId: number): Promise<null> {
    const prev = this.#c.bots.get(code);
    const botToken = prev?.botToken ?? this.#c.view.bots.get(code)?.botToken ?? null;
    await this.#callUnlessGone(protocolFor(prev?.api ?? this.#c.target.api).unregisterBot({ botId, botToken }));
    await this.#c.store.deleteBot(this.#c.portal.memberId, code);
    this.#c.bots.delete(code);
    return null;
  }

  async #registerCommand(d: DeclaredBot, name: string): Promise<null> {
    const identity = this.#identity(d.code);
    const cmd = d.commands.find((c) => c.name === name);
    if (!cmd) throw new Error(`command /${name} is not declared by ${d.code}`);
    const call = this.#protocol.registerCommand(identity, {
      name, title: cmd.title, params: cmd.params, common: cmd.common, hidden: cmd.hidden, handlerUrl: this.#c.target.handlerUrl,
    });
    const commandId = this.#protocol.parseCommandId(await this.#call(call));
    await this.#c.store.saveCommand({
      memberId: this.#c.portal.memberId, botCode: d.code, command: name, commandId, spec: JSON.stringify(commandSpec(cmd, this.#c.target)),
    });
    return null;
  }

  async #updateCommand(d: DeclaredBot, name: string, commandId: number): Promise<null> {
    const { store, portal, target } = this.#c;
    const identity = this.#identity(d.code);
    const cmd = d.commands.find((c) => c.name === name);
    if (!cmd) throw new Error(`command /${name} is not declared by ${d.code}`);
    const rec = (await store.listCommands(portal.memberId, d.code)).find((c) => c.command === name && c.commandId === commandId);
    const before = parseSpec<CommandSpecRecord>(rec?.spec);
    const langs = { title: Object.keys(before?.title ?? {}), params: Object.keys(before?.params ?? {}) };
    await this.#call(updateCommandCall(target, identity, commandId, cmd, langs));
    await store.saveCommand({ memberId: portal.memberId, botCode: d.code, command: name, commandId, spec: JSON.stringify(commandSpec(cmd, target)) });
    return null;
  }

  async #unregisterCommand(code: string, name: string, commandId: number): Promise<null> {
    const bot = this.#c.bots.get(code);
    const botToken = bot?.botToken ?? this.#c.view.bots.get(code)?.botToken ?? null;
    const botId = bot?.botId ?? this.#c.view.bots.get(code)?.botId ?? 0;
    await this.#callUnlessGone(unregisterCommandCall(bot?.api ?? this.#c.target.api, { botId, botToken }, commandId));
    await this.#c.store.deleteCommand(this.#c.portal.memberId, code, name);
    return null;
  }

  async #save(record: BotRecord): Promise<void> {
    await this.#c.store.saveBot(record);
    this.#c.bots.set(record.code, record);
  }
}
