import { declaredBots, parseSpec, type BotSpec, type CommandSpecRecord, type DeclaredBot, type SyncTarget } from '../registry/declared.js';
import type { InstallCheck } from '../registry/install-state.js';
import type { AnyBotDefinition } from '../router/bot.js';
import type { BotRecord, CommandRecord, OutboxItem, PortalRecord, Store } from '../store/types.js';
import type { RecentError, RecentErrors } from './app-page-errors.js';

/** A command as the app page shows it: declared in `bots/`, registered on the portal, or both. */
export interface CommandView {
  name: string;
  commandId: number | null;
  declared: boolean;
  /** Titles per language (declared, or as registered when no longer declared). */
  title: Record<string, string>;
  params: Record<string, string>;
}

/** A bot as the app page shows it. */
export interface BotView {
  code: string;
  name: string;
  declared: boolean;
  registered: boolean;
  botId: number | null;
  type: string;
  api: string | null;
  eventMode: string | null;
  handlerUrl: string | null;
  /** Whether the registered event URL is the current one (`<PUBLIC_URL>/events`, none in fetch mode); null when not registered. */
  handlerCurrent: boolean | null;
  commands: CommandView[];
}

/** Whether the app is fully installed on the portal (UI apps finish with `BX24.installFinish()`). */
export interface InstallView {
  /** True: installed; false: the portal says the install was not finished; null: not known. */
  finished: boolean | null;
  detail: string;
}

/** What the app page says about an install check (`app.info` INSTALLED, see `src/registry/install-state.ts`). */
export function installView(check: InstallCheck): InstallView {
  if (check.installed === true) return { finished: true, detail: 'the portal says the installation is finished (app.info)' };
  if (check.installed === false) {
    return { finished: false, detail: 'the install page did not call BX24.installFinish(): the portal sends no events to the bots until an administrator opens the app and the installation finishes' };
  }
  return { finished: null, detail: `the portal could not be asked (app.info: ${check.error ?? 'no answer'})` };
}

/** Everything the app page shows about one portal. Secrets are never included. */
export interface AppPageState {
  portal: {
    memberId: string; domain: string; status: string; authMode: string;
    tokenExpiresAt: number | null; tokenUpdatedAt: number; installedAt: number;
  };
  install: InstallView;
  target: SyncTarget;
  bots: BotView[];
  outbox: OutboxItem[];
  outboxMore: boolean;
  dead: Array<OutboxItem & { reason: string }>;
  deadMore: boolean;
  errors: RecentError[];
}

/** What collecting the state needs. */
export interface StateSources {
  store: Store;
  bots: ReadonlyMap<string, AnyBotDefinition>;
  target(): SyncTarget;
  errors: RecentErrors;
  /** The install state of a portal; default: installed when stored. */
  installState?(portal: PortalRecord): Promise<InstallView>;
}

/** Rows of the outbox and of the dead letters shown at most. */
export const LIST_LIMIT = 50;

function commandViews(d: DeclaredBot | undefined, registered: readonly CommandRecord[]): CommandView[] {
  const byName = new Map(registered.map((c) => [c.command, c]));
  const out: CommandView[] = (d?.commands ?? []).map((c) => ({
    name: c.name, commandId: byName.get(c.name)?.commandId ?? null, declared: true, title: c.title, params: c.params,
  }));
  for (const c of registered) {
    if (d?.commands.some((x) => x.name === c.command)) continue;
    const spec = parseSpec<CommandSpecRecord>(c.spec);
    out.push({ name: c.command, commandId: c.commandId, declared: false, title: spec?.title ?? {}, params: spec?.params ?? {} });
  }
  return out;
}

function botView(code: string, d: DeclaredBot | undefined, rec: BotRecord | undefined, commands: readonly CommandRecord[], target: SyncTarget): BotView {
  const registered = rec !== undefined && rec.botId > 0;
  const spec = parseSpec<BotSpec>(rec?.spec);
  return {
    code, name: d?.properties.name ?? spec?.properties['name'] ?? code,
    declared: d !== undefined, registered, botId: registered ? rec.botId : null,
    type: d?.type ?? spec?.type ?? 'bot',
    api: rec?.api ?? null, eventMode: rec?.eventMode ?? null, handlerUrl: rec?.handlerUrl ?? null,
    handlerCurrent: registered ? rec.handlerUrl === target.handlerUrl && rec.eventMode === target.eventMode : null,
    commands: commandViews(d, registered ? commands.filter((c) => c.botCode === code) : []),
  };
}

/** Collects what the app page shows for one portal: bots (declared and registered), outbox, dead letters, recent errors. */
export async function collectState(src: StateSources, portal: PortalRecord): Promise<AppPageState> {
  const m = portal.memberId;
  const target = src.target();
  const declared = new Map(declaredBots(src.bots).map((d) => [d.code, d]));
  const [records, commands, outbox, dead, install] = await Promise.all([
    src.store.listBots(m), src.store.listCommands(m), src.store.outboxQueued(m, LIST_LIMIT + 1), src.store.outboxDeadList(LIST_LIMIT + 1, m),
    src.installState ? src.installState(portal) : Promise.resolve<InstallView>({ finished: null, detail: 'not checked' }),
  ]);
  const stored = new Map(records.map((r) => [r.code, r]));
  const codes = [...declared.keys(), ...records.map((r) => r.code).filter((c) => !declared.has(c))];
  return {
    portal: {
      memberId: m, domain: portal.domain, status: portal.status, authMode: portal.authMode,
      tokenExpiresAt: portal.expiresAt, tokenUpdatedAt: portal.updatedAt, installedAt: portal.installedAt,
    },
    install, target,
    bots: codes.map((code) => botView(code, declared.get(code), stored.get(code), commands, target)),
    outbox: outbox.slice(0, LIST_LIMIT), outboxMore: outbox.length > LIST_LIMIT,
    dead: dead.slice(0, LIST_LIMIT), deadMore: dead.length > LIST_LIMIT,
    errors: src.errors.list(m),
  };
}
