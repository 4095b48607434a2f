import type { Server } from 'node:http';
import path from 'node:path';
import type { Express } from 'express';
import type { Dispatcher as UndiciDispatcher } from 'undici';
import { openClusterMode, type ClusterMode, type Pollers } from './cluster/mode.js';
import type { Config } from './config.js';
import { createHttpApp } from './http/app.js';
import { RecentErrors } from './http/app-page-errors.js';
import { installView } from './http/app-page-state.js';
import { mountPages } from './http/pages.js';
import { createInstallPage } from './http/install-page.js';
import { closeServer, delay, listen } from './http/listen.js';
import { Dispatcher } from './intake/dispatcher.js';
import { createInstallService } from './intake/install.js';
import { createFetchedIntake } from './intake/fetched.js';
import { createIntake, type Intake } from './intake/intake.js';
import type { DispatchQueue } from './intake/dispatch-queue.js';
import { LocalDispatchQueue } from './intake/local-queue.js';
import { createLogger, type Logger } from './log.js';
import { PromMetrics } from './metrics/prometheus.js';
import { mountMetrics } from './metrics/route.js';
import { createOutbox, type Outbox } from './outbox/outbox.js';
import { createInstallState, type InstallCheck, type InstallState } from './registry/install-state.js';
import { loadBots } from './registry/load-bots.js';
import type { SyncPlan } from './registry/plan.js';
import { PollerSet } from './registry/pollers.js';
import { KeyedLock } from './registry/portal-lock.js';
import { createRegistrar, type Registrar, type SyncReport } from './registry/sync.js';
import { ensureWebhookPortal } from './registry/webhook-portal.js';
import { createRestClient, type RestClient } from './rest/client.js';
import type { AnyBotDefinition } from './router/bot.js';
import { createRuntime } from './router/runtime.js';
import { openStore } from './store/index.js';
import { DEDUPE_WINDOW_MS, type PortalRecord, type Store } from './store/types.js';

export { webhookMemberId } from './registry/webhook-portal.js';

/** Options of {@link createBotkit}. Everything but `config` has a production default. */
export interface BotkitOptions {
  config: Config;
  log?: Logger;
  /** Default: SQLite under `config.dataDir`. */
  store?: Store;
  /** Bot definitions, or the directory to load them from. Default: `config.botsDir` (`BOTS_DIR`, `./bots`). */
  bots?: ReadonlyMap<string, AnyBotDefinition> | string;
  /** undici dispatcher for REST calls (tests inject one). */
  dispatcher?: UndiciDispatcher;
  clock?: () => number;
}

/** A running framework instance: HTTP app, store, REST client, and lifecycle. */
export interface Botkit {
  readonly app: Express;
  readonly store: Store;
  readonly client: RestClient;
  readonly intake: Intake;
  readonly bots: ReadonlyMap<string, AnyBotDefinition>;
  /** The instance's metrics (`GET /metrics`). */
  readonly metrics: PromMetrics;
  /**
   * Listens, resumes unhandled events and pending replies, starts fetch-mode pollers, then re-syncs each portal
   * whose declared bots changed since its last sync: in the background for an OAuth app's portals (see `idle()`),
   * before resolving for the single portal of an incoming webhook. Resolves with the base URL.
   */
  start(): Promise<string>;
  /**
   * Makes the portal's bots and commands match `bots/` (registers, updates, unregisters; idempotent) and
   * starts its pollers. One sync per portal at a time.
   */
  syncPortal(memberId: string): Promise<SyncReport>;
  /**
   * Whether the app's installation on a portal is finished (`app.info` INSTALLED; a UI app whose install
   * page never called `installFinish` gets no events). Marks the portal `install_unfinished` (or `active`
   * again) and logs; throttled per portal. See `src/registry/install-state.ts`.
   */
  checkInstallFinished(memberId: string): Promise<InstallCheck>;
  /** What {@link syncPortal} would change: reads the portal, changes nothing. Rejects when the portal cannot be read. */
  planSync(memberId: string): Promise<SyncPlan>;
  /** Unregisters one bot on the portal and forgets it; null when no such bot is registered there. */
  unregisterBot(memberId: string, code: string): Promise<{ botId: number } | null>;
  /**
   * Resolves when the start-up sync (which runs in the background after `start()`) is done and every accepted
   * event has been handled and the replies it queued were sent (or wait for a retry).
   */
  idle(): Promise<void>;
  /** Stops accepting, drains handlers and replies up to the deadline, closes the store. */
  stop(deadlineMs?: number): Promise<void>;
}

