import type { V1Handlers } from './types.js';

export type { V1Handlers } from './types.js';

/** v2 bot types; v1 B/H map to `bot`, S to `supervisor`, O to `openline`. */
export type BotType = 'bot' | 'supervisor' | 'personal' | 'openline' | 'network';

/** A registered bot. Its `ownerKey` is the app `client_id` (OAuth) or `custom<CLIENT_ID|botToken>`. */
export interface BotRec {
  id: number;
  code: string;
  api: 'v1' | 'v2';
  type: BotType;
  v1Type: string | null;
  ownerKey: string;
  authKind: 'oauth' | 'webhook';
  eventMode: 'webhook' | 'fetch';
  webhookUrl: string | null;
  openline: boolean;
  isHidden: boolean;
  isReactionsEnabled: boolean;
  backgroundId: string | null;
  color: string;
}

/** A registered command (v1 or v2). */
export interface CommandRec {
  id: number;
  botId: number;
  /** Without the leading slash. */
  command: string;
  common: boolean;
  hidden: boolean;
  extranetSupport: boolean;
  title: Record<string, string>;
  params: Record<string, string>;
  handlerUrl: string | null;
}


/** The bots and commands of a portal. */
export class BotRegistry {
  readonly #bots = new Map<number, BotRec>();
  readonly #commands = new Map<number, CommandRec>();
  readonly #v1Handlers = new Map<string, V1Handlers>();
  #nextCommand = 1;

  add(bot: BotRec): BotRec {
    this.#bots.set(bot.id, bot);
    return bot;
  }

  byId(id: number): BotRec | undefined {
    return this.#bots.get(id);
  }

  byCode(code: string): BotRec | undefined {
    for (const bot of this.#bots.values()) if (bot.code === code) return bot;
    return undefined;
  }

  all(): BotRec[] {
    return [...this.#bots.values()];
  }

  ofOwner(ownerKey: string): BotRec[] {
    return this.all().filter((b) => b.ownerKey === ownerKey);
  }

  /** Removes a bot and its commands. */
  remove(id: number): void {
    this.#bots.delete(id);
    for (const [cid, c] of this.#commands) if (c.botId === id) this.#commands.delete(cid);
  }

  addCommand(c: Omit<CommandRec, 'id'>): CommandRec {
    const rec: CommandRec = { ...c, id: this.#nextCommand++ };
    this.#commands.set(rec.id, rec);
    return rec;
  }

  command(id: number): CommandRec | undefined {
    return this.#commands.get(id);
  }

  removeCommand(id: number): void {
    this.#commands.delete(id);
  }

  commandsOf(botId: number): CommandRec[] {
    return [...this.#commands.values()].filter((c) => c.botId === botId);
  }

  /** The command `name` (no slash, case-insensitive) of a bot. */
  findCommand(botId: number, name: string): CommandRec | undefined {
    const lower = name.toLowerCase();
    return this.commandsOf(botId).find((c) => c.command.toLowerCase() === lower);
  }

  /** Every `common` command named `name`, whatever bot owns it. */
  commonCommands(name: string): CommandRec[] {
    const lower = name.toLowerCase();
    return [...this.#commands.values()].filter((c) => c.common && c.command.toLowerCase() === lower);
  }

  /** The v1 handler set of an app (created empty). */
  handlers(ownerKey: string): V1Handlers {
    let h = this.#v1Handlers.get(ownerKey);
    if (!h) {
      h = { messageAdd: null, messageUpdate: null, messageDelete: null, joinChat: null, botDelete: null, commandAdd: null };
      this.#v1Handlers.set(ownerKey, h);
    }
    return h;
  }

  /** True when `name` is a v1 handler set that exists. */
  hasHandlers(ownerKey: string): boolean {
    return this.#v1Handlers.has(ownerKey);
  }
}
