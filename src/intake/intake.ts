import type { Logger } from '../log.js';
import { decodeEnvelope, decodeEvent, decodeFetchedEvent, eventDedupeKey, type EventEnvelope } from '../protocol/decode.js';
import { dialogueKey, type AppUpdateEvent, type BotEvent, type InstallEvent, type UninstallEvent } from '../protocol/events.js';
import type { PortalRecord, Store } from '../store/types.js';
import type { Dispatcher } from './dispatcher.js';
import { authenticateEvent } from './verify.js';
import { findWebhookPortal } from './webhook-bots.js';

/** The HTTP answer the adapter writes. */
export interface IntakeResult {
  status: number;
  body: Record<string, unknown>;
}

/** What the intake needs. */
export interface IntakeOptions {
  store: Store;
  dispatcher: Dispatcher;
  install(event: InstallEvent | AppUpdateEvent): Promise<Record<string, unknown>>;
  log: Logger;
  /** Refuse events older than this many seconds (0 = off). */
  maxAgeS: number;
  /** An incoming-webhook portal is configured: events of its bots name a member_id we do not store. */
  webhookPortals?: boolean;
  clock?: () => number;
}

/** Accepts events: authenticate → decode → dedupe → persist → hand to the dispatcher → ack. */
export interface Intake {
  /** Handles one pushed event body (form-parsed or JSON). Throws coded HttpErrors for refusals. */
  accept(body: Record<string, unknown>): Promise<IntakeResult>;
  /** Persists and dispatches the items of one `imbot.v2.Event.get` page. Returns how many were new. */
  acceptFetched(portal: PortalRecord, items: readonly unknown[]): Promise<number>;
  /** Re-dispatches events that were accepted but not handled (after a crash). */
  resume(): Promise<number>;
}

/**
 * Creates the intake. An accepted event is persisted (secrets stripped) and acknowledged before any bot
 * code runs; a redelivered or re-polled event is recognised by its dedupe key and handled once.
 *
 * @example
 * const { status, body } = await intake.accept(parsePhpForm(rawBody));
 */
export function createIntake(opts: IntakeOptions): Intake {
  const { store, dispatcher, log } = opts;
  const clock = opts.clock ?? Date.now;

  async function enqueue(event: BotEvent, key: string): Promise<boolean> {
    const added = await store.inboxAdd({
      key,
      memberId: event.memberId,
      dialogueKey: dialogueKey(event),
      payload: JSON.stringify(event),
      receivedAt: clock(),
    });
    if (added) {
      log.debug('event accepted', { key, type: event.type, memberId: event.memberId, botCode: event.bot.code, dialogId: event.chat.dialogId });
      dispatcher.push(key, event);
    } else log.debug('duplicate event ignored', { key, type: event.type, memberId: event.memberId });
    return added;
  }

  async function uninstall(event: UninstallEvent): Promise<IntakeResult> {
    await store.deletePortal(event.memberId); // with its bots, commands and offsets
    log.info('portal uninstalled', { memberId: event.memberId, domain: event.domain, clean: event.clean });
    return { status: 200, body: { ok: true } };
  }

  async function authenticated(env: EventEnvelope, body: Record<string, unknown>): Promise<IntakeResult> {
    const known = await store.getPortal(env.memberId);
    const portal = known ?? (opts.webhookPortals ? await findWebhookPortal(store, env) : null);
    authenticateEvent(env, portal, { maxAgeS: opts.maxAgeS, now: clock() });
    // Webhook-registered bots: the event names the real member_id; we know the portal by its webhook id.
    const memberId = portal?.memberId ?? env.memberId;
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

    async acceptFetched(portal, items) {
      let fresh = 0;
      for (const item of items) {
        let event: BotEvent | null;
        try {
          event = decodeFetchedEvent(item, { memberId: portal.memberId, domain: portal.domain });
        } catch (e) {
          // One malformed item must not block the queue: the page's offset moves past it.
          log.warn('fetched event skipped: malformed', { memberId: portal.memberId, err: e });
          continue;
        }
        if (event === null) continue;
        if (await enqueue(event, eventDedupeKey(event, event.type))) fresh++;
      }
      return fresh;
    },

    async resume() {
      const pending = await store.inboxPending(10_000);
      for (const item of pending) dispatcher.push(item.key, JSON.parse(item.payload) as BotEvent);
      if (pending.length > 0) log.info('resuming unhandled events', { count: pending.length });
      return pending.length;
    },
  };
}