/**
 * Wires the whole pipeline: HTTP → intake → dispatcher → runtime → outbox → REST client.
 *
 * @example
 * const kit = await createBotkit({ config: loadConfig() });
 * await kit.start();
 */

/** The components of one process, wired: store → REST client → outbox → runtime → dispatcher → intake. */
interface Pipeline {
  log: Logger;
  clock: () => number;
  bots: ReadonlyMap<string, AnyBotDefinition>;
  store: Store;
  client: RestClient;
  outbox: Outbox;
  queue: DispatchQueue;
  dispatcher: Dispatcher;
  intake: Intake;
  pollers: Pollers;
  /** PostgreSQL and Redis when configured (cluster mode). */
  cluster: ClusterMode;
  app: Express;
  metrics: PromMetrics;
  /** The install checks (half-finished UI installs). */
  installState: InstallState;
  /** Sets the public URL once listening (PORT=0 without PUBLIC_URL, in tests). */
  setPublicUrl(url: string): void;
  /** The registration operations, each the only registration task of its portal while it runs. */
  ops: Pick<Botkit, 'syncPortal' | 'planSync' | 'unregisterBot'>;
  registrar: Registrar;
  /** Runs `task` as the only registration task of the portal (this process, then the cluster). */
  exclusive<T>(memberId: string, task: () => Promise<T>): Promise<T>;
}

async function buildPipeline(opts: BotkitOptions, started: () => boolean): Promise<Pipeline> {
  const { config } = opts;
  const clock = opts.clock ?? Date.now;
  // Warn and error lines naming a portal are kept for its app page (recent errors).
  const recentErrors = new RecentErrors({ clock });
  const log = recentErrors.tap(opts.log ?? createLogger({ level: config.logLevel }));
  const metrics = new PromMetrics({ clock });
  const bots = typeof opts.bots === 'object' ? opts.bots : await loadBots(path.resolve(opts.bots ?? config.botsDir));
  const cluster = await openClusterMode(config, log);
  const store = opts.store ?? cluster.pg ?? openStore({ dataDir: config.dataDir });
  const coord = cluster.coord;
  const oauth = config.clientId && config.clientSecret ? { clientId: config.clientId, clientSecret: config.clientSecret, oauthUrl: config.oauthUrl } : null;
  const client = createRestClient({
    store, oauth, rateLimit: config.rateLimit, limiter: coord?.bucketFactory ?? config.limiter, batching: config.batching, portalHosts: config.portalHosts, log, clock,
    metrics, ...(opts.dispatcher ? { dispatcher: opts.dispatcher } : {}), ...(coord ? { refreshLock: coord.refreshLock } : {}),
  });
  const outbox = createOutbox({ store, client, log, clock, ...cluster.outboxOptions });
  const runtime = createRuntime({ store, bots, sink: outbox, client, log, clock, dialogueTtlS: config.dialogueTtlS });
  const perPortal = Math.max(1, Math.floor(config.dispatchConcurrency / 4));
  const queue = cluster.dispatchQueue(perPortal) ?? new LocalDispatchQueue({ store, log, perPortal });
  const dispatcher = new Dispatcher({ queue, handle: (e, k) => runtime.handle(e, k), concurrency: config.dispatchConcurrency, log, clock, metrics });
  metrics.watch({ outbox: () => outbox.stats(), pendingEvents: () => dispatcher.size });
  let publicUrl = config.publicUrl;
  const registrar = createRegistrar({ store, client, bots, api: config.botApi, eventMode: config.eventMode, handlerUrl: () => `${publicUrl}/events`, log, clock });
  const pollerOptions = { store, client, intake: createFetchedIntake({ queue, log, clock, metrics }), log, idleMs: config.pollIntervalMs, metrics };
  const pollers = cluster.pollers(store, pollerOptions) ?? new PollerSet(store, pollerOptions);
  const lock = new KeyedLock();
  // Instances starting together (webhook portal) must not register the same bot with two bot tokens.
  const exclusive = <T>(memberId: string, task: () => Promise<T>): Promise<T> =>
    lock.run(memberId, () => cluster.withLock(`sync:${memberId}`, task));
  const syncPortal = async (memberId: string): Promise<SyncReport> => {
    const report = await exclusive(memberId, () => registrar.sync(memberId));
    if (started()) await pollers.startFor(memberId);
    return report;
  };
  const ops: Pipeline['ops'] = {
    syncPortal,
    planSync: (m) => exclusive(m, () => registrar.plan(m)),
    unregisterBot: (m, code) => exclusive(m, () => registrar.unregister(m, code)),
  };
  const installer = createInstallService({ store, client, portalHosts: config.portalHosts, syncPortal, log, clock });
  const installState = createInstallState({ store, client, log, clock });
  const installPage = createInstallPage({
    installer, store, bots: [...bots.keys()], scriptUrl: config.bx24ScriptUrl, log,
    onServed: (memberId) => {
      installState.forget(memberId);
      installState.schedule(memberId, INSTALL_CHECK_DELAY_MS);
    },
  });
  const intake = createIntake({ store, queue, install: installer.fromEvent, log, maxAgeS: config.eventMaxAgeS, clock, webhookPortals: config.webhookUrl !== null, metrics });
  const health = async (): Promise<Record<string, unknown>> => ({
    status: 'ok', portals: (await store.listPortals()).length, bots: [...bots.keys()], pending: dispatcher.size, outbox: outbox.stats(),
    ...cluster.details(),
  });
  const app = createHttpApp({
    intake, log, installPage, metrics,
    health: () => cluster.health(),
    extend: (a) => {
      mountMetrics(a, { metrics, token: config.metricsToken });
      mountPages(a, {
        config, store, client, bots, target: () => registrar.target(), publicUrl: () => publicUrl, errors: recentErrors, health, log, clock,
        installState: async (portal) => installView(await installState.check(portal.memberId)),
        ops: { ...ops, retryDead: (id, m) => outbox.retryDead(id, m) },
      });
    },
  });
  return {
    log, clock, bots, store, client, outbox, queue, dispatcher, intake, pollers, app, ops, cluster, registrar, exclusive,
    installState, metrics,
    setPublicUrl: (url) => void (publicUrl = url),
  };
}

