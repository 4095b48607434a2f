import type { Logger } from '../log.js';
import { NO_METRICS, type EventSource, type Metrics } from '../metrics/metrics.js';
import { decodeFetchedEvent, eventDedupeKey } from '../protocol/decode.js';
import { dialogueKey, type BotEvent } from '../protocol/events.js';
import type { PortalRecord } from '../store/types.js';
import type { DispatchQueue } from './dispatch-queue.js';

/** What accepting a decoded event needs. */
export interface QueueEventDeps {
  queue: DispatchQueue;
  log: Logger;
  clock: () => number;
  /** Counts accepted and duplicate events (default: nothing). */
  metrics?: Metrics;
  /** Where the events come from, for the metrics (default `push`). */
  source?: EventSource;
}

/** Persists one decoded event (secrets already stripped) and queues it. False when its key was seen before. */
export async function queueEvent(d: QueueEventDeps, event: BotEvent, key: string): Promise<boolean> {
  const item = { key, memberId: event.memberId, dialogueKey: dialogueKey(event), payload: JSON.stringify(event), receivedAt: d.clock() };
  const added = await d.queue.add(item, event);
  const metrics = d.metrics ?? NO_METRICS;
  const source = d.source ?? 'push';
  if (added) {
    metrics.eventAccepted(source, event.type, event.ts > 0 ? item.receivedAt - event.ts * 1000 : null);
    d.log.debug('event accepted', { key, type: event.type, memberId: event.memberId, botCode: event.bot.code, dialogId: event.chat.dialogId });
  } else {
    metrics.eventDuplicate(source);
    d.log.debug('duplicate event ignored', { key, type: event.type, memberId: event.memberId });
  }
  return added;
}

/** Where fetch-mode pollers hand their pages. */
export interface FetchedIntake {
  /** Persists and queues the items of one `imbot.v2.Event.get` page. Returns how many were new. */
  acceptFetched(portal: PortalRecord, items: readonly unknown[]): Promise<number>;
}

/**
 * The intake of fetch mode: events polled with `imbot.v2.Event.get` were authenticated by the call itself,
 * so they are only decoded, deduplicated and queued. A malformed item is skipped with a warning, so that
 * one bad item cannot block the page's offset.
 */
export function createFetchedIntake(deps: QueueEventDeps): FetchedIntake {
  const d: QueueEventDeps = { ...deps, source: 'fetch' };
  return {
    async acceptFetched(portal, items) {
      let fresh = 0;
      for (const item of items) {
        let event: BotEvent | null;
        try {
          event = decodeFetchedEvent(item, { memberId: portal.memberId, domain: portal.domain });
        } catch (e) {
          d.log.warn('fetched event skipped: malformed', { memberId: portal.memberId, err: e });
          d.metrics?.eventRefused('EVENT_INVALID');
          continue;
        }
        if (event === null) continue;
        if (await queueEvent(d, event, eventDedupeKey(event, event.type))) fresh++;
      }
      return fresh;
    },
  };
}
