import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { BotkitError } from '../errors.js';
import { BOT_COLORS } from '../protocol/outbound.js';
import { isBotDefinition, type AnyBotDefinition } from '../router/bot.js';

/** A bot module found on disk. */
export interface LoadedBot {
  file: string;
  definition: AnyBotDefinition;
}

const CODE_RE = /^[a-z][a-z0-9_]{0,49}$/i;
const COMMAND_RE = /^[a-z0-9_-]{1,64}$/i;
const TYPES = new Set(['bot', 'supervisor', 'personal', 'openline']);

/** The problems of one definition, as sentences. */
function problemsOf(def: AnyBotDefinition): string[] {
  const o = def.options;
  const out: string[] = [];
  if (!CODE_RE.test(o.code)) out.push(`code "${o.code}" must be latin letters, digits and _ (starting with a letter)`);
  if (o.type !== undefined && !TYPES.has(o.type)) out.push(`type "${o.type}" is not one of ${[...TYPES].join(', ')}`);
  if (!o.properties.name.trim()) out.push('properties.name must not be empty');
  const color = o.properties.color;
  if (color !== undefined && !(BOT_COLORS as readonly string[]).includes(color)) {
    out.push(`color "${color}" is not one of ${BOT_COLORS.join(', ')}`);
  }
  const seen = new Set<string>();
  for (const c of o.commands ?? []) {
    if (seen.has(c.name.toLowerCase())) out.push(`command "${c.name}" is declared twice`);
    seen.add(c.name.toLowerCase());
  }
  for (const c of def.commands) {
    if (!COMMAND_RE.test(c.name)) out.push(`command "${c.name}" must be latin letters, digits, _ or - (no spaces, no slash)`);
    if (!c.hidden && c.title === undefined) out.push(`command "${c.name}" needs a title (or hidden: true)`);
  }
  return out;
}

/**
 * Validates bot definitions: codes, types, colours, command names, duplicates. Throws one
 * `BOT_DEFINITION_INVALID` error listing every problem with the file it is in.
 */
export function validateBots(bots: readonly LoadedBot[]): Map<string, AnyBotDefinition> {
  const problems: string[] = [];
  const byCode = new Map<string, LoadedBot>();
  for (const bot of bots) {
    for (const p of problemsOf(bot.definition)) problems.push(`${bot.file}: ${p}`);
    const other = byCode.get(bot.definition.code);
    if (other) problems.push(`${bot.file}: bot code "${bot.definition.code}" is already used by ${other.file}`);
    else byCode.set(bot.definition.code, bot);
  }
  if (problems.length > 0) throw new BotkitError('BOT_DEFINITION_INVALID', `Invalid bot modules:\n  - ${problems.join('\n  - ')}`);
  return new Map([...byCode].map(([code, b]) => [code, b.definition]));
}

async function moduleFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of (await readdir(dir)).sort()) {
    const full = path.join(dir, entry);
    if ((await stat(full)).isDirectory()) {
      for (const index of ['index.ts', 'index.js']) {
        const candidate = path.join(full, index);
        if (await stat(candidate).then(() => true, () => false)) {
          files.push(candidate);
          break;
        }
      }
    } else if (/\.(ts|js)$/.test(entry) && !/\.(test|d)\.ts$/.test(entry)) {
      files.push(full);
    }
  }
  return files;
}

/**
 * Loads every bot module in `dir` (`bots/<name>/index.ts` or `bots/<name>.ts`): each named export that
 * is a {@link BotDefinition} is a bot. Validated as a whole; see {@link validateBots}.
 *
 * @example
 * const bots = await loadBots(path.resolve('bots'));
 */
export async function loadBots(dir: string): Promise<Map<string, AnyBotDefinition>> {
  const found: LoadedBot[] = [];
  for (const file of await moduleFiles(dir)) {
    const rel = path.relative(process.cwd(), file);
    let mod: Record<string, unknown>;
    try {
      mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    } catch (e) {
      // Plain node (the compiled build) cannot import TypeScript: say what to do instead.
      const hint = (e as NodeJS.ErrnoException).code === 'ERR_UNKNOWN_FILE_EXTENSION'
        ? ' (TypeScript bots need tsx, as `npm start` uses; compiled, point BOTS_DIR at their .js output, e.g. dist/bots)' : '';
      throw new BotkitError('BOT_DEFINITION_INVALID', `${rel}: cannot be loaded: ${(e as Error).message}${hint}`, { cause: e });
    }
    const defs = Object.values(mod).filter(isBotDefinition);
    if (defs.length === 0) throw new BotkitError('BOT_DEFINITION_INVALID', `${rel}: exports no bot (use a named export of defineBot(...))`);
    for (const definition of defs) found.push({ file: rel, definition });
  }
  return validateBots(found);
}