/** After an install page was served, the server asks the portal once, this much later, whether it was finished. */
export const INSTALL_CHECK_DELAY_MS = 60_000;

/**
 * On start, in the background and one portal at a time: asks the portals whose install page was served but
 * not yet seen finished (`install_unfinished`) whether it is now. Others are not asked: an install by
 * event is finished by definition, and a restart of many instances must not call every portal.
 */
async function checkInstalls(p: Pipeline): Promise<void> {
  try {
    for (const portal of await p.store.listPortals()) {
      if (portal.authMode === 'oauth' && portal.status === 'install_unfinished') await p.installState.check(portal.memberId);
    }
  } catch (e) {
    p.log.warn('install checks on start failed', { err: e });
  }
}

/**
 * Start-up sync: every active portal whose stored hash of the declared bots (and event URL) differs
 * from the current one is synced; the others are left alone. The hash is checked again under the
 * portal's lock, so instances starting together sync a portal once.
 */
async function syncChangedPortals(p: Pipeline, stopping: () => boolean): Promise<void> {
  const hash = p.registrar.hash();
  let portals: PortalRecord[];
  try {
    portals = await p.store.listPortals();
  } catch (e) {
    p.log.error('start-up sync could not list the portals', { err: e });
    return;
  }
  const syncOne = async (portal: PortalRecord): Promise<void> => {
    // Not when the refresh token was refused; a half-finished UI install (install_unfinished) is synced too.
    if (portal.status === 'reinstall_required') return;
    try {
      const synced = await p.exclusive(portal.memberId, async () => {
        if ((await p.store.getSyncHash(portal.memberId)) === hash) return false;
        p.log.info('declared bots changed since the last sync of this portal: syncing', { memberId: portal.memberId });
        await p.registrar.sync(portal.memberId);
        return true;
      });
      if (!synced) p.log.debug('declared bots unchanged since the last sync of this portal', { memberId: portal.memberId });
      else await p.pollers.startFor(portal.memberId); // bots it registered in fetch mode
    } catch (e) {
      // One portal (or a store hiccup) must not hold up the others; the next start tries again.
      p.log.error('start-up sync failed', { memberId: portal.memberId, err: e });
    }
  };
  // Each portal has its own limit: a few at a time, so thousands of portals do not sync one after another.
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < portals.length && !stopping()) await syncOne(portals[next++] as PortalRecord);
  };
  await Promise.all(Array.from({ length: Math.min(STARTUP_SYNC_CONCURRENCY, portals.length) }, worker));
}

