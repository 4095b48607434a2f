import type { Config } from '../config.js';
import { BotkitError } from '../errors.js';
import { adminState } from '../http/admin.js';
import { describeChange, type SyncChange } from '../registry/plan.js';
import type { SyncReport } from '../registry/sync.js';
import type { Botkit } from '../server.js';
import { doctor } from './doctor.js';

/** What a command gets. */
export interface CliContext {
  kit: Botkit;
  config: Config;
  /** Positional arguments after the command name. */
  args: string[];
  /** `--flags` given. */
  flags: ReadonlySet<string>;
  json: boolean;
}

/** What a command produces: data for `--json`, text for people, and whether it succeeded. */
export interface CliResult {
  ok: boolean;
  data: unknown;
  text: string;
}

/** What a standalone command gets: no server instance, the environment (`.env` applied). */
export interface StandaloneContext {
  env: NodeJS.ProcessEnv;
  args: string[];
  flags: ReadonlySet<string>;
  json: boolean;
}

/** One CLI command: run on a server instance the CLI builds, or standalone (it builds what it needs itself). */
export type CliCommand = { args: string; summary: string } & (
  | { run(ctx: CliContext): Promise<CliResult> }
  /** Runs before any configuration is loaded or instance built (doctor: a store that does not open is a finding). */
  | { standalone(ctx: StandaloneContext): Promise<CliResult> }
);

const usage = (message: string): BotkitError => new BotkitError('CLI_USAGE', message);

async function portalIds(ctx: CliContext): Promise<string[]> {
  const all = (await ctx.kit.store.listPortals()).map((p) => p.memberId);
  const wanted = ctx.args[0];
  if (wanted === undefined) return all;
  if (!all.includes(wanted)) throw usage(`no portal ${wanted} (see: b24-botkit portals)`);
  return [wanted];
}

const list: CliCommand = {
  args: '[memberId]',
  summary: 'registered bots and commands per portal',
  async run(ctx) {
    const ids = new Set(await portalIds(ctx));
    const state = await adminState(ctx.kit.store, [...ctx.kit.bots.keys()]);
    const portals = state.portals.filter((p) => ids.has(p.memberId)).map((p) => ({ memberId: p.memberId, domain: p.domain, bots: p.registered }));
    const text = portals.map((p) => [
      `${p.domain} (${p.memberId})`,
      ...p.bots.map((b) => `  ${b.code.padEnd(16)} #${b.botId} ${b.api} ${b.eventMode}  ${b.commands.join(' ')}`),
      ...(p.bots.length === 0 ? ['  no bots registered'] : []),
    ].join('\n'));
    return { ok: true, data: { declared: state.bots, portals }, text: text.join('\n') || 'no portal installed' };
  },
};

const portals: CliCommand = {
  args: '',
  summary: 'installed portals (no secrets)',
  async run(ctx) {
    const rows = (await ctx.kit.store.listPortals()).map((p) => ({
      memberId: p.memberId, domain: p.domain, authMode: p.authMode, status: p.status,
      accessToken: p.accessToken ? 'present' : 'absent',
      tokenExpiresAt: p.expiresAt === null ? null : new Date(p.expiresAt).toISOString(),
      installedAt: new Date(p.installedAt).toISOString(),
    }));
    const text = rows.map((r) => `${r.memberId}  ${r.domain}  ${r.authMode}  ${r.status}  token ${r.accessToken}${r.tokenExpiresAt ? ` until ${r.tokenExpiresAt}` : ''}`);
    return { ok: true, data: rows, text: text.join('\n') || 'no portal installed' };
  },
};

/** One portal's sync (or plan) as `sync --json` prints it. */
interface SyncOutcome {
  memberId: string;
  dryRun: boolean;
  ok: boolean;
  changes: Array<SyncChange & { description: string; ok?: boolean; error?: string }>;
  bots?: SyncReport['bots'];
  error?: string;
}

async function syncOne(ctx: CliContext, memberId: string, dryRun: boolean): Promise<SyncOutcome> {
  if (dryRun) {
    try {
      const plan = await ctx.kit.planSync(memberId);
      return { memberId, dryRun, ok: true, changes: plan.changes.map((c) => ({ ...c, description: describeChange(c) })) };
    } catch (e) {
      return { memberId, dryRun, ok: false, changes: [], error: e instanceof Error ? e.message : String(e) };
    }
  }
  const report = await ctx.kit.syncPortal(memberId);
  const failedBot = report.bots.find((b) => b.error !== undefined && !report.changes.some((c) => c.bot === b.code));
  return {
    memberId, dryRun, ok: report.changes.every((c) => c.ok) && failedBot === undefined,
    changes: report.changes.map((c) => ({ ...c, description: describeChange(c) })), bots: report.bots,
    ...(failedBot?.error !== undefined ? { error: failedBot.error } : {}),
  };
}

function syncText(o: SyncOutcome): string {
  const head = `${o.memberId}: ${o.changes.length === 0 && o.ok ? 'in sync, nothing to change' : `${o.changes.length} change(s)`}${o.dryRun ? ' (dry run)' : ''}`;
  const lines = o.changes.map((c) => {
    if (o.dryRun) return `  ${c.description}`;
    return c.ok ? `  done    ${c.description}` : `  FAILED  ${c.description}: ${c.error ?? 'unknown error'}`;
  });
  return [head, ...lines, ...(o.error !== undefined ? [`  FAILED  ${o.error}`] : [])].join('\n');
}

const sync: CliCommand = {
  args: '[memberId] [--dry-run]',
  summary: 'make the portal match bots/ (register, update, unregister); --dry-run shows the plan',
  async run(ctx) {
    const dryRun = ctx.flags.has('--dry-run');
    const outcomes: SyncOutcome[] = [];
    for (const id of await portalIds(ctx)) outcomes.push(await syncOne(ctx, id, dryRun));
    return { ok: outcomes.every((o) => o.ok), data: outcomes, text: outcomes.map(syncText).join('\n') || 'no portal installed' };
  },
};

const unregister: CliCommand = {
  args: '<memberId> <code>',
  summary: 'unregister one bot on a portal and forget it',
  async run(ctx) {
    const [memberId, code] = ctx.args;
    if (!memberId || !code) throw usage('usage: b24-botkit unregister <memberId> <code>');
    await portalIds({ ...ctx, args: [memberId] });
    const done = await ctx.kit.unregisterBot(memberId, code);
    if (!done) return { ok: false, data: { ok: false, error: `no bot ${code} registered on ${memberId}` }, text: `no bot ${code} registered on ${memberId}` };
    return { ok: true, data: { unregistered: code, botId: done.botId, memberId }, text: `unregistered ${code} (#${done.botId}) on ${memberId}` };
  },
};

/** Every command but `start`, by name. */
export const COMMANDS: Readonly<Record<string, CliCommand>> = { list, portals, sync, unregister, doctor };
