import type { BotRecord, CommandRecord } from '../store/types.js';
import {
  botSpec, commandSpec, parseSpec, type BotSpec, type CommandSpecRecord, type DeclaredBot, type DeclaredCommand, type SyncTarget,
} from './declared.js';
import type { PortalBot, PortalCommand, PortalView } from './portal-view.js';

/**
 * One change registration sync makes on a portal. `fields` name what differs: `type`,
 * `properties.<key>`, `eventMode`, `handlerUrl` for bots; `title.<lang>`, `params.<lang>`, `common`,
 * `hidden`, `handlerUrl` for commands. `note` says why a change is not what one would expect (a field
 * the platform cannot update in place).
 */
export type SyncChange = (
  | { action: 'register-bot'; bot: string }
  | { action: 'update-bot'; bot: string; botId: number; fields: string[] }
  | { action: 'unregister-bot'; bot: string; botId: number }
  | { action: 'register-command'; bot: string; command: string }
  | { action: 'update-command'; bot: string; command: string; commandId: number; fields: string[] }
  | { action: 'unregister-command'; bot: string; command: string; commandId: number }
) & { note?: string };

/** What a sync would change on one portal. Empty `changes`: the portal matches `bots/`. */
export interface SyncPlan {
  memberId: string;
  changes: SyncChange[];
}

/**
 * One human line for a change.
 *
 * @example
 * describeChange({ action: 'update-bot', bot: 'echo', botId: 12, fields: ['properties.name'] });
 * // "update bot echo (#12): properties.name"
 */
export function describeChange(c: SyncChange): string {
  const note = c.note ? ` (${c.note})` : '';
  switch (c.action) {
    case 'register-bot': return `register bot ${c.bot}${note}`;
    case 'update-bot': return `update bot ${c.bot} (#${c.botId}): ${c.fields.join(', ')}${note}`;
    case 'unregister-bot': return `unregister bot ${c.bot} (#${c.botId})${note}`;
    case 'register-command': return `register command /${c.command} of ${c.bot}${note}`;
    case 'update-command': return `update command /${c.command} of ${c.bot} (#${c.commandId}): ${c.fields.join(', ')}${note}`;
    case 'unregister-command': return `unregister command /${c.command} of ${c.bot} (#${c.commandId})${note}`;
  }
}

/** Why a bot's type change is reported and not applied. */
export const TYPE_NOTE = 'the type cannot be changed in place (Bot.update / imbot.update do not take it): '
  + 'unregister the bot and sync to register it again (its chats are lost)';
/** Why a classic command is re-registered. */
export const COMMON_NOTE = 'classic COMMON cannot be changed by imbot.command.update: re-registered';

/** Everything the diff compares. */
export interface DiffInput {
  declared: readonly DeclaredBot[];
  target: SyncTarget;
  storedBots: readonly BotRecord[];
  storedCommands: readonly CommandRecord[];
  portal: PortalView;
}

const fullName = (b: DeclaredBot): string => [b.properties.name, b.properties.lastName ?? ''].filter((s) => s.trim() !== '').join(' ');

function differingKeys(before: Readonly<Record<string, string>> | undefined, now: Readonly<Record<string, string>>, prefix: string): string[] {
  const keys = new Set([...Object.keys(before ?? now), ...Object.keys(now)]);
  return [...keys].sort().filter((k) => before === undefined || before[k] !== now[k]).map((k) => `${prefix}.${k}`);
}

/** What differs between a registered bot and its declaration. */
function botFields(d: DeclaredBot, stored: BotRecord | undefined, listed: PortalBot, target: SyncTarget): string[] {
  const before = parseSpec<BotSpec>(stored?.spec);
  const now = botSpec(d);
  const fields: string[] = [];
  const openlineDiffers = listed.openline !== null && listed.openline !== (d.type === 'openline');
  if ((before && before.type !== d.type) || (listed.type !== null && listed.type !== d.type) || openlineDiffers) fields.push('type');
  const props = differingKeys(before?.properties, now.properties, 'properties');
  if (listed.fullName !== null && listed.fullName !== fullName(d) && !props.includes('properties.name')) props.unshift('properties.name');
  fields.push(...props);
  const mode = target.eventMode;
  if (stored?.eventMode !== mode || (listed.eventMode !== null && listed.eventMode !== mode)) fields.push('eventMode');
  if (mode === 'webhook' && stored?.handlerUrl !== target.handlerUrl) fields.push('handlerUrl');
  return fields;
}

