import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/metrics.js';
import { decodeEnvelope, decodeEvent, eventDedupeKey, type EventEnvelope } from '../protocol/decode.js';
import { queueEvent } from './fetched.js';
import { type AppUpdateEvent, type BotEvent, type InstallEvent, type UninstallEvent } from '../protocol/events.js';
import { ReadCache } from '../store/read-cache.js';
import type { PortalRecord, RegistryStore, TokenStore } from '../store/types.js';
import type { DispatchQueue } from './dispatch-queue.js';
import { authenticateEvent } from './verify.js';
import { HttpError } from '../errors.js';
import { findWebhookPortal } from './webhook-bots.js';

/** The HTTP answer the adapter writes. */
export interface IntakeResult {
  status: number;
  body: Record<string, unknown>;
}

/** What the intake needs. */
export interface IntakeOptions {
  /** Portals (authentication, uninstall) and bots (webhook-registered bots' tokens). */
  store: TokenStore & Pick<RegistryStore, 'listBots'>;
  /** Persists accepted events in the inbox and queues them for the dispatcher. */
  queue: DispatchQueue;
  install(event: InstallEvent | AppUpdateEvent): Promise<Record<string, unknown>>;
  log: Logger;
  /** Refuse events older than this many seconds (0 = off). */
  maxAgeS: number;
  /** How long a portal read for authentication is reused (default 5 s; a mismatch always re-reads). */
  portalCacheMs?: number;
  /** An incoming-webhook portal is configured: events of its bots name a member_id we do not store. */
  webhookPortals?: boolean;
  clock?: () => number;
  /** Counts accepted and duplicate events (default: nothing; refusals are counted by the HTTP adapter). */
  metrics?: Metrics;
}

/** Accepts events: authenticate → decode → dedupe → persist → hand to the dispatcher → ack. */
export interface Intake {
  /** Handles one pushed event body (form-parsed or JSON). Throws coded HttpErrors for refusals. */
  accept(body: Record<string, unknown>): Promise<IntakeResult>;
}

/**
 * Creates the intake. An accepted event is persisted (secrets stripped) and acknowledged before any bot
 * code runs; a redelivered or re-polled event is recognised by its dedupe key and handled once.
 *
 * @example
 * const { status, body } = await intake.accept(parsePhpForm(rawBody));
 */
export function createIntake(opts: IntakeOptions): Intake {
  const { store, queue, log } = opts;
  const clock = opts.clock ?? Date.now;
  // Every event reads its portal to authenticate: reuse a recent read, but re-read before refusing one
  // (a reinstall may have changed the token), so a cached record never refuses a genuine event.
  const portals = new ReadCache<PortalRecord | null>({ ttlMs: opts.portalCacheMs ?? 5000, clock });
  // One token comparison per event on the cached path (authenticateEvent's); only a mismatch re-reads.
  const authenticate = async (env: EventEnvelope): Promise<PortalRecord> => {
    const verify = { maxAgeS: opts.maxAgeS, now: clock() };
    const load = (): Promise<PortalRecord | null> => store.getPortal(env.memberId);
    const cached = await portals.get(env.memberId, load);
    if (cached?.applicationToken != null) {
      try {
        return authenticateEvent(env, cached, verify);
      } catch (e) {
        if (!(e instanceof HttpError && e.code === 'EVENT_FORGED')) throw e;
      }
    }
    const known = await portals.refresh(env.memberId, load);
    const portal = known ?? (opts.webhookPortals ? await findWebhookPortal(store, env) : null);
    return authenticateEvent(env, portal, verify);
  };

  const queueDeps = { queue, log, clock, source: 'push', ...(opts.metrics ? { metrics: opts.metrics } : {}) } as const;
  async function enqueue(event: BotEvent, key: string): Promise<boolean> {
    return queueEvent(queueDeps, event, key);
  }

  async function uninstall(event: UninstallEvent): Promise<IntakeResult> {
    await store.deletePortal(event.memberId); // with its bots, commands and offsets
    portals.forget(event.memberId);
    log.info('portal uninstalled', { memberId: event.memberId, domain: event.domain, clean: event.clean });
    return { status: 200, body: { ok: true } };
  }

  async function authenticated(env: EventEnvelope, body: Record<string, unknown>): Promise<IntakeResult> {
    const portal = await authenticate(env);
    // Webhook-registered bots: the event names the real member_id; we know the portal by its webhook id.
    const memberId = portal.memberId;
    const decoded = decodeEvent(body, { envelope: env });
    if (decoded.kind === 'unknown') {
      log.debug('event type not handled, ignored', { event: env.event, memberId: env.memberId });
      return { status: 200, body: { ok: true, ignored: true } };
    }
    if (decoded.kind === 'app') {
      if (decoded.event.type === 'app_uninstall') return uninstall(decoded.event);
      return { status: 200, body: { ok: true, ignored: true } };
    }
    let accepted = 0;
    for (const wire of decoded.events) {
      const event = wire.memberId === memberId ? wire : { ...wire, memberId };
      if (await enqueue(event, eventDedupeKey(event, env.event))) accepted++;
    }
    return { status: 200, body: { ok: true, accepted } };
  }

  return {
    async accept(body) {
      const env = decodeEnvelope(body);
      // Install and update carry fresh tokens that are verified by calling the portal back;
      // every other event must carry the stored application_token.
      if (env.event === 'ONAPPINSTALL' || env.event === 'ONAPPUPDATE') {
        const decoded = decodeEvent(body, { envelope: env });
        if (decoded.kind === 'app' && decoded.event.type !== 'app_uninstall') {
          return { status: 200, body: await opts.install(decoded.event) };
        }
      }
      return authenticated(env, body);
    },

  };
}