/** Portals the start-up sync works on at once. */
const STARTUP_SYNC_CONCURRENCY = 4;

/**
 * Wires the whole pipeline: HTTP → intake → dispatcher → runtime → outbox → REST client.
 *
 * @example
 * const kit = await createBotkit({ config: loadConfig() });
 * await kit.start();
 */
export async function createBotkit(opts: BotkitOptions): Promise<Botkit> {
  const { config } = opts;
  let server: Server | null = null;
  let pruneTimer: NodeJS.Timeout | null = null;
  let stopping = false;
  // The start-up sync runs in the background: the server listens, answers and polls meanwhile.
  let startupSync: Promise<void> = Promise.resolve();
  const p = await buildPipeline(opts, () => server !== null);
  const { log, clock, store } = p;
  // Handled event keys and delivered reply keys are remembered for the dedupe window, then forgotten.
  const prune = (): void => {
    const before = clock() - DEDUPE_WINDOW_MS;
    Promise.all([store.inboxPrune(before), store.outboxPrune(before)]).then(
      ([events, replies]) => events + replies > 0 && log.info('pruned remembered keys', { events, replies }),
      (e: unknown) => log.warn('pruning remembered keys failed', { err: e }),
    );
  };

  return {
    app: p.app, store, client: p.client, bots: p.bots, intake: p.intake, metrics: p.metrics,
    checkInstallFinished: (memberId) => p.installState.check(memberId),
    ...p.ops,
    async idle() {
      await startupSync;
      // Handlers queue replies without waiting for them: idle means handled and sent.
      for (;;) {
        await p.dispatcher.idle();
        await p.outbox.idle();
        if (p.dispatcher.size === 0) return;
      }
    },
    async start() {
      // Pending events first: a new event must not overtake an older pending one of its dialogue.
      p.cluster.start();
      await p.queue.start();
      p.outbox.start();
      const listening = await listen(p.app, config.port, config.host, { log: p.log });
      server = listening.server;
      if (config.port === 0 && config.publicUrl.endsWith(':0')) p.setPublicUrl(listening.url);
      prune();
      pruneTimer = setInterval(prune, 3_600_000).unref();
      if (config.webhookUrl) await ensureWebhookPortal(store, config.webhookUrl, clock());
      for (const portal of await store.listPortals()) await p.pollers.startFor(portal.memberId);
      startupSync = syncChangedPortals(p, () => stopping);
      // An incoming-webhook server has one portal, registered by this very sync: start() resolves once it ran.
      if (config.webhookUrl) await startupSync;
      void checkInstalls(p);
      if (!config.clientId && !config.webhookUrl) {
        log.warn('Bitrix24 is not configured: set B24_WEBHOOK_URL (one portal) or B24_CLIENT_ID and B24_CLIENT_SECRET (an OAuth app); see README "Configuration"');
      }
      log.info('server listening', { url: listening.url, bots: [...p.bots.keys()].join(','), api: config.botApi, eventMode: config.eventMode });
      return listening.url;
    },
    async stop(deadlineMs = 10_000) {
      const until = clock() + deadlineMs;
      stopping = true;
      if (pruneTimer) clearInterval(pruneTimer);
      if (server) await closeServer(server, until - clock());
      await Promise.race([startupSync, delay(until - clock())]);
      await p.pollers.stopAll();
      await p.installState.stop();
      await Promise.race([p.dispatcher.idle(), delay(until - clock())]);
      await p.outbox.drain(Math.max(0, until - clock()));
      await p.cluster.release();
      await p.client.close();
      await store.close();
      await p.cluster.close();
    },
  };
}
