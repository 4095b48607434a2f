import { createHash } from 'node:crypto';
import type { BotProperties, BotType } from '../protocol/outbound.js';
import type { AnyBotDefinition, CommandSpec } from '../router/bot.js';

/** A command as the portal should have it: titles and parameter hints per language. */
export interface DeclaredCommand {
  /** Lower-case, no slash. */
  name: string;
  title: Record<string, string>;
  params: Record<string, string>;
  common: boolean;
  hidden: boolean;
}

/** A bot as the portal should have it. */
export interface DeclaredBot {
  code: string;
  type: BotType;
  properties: BotProperties;
  commands: DeclaredCommand[];
}

/** Where the bots' events should go: the API generation, the delivery mode and (webhook mode) the URL. */
export interface SyncTarget {
  api: 'v1' | 'v2';
  /** Already resolved: always `webhook` for v1 (classic bots have no fetch mode). */
  eventMode: 'webhook' | 'fetch';
  /** `<PUBLIC_URL>/events` in webhook mode; null in fetch mode. */
  handlerUrl: string | null;
}

/** What a bot record remembers of its registration (`BotRecord.spec`, JSON): type and profile. */
export interface BotSpec {
  /** The declared type, or the portal's when a type change could not be applied. */
  type: string;
  /** The declared properties; `avatar` as a SHA-256 of the Base64 text (it can be megabytes). */
  properties: Record<string, string>;
}

/** What a command record remembers of its registration (`CommandRecord.spec`, JSON). */
export interface CommandSpecRecord {
  title: Record<string, string>;
  params: Record<string, string>;
  common: boolean;
  hidden: boolean;
  /** Classic commands carry their own `EVENT_COMMAND_ADD`; null for v2 (events follow the bot). */
  handlerUrl: string | null;
}

function perLanguage(value: CommandSpec['title']): Record<string, string> {
  if (value === undefined) return {};
  return typeof value === 'string' ? { en: value } : { ...value };
}

/** The declared bots of `bots/`, normalised (commands lower-cased, titles per language, defaults applied). */
export function declaredBots(bots: ReadonlyMap<string, AnyBotDefinition>): DeclaredBot[] {
  return [...bots.values()].map((def) => ({
    code: def.code,
    type: def.options.type ?? 'bot',
    properties: def.options.properties,
    commands: def.commands.map((c) => ({
      name: c.name.toLowerCase(), title: perLanguage(c.title), params: perLanguage(c.params),
      common: c.common ?? false, hidden: c.hidden ?? false,
    })),
  }));
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The remembered form of a bot's declaration. */
export function botSpec(bot: DeclaredBot): BotSpec {
  const properties: Record<string, string> = {};
  for (const [key, value] of Object.entries(bot.properties) as Array<[string, string | undefined]>) {
    if (value === undefined) continue;
    properties[key] = key === 'avatar' ? `sha256:${sha256(value)}` : value;
  }
  return { type: bot.type, properties };
}

/** The remembered form of a command's declaration. */
export function commandSpec(cmd: DeclaredCommand, target: SyncTarget): CommandSpecRecord {
  return {
    title: { ...cmd.title }, params: { ...cmd.params }, common: cmd.common, hidden: cmd.hidden,
    handlerUrl: target.api === 'v1' ? target.handlerUrl : null,
  };
}

/** JSON with object keys sorted, so equal values give equal text. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * A hash of everything a sync makes the portal match: the declared bots and commands, the API
 * generation, the event mode and the handler URL. Stored per portal after a complete sync; the server
 * re-syncs a portal at start only when it differs.
 */
export function declaredHash(bots: readonly DeclaredBot[], target: SyncTarget): string {
  const specs = [...bots].sort((a, b) => (a.code < b.code ? -1 : 1)).map((b) => ({
    code: b.code, ...botSpec(b),
    commands: [...b.commands].sort((x, y) => (x.name < y.name ? -1 : 1)).map((c) => ({ name: c.name, ...commandSpec(c, target) })),
  }));
  return sha256(canonicalJson({ target, bots: specs }));
}

/** Reads a stored spec, or null when there is none or it does not parse (then everything counts as changed). */
export function parseSpec<T>(json: string | undefined): T | null {
  if (json === undefined) return null;
  try {
    return JSON.parse(json) as T;
  } catch {
    return null;
  }
}
