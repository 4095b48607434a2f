import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Dispatcher as UndiciDispatcher } from 'undici';
import type { Express } from 'express';
import type { Config } from './config.js';
import { mountAdmin } from './http/admin.js';
import { createHttpApp } from './http/app.js';
import { Dispatcher } from './intake/dispatcher.js';
import { createInstaller } from './intake/install.js';
import { createIntake, type Intake } from './intake/intake.js';
import { startPoller, type Poller } from './intake/poller.js';
import { createLogger, type Logger } from './log.js';
import { createOutbox, type Outbox } from './outbox/outbox.js';
import { loadBots } from './registry/load-bots.js';
import { createSync, type SyncReport } from './registry/sync.js';
import { createRestClient, type RestClient } from './rest/client.js';
import type { BotDefinition } from './router/bot.js';
import { createRuntime } from './router/runtime.js';
import { openStore } from './store/index.js';
import type { PortalRecord, Store } from './store/types.js';

/** Options of {@link createBotkit}. Everything but `config` has a production default. */
export interface BotkitOptions {
  config: Config;
  log?: Logger;
  /** Default: SQLite under `config.dataDir`. */
  store?: Store;
  /** Bot definitions, or the directory to load them from. Default: `./bots`. */
  bots?: ReadonlyMap<string, BotDefinition> | string;
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
  readonly bots: ReadonlyMap<string, BotDefinition>;
  /** Listens, resumes unhandled events and pending replies, starts fetch-mode pollers. Resolves with the base URL. */
  start(): Promise<string>;
  /** Registers the bots and commands on a portal (idempotent) and starts its pollers. */
  syncPortal(memberId: string): Promise<SyncReport>;
  /** Resolves when every accepted event has been handled. */
  idle(): Promise<void>;
  /** Stops accepting, drains handlers and replies up to the deadline, closes the store. */
  stop(deadlineMs?: number): Promise<void>;
}

/** The stable id of the one portal a webhook URL points at. */
export function webhookMemberId(webhookUrl: string): string {
  return `webhook:${new URL(webhookUrl).host}`;
}

/**
 * Wires the whole pipeline: HTTP → intake → dispatcher → runtime → outbox → REST client.
 *
 * @example
 * const kit = await createBotkit({ config: loadConfig() });
 * await kit.start();
 */
export async function createBotkit(opts: BotkitOptions): Promise<Botkit> {
  const { config } = opts;
  const log = opts.log ?? createLogger({ level: config.logLevel });
  const clock = opts.clock ?? Date.now;
  const bots = typeof opts.bots === 'object' ? opts.bots : await loadBots(path.resolve(opts.bots ?? 'bots'));
  const store = opts.store ?? openStore({ dataDir: config.dataDir });
  const oauth = config.clientId && config.clientSecret
    ? { clientId: config.clientId, clientSecret: config.clientSecret, oauthUrl: config.oauthUrl }
    : null;
  const client = createRestClient({
    store, oauth, rateLimit: config.rateLimit, limiter: config.limiter, portalHosts: config.portalHosts, log, clock,
    ...(opts.dispatcher ? { dispatcher: opts.dispatcher } : {}),
  });
  const outbox: Outbox = createOutbox({ store, client, log, clock });
  const runtime = createRuntime({ store, bots, sink: outbox, client, log, clock, dialogueTtlS: config.dialogueTtlS });
  const dispatcher = new Dispatcher({
    handle: (e) => runtime.handle(e), done: (k) => store.inboxDone(k), concurrency: config.dispatchConcurrency, log, clock,
  });
  // With PORT=0 (tests) and no PUBLIC_URL the public URL is known only once listening.
  let publicUrl = config.publicUrl;
  const sync = createSync({
    store, client, bots, api: config.botApi, eventMode: config.eventMode, handlerUrl: () => `${publicUrl}/events`, log, clock,
  });
  const pollers = new Map<string, Poller>();
  let intake: Intake;

  async function startPollers(memberId: string): Promise<void> {
    for (const bot of await store.listBots(memberId)) {
      const key = `${memberId}:${bot.code}`;
      if (bot.api !== 'v2' || bot.eventMode !== 'fetch' || bot.botId <= 0 || pollers.has(key)) continue;
      pollers.set(key, startPoller(bot, { store, client, intake, log, idleMs: config.pollIntervalMs }));
    }
  }

  let started = false;
  async function syncPortal(memberId: string): Promise<SyncReport> {
    const report = await sync(memberId);
    if (started) await startPollers(memberId);
    return report;
  }

  const install = createInstaller({ store, client, portalHosts: config.portalHosts, syncPortal, log, clock });
  intake = createIntake({ store, dispatcher, install, log, maxAgeS: config.eventMaxAgeS, clock });
  const app = createHttpApp({
    intake,
    log,
    health: async () => ({ status: 'ok', portals: (await store.listPortals()).length, bots: [...bots.keys()], pending: dispatcher.size }),
    extend: (a) => {
      if (config.adminToken) mountAdmin(a, { token: config.adminToken, store, bots: [...bots.keys()], syncPortal, log });
    },
  });
  let server: Server | null = null;

  async function ensureWebhookPortal(webhookUrl: string): Promise<string> {
    const memberId = webhookMemberId(webhookUrl);
    const existing = await store.getPortal(memberId);
    const now = clock();
    const portal: PortalRecord = {
      memberId, domain: new URL(webhookUrl).host, clientEndpoint: webhookUrl, authMode: 'webhook',
      applicationToken: existing?.applicationToken ?? null, accessToken: null, refreshToken: null, expiresAt: null,
      status: 'active', rateLimit: existing?.rateLimit ?? null, installedAt: existing?.installedAt ?? now, updatedAt: now,
    };
    await store.savePortal(portal);
    return memberId;
  }

  return {
    app, store, client, bots,
    get intake() {
      return intake;
    },
    syncPortal,
    idle: () => dispatcher.idle(),
    async start() {
      server = await new Promise<Server>((resolve, reject) => {
        const s = app.listen(config.port, config.host, () => resolve(s));
        s.once('error', reject);
      });
      const { port } = server.address() as AddressInfo;
      const url = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`;
      if (config.port === 0 && publicUrl.endsWith(':0')) publicUrl = url;
      started = true;
      outbox.start();
      await intake.resume();
      if (config.webhookUrl) await syncPortal(await ensureWebhookPortal(config.webhookUrl));
      for (const p of await store.listPortals()) await startPollers(p.memberId);
      if (!oauth && !config.webhookUrl) {
        log.warn('Bitrix24 is not configured: set B24_WEBHOOK_URL (one portal) or B24_CLIENT_ID and B24_CLIENT_SECRET (an OAuth app); see README "Configuration"');
      }
      log.info('server listening', { url, bots: [...bots.keys()].join(','), api: config.botApi, eventMode: config.eventMode });
      return url;
    },
    async stop(deadlineMs = 10_000) {
      const until = clock() + deadlineMs;
      if (server) {
        const s = server;
        const closed = new Promise<void>((resolve) => s.close(() => resolve()));
        s.closeIdleConnections();
        await Promise.race([closed, new Promise((r) => setTimeout(r, Math.max(0, until - clock())).unref())]);
        s.closeAllConnections();
      }
      await Promise.all([...pollers.values()].map((p) => p.stop()));
      await Promise.race([dispatcher.idle(), new Promise((r) => setTimeout(r, Math.max(0, until - clock())).unref())]);
      await outbox.drain(Math.max(0, until - clock()));
      await client.close();
      await store.close();
    },
  };
}
