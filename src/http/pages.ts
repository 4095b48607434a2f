import { randomBytes } from 'node:crypto';
import type { Express } from 'express';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { SyncTarget } from '../registry/declared.js';
import type { AnyBotDefinition } from '../router/bot.js';
import type { PortalRecord, Store } from '../store/types.js';
import { mountAdmin } from './admin.js';
import { mountAppPage } from './app-page.js';
import type { PageOperations } from './app-page-actions.js';
import type { TokenCaller } from './app-page-auth.js';
import type { RecentErrors } from './app-page-errors.js';
import { PageTokens } from './app-page-session.js';
import type { InstallView } from './app-page-state.js';

/** What the pages for people need: the app page for portal administrators and `/admin` for operators. */
export interface PagesOptions {
  config: Config;
  store: Store;
  client: TokenCaller;
  bots: ReadonlyMap<string, AnyBotDefinition>;
  target(): SyncTarget;
  publicUrl(): string;
  errors: RecentErrors;
  ops: PageOperations;
  /** The detailed health of `GET /admin/health`. */
  health(): Promise<Record<string, unknown>>;
  installState?(portal: PortalRecord): Promise<InstallView>;
  log: Logger;
  clock: () => number;
}

/**
 * Mounts the app page (`/app`, always) and the admin page (`/admin`, with `ADMIN_TOKEN`), sharing one
 * signing secret: `APP_SESSION_SECRET`, or a random one per process (with a warning in cluster mode,
 * where another instance could not check this one's sessions).
 */
export function mountPages(app: Express, o: PagesOptions): void {
  const { config } = o;
  if (config.appSessionSecret === null && (config.databaseUrl !== null || config.redisUrl !== null)) {
    o.log.warn('APP_SESSION_SECRET is not set: app page sessions are signed with a random per-process secret, so an instance '
      + 'behind the load balancer refuses sessions another one issued; set the same APP_SESSION_SECRET on every instance');
  }
  const tokens = new PageTokens({ secret: config.appSessionSecret ?? randomBytes(32), clock: o.clock });
  mountAppPage(app, {
    store: o.store, client: o.client, bots: o.bots, target: o.target, errors: o.errors, ops: o.ops, log: o.log, clock: o.clock,
    tokens, publicUrl: o.publicUrl, portalHosts: config.portalHosts, ...(o.installState ? { installState: o.installState } : {}),
  });
  if (config.adminToken) {
    mountAdmin(app, {
      token: config.adminToken, store: o.store, bots: [...o.bots.keys()], syncPortal: o.ops.syncPortal, health: o.health,
      retryDead: (id) => o.ops.retryDead(id), tokens, publicUrl: o.publicUrl, log: o.log,
    });
  }
}