/** What differs between a registered command and its declaration. */
function commandFields(c: DeclaredCommand, before: CommandSpecRecord | null, listed: PortalCommand | undefined, language: string | null, target: SyncTarget): string[] {
  const now = commandSpec(c, target);
  const fields = [...differingKeys(before?.title, now.title, 'title'), ...differingKeys(before?.params, now.params, 'params')];
  if (listed && language !== null) {
    // Command.list shows the title and hint in the portal language only (command-list.md).
    const title = now.title[language];
    const params = now.params[language];
    if (title !== undefined && listed.title !== title && !fields.includes(`title.${language}`)) fields.push(`title.${language}`);
    if (params !== undefined && listed.params !== params && !fields.includes(`params.${language}`)) fields.push(`params.${language}`);
  }
  if (before?.common !== now.common || (listed !== undefined && listed.common !== now.common)) fields.push('common');
  if (before?.hidden !== now.hidden || (listed !== undefined && listed.hidden !== now.hidden)) fields.push('hidden');
  if (target.api === 'v1' && before?.handlerUrl !== now.handlerUrl) fields.push('handlerUrl');
  return fields;
}

interface KnownCommand {
  commandId: number;
  spec: CommandSpecRecord | null;
  listed?: PortalCommand;
}

/** The commands a registered bot has: v2 as the portal lists them, classic as the store remembers them. */
function knownCommands(d: DeclaredBot, input: DiffInput): Map<string, KnownCommand> {
  const stored = new Map(input.storedCommands.filter((c) => c.botCode === d.code).map((c) => [c.command, c]));
  const out = new Map<string, KnownCommand>();
  const portalCommands = input.portal.commands?.get(d.code);
  if (input.portal.commands === null) {
    for (const c of stored.values()) out.set(c.command, { commandId: c.commandId, spec: parseSpec<CommandSpecRecord>(c.spec) });
    return out;
  }
  for (const pc of portalCommands ?? []) {
    const rec = stored.get(pc.name);
    // A remembered spec counts only for the same command id (it was not re-created meanwhile).
    const spec = rec && rec.commandId === pc.commandId ? parseSpec<CommandSpecRecord>(rec.spec) : null;
    out.set(pc.name, { commandId: pc.commandId, spec, listed: pc });
  }
  return out;
}

function commandChanges(d: DeclaredBot, input: DiffInput, listed: PortalBot): SyncChange[] {
  const known = knownCommands(d, input);
  const declared = new Set(d.commands.map((c) => c.name));
  const out: SyncChange[] = [];
  for (const [name, k] of known) {
    if (!declared.has(name)) out.push({ action: 'unregister-command', bot: d.code, command: name, commandId: k.commandId });
  }
  for (const c of d.commands) {
    const k = known.get(c.name);
    if (!k) {
      out.push({ action: 'register-command', bot: d.code, command: c.name });
      continue;
    }
    const fields = commandFields(c, k.spec, k.listed, listed.language, input.target);
    if (fields.length === 0) continue;
    if (input.target.api === 'v1' && fields.includes('common')) {
      out.push({ action: 'unregister-command', bot: d.code, command: c.name, commandId: k.commandId, note: COMMON_NOTE });
      out.push({ action: 'register-command', bot: d.code, command: c.name, note: COMMON_NOTE });
      continue;
    }
    out.push({ action: 'update-command', bot: d.code, command: c.name, commandId: k.commandId, fields });
  }
  return out;
}

/**
 * The changes that make the portal match the declared bots: per declared bot its registration or
 * update, then its commands (removed ones first); then the removal of bots no longer declared that this
 * app registered (known from the store or from the app's own v2 listing). Pure: reads nothing.
 */
export function diffPortal(input: DiffInput): SyncChange[] {
  const stored = new Map(input.storedBots.map((b) => [b.code, b]));
  const declared = new Set(input.declared.map((d) => d.code));
  const changes: SyncChange[] = [];
  for (const d of input.declared) {
    const rec = stored.get(d.code);
    const listed = input.portal.bots.get(d.code);
    if (!listed || (rec !== undefined && rec.api !== input.target.api)) {
      changes.push({ action: 'register-bot', bot: d.code });
      for (const c of d.commands) changes.push({ action: 'register-command', bot: d.code, command: c.name });
      continue;
    }
    const fields = botFields(d, rec, listed, input.target);
    if (fields.length > 0) {
      changes.push({ action: 'update-bot', bot: d.code, botId: listed.botId, fields, ...(fields.includes('type') ? { note: TYPE_NOTE } : {}) });
    }
    changes.push(...commandChanges(d, input, listed));
  }
  for (const bot of input.portal.bots.values()) {
    if (!declared.has(bot.code)) changes.push({ action: 'unregister-bot', bot: bot.code, botId: bot.botId });
  }
  return changes;
}
