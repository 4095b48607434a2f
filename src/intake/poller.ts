import { backoffDelay } from '../backoff.js';
import { BotkitError } from '../errors.js';
import type { Logger } from '../log.js';
import { NO_METRICS, type Metrics } from '../metrics/metrics.js';
import type { BotRecord, OffsetStore, RegistryStore, TokenStore } from '../store/types.js';
import type { FetchedIntake } from './fetched.js';

/** What a poller needs. */
export interface PollerOptions {
  store: OffsetStore & Pick<TokenStore, 'getPortal'> & Pick<RegistryStore, 'deleteBot' | 'listBots'>;
  client: { call<T = unknown>(memberId: string, method: string, params?: Record<string, unknown>): Promise<T> };
  intake: FetchedIntake;
  log: Logger;
  /** The pause after an empty page (the docs recommend 5-30 s). */
  idleMs: number;
  /**
   * The pause after a page with events, `hasMore` or not (the docs: at least 2 s while `hasMore`).
   * Default 2000 ms, or `idleMs` when that is shorter (tests configure a short idle interval).
   */
  busyMs?: number;
  /** Events per page (1-1000). */
  limit?: number;
  /** Waits between polls; default a timer that stop() cuts short. Tests inject one to record the pauses. */
  wait?: (ms: number) => Promise<void>;
  /** Counts polls and tracks the time since each bot's last successful one (default: nothing). */
  metrics?: Metrics;
}

/** The pause the docs ask for between polls while `hasMore` is true (`chat-bots-v2/index.md#polling`). */
export const HAS_MORE_PAUSE_MS = 2000;

/** One fetch-mode bot's poll loop. */
export interface Poller {
  readonly botCode: string;
  /** Stops after the current poll; resolves when the loop has exited. */
  stop(): Promise<void>;
  /** Resolves (never rejects) when the loop has ended: stopped, bot deleted, or portal gone. */
  readonly done: Promise<void>;
}

interface EventPage {
  events: unknown[];
  nextOffset: number;
  hasMore: boolean;
}

function readPage(result: unknown): EventPage {
  const r = (result ?? {}) as Partial<Record<keyof EventPage, unknown>>;
  if (!Array.isArray(r.events) || typeof r.nextOffset !== 'number') {
    throw new BotkitError('B24_BAD_RESPONSE', 'imbot.v2.Event.get answered without events/nextOffset');
  }
  return { events: r.events, nextOffset: r.nextOffset, hasMore: r.hasMore === true };
}

// A failing poll waits 1 s, 2 s, 4 s ... up to a minute (with jitter, so many bots do not poll in step).
const POLL_ERROR_BACKOFF = { baseMs: 1000, maxMs: 60_000 };

// Client errors that end polling: the portal was uninstalled, or its tokens can no longer be refreshed.
const GONE = new Set(['B24_PORTAL_UNKNOWN', 'B24_REINSTALL_REQUIRED']);

function apiCode(e: unknown): string | undefined {
  const code = (e as { apiCode?: unknown } | null)?.apiCode;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Starts polling `imbot.v2.Event.get` for one bot at the cadence the docs ask for
 * (`chat-bots-v2/index.md#polling`): a pause of {@link HAS_MORE_PAUSE_MS} after a page with events
 * (the minimum while `hasMore`), the idle interval (5-30 s) after an empty one, and exponential backoff
 * (capped at 60 s) on errors. The offset is persisted only after the page is safely in the inbox.
 * `BOT_NOT_FOUND` means the bot was deleted: its record is removed (unless the code was registered again
 * under a new id meanwhile) and the loop ends.
 */
export function startPoller(bot: BotRecord, opts: PollerOptions): Poller {
  const busyMs = opts.busyMs ?? Math.min(HAS_MORE_PAUSE_MS, opts.idleMs);
  const metrics = opts.metrics ?? NO_METRICS;
  let delay = 0;
  let failures = 0;
  let stopped = false;
  let wake: (() => void) | null = null;
  let timer: NodeJS.Timeout | null = null;

  const sleep = opts.wait ?? ((ms: number): Promise<void> => new Promise((resolve) => {
    wake = resolve;
    timer = setTimeout(resolve, ms);
  }));

  async function pollOnce(): Promise<number> {
    const offset = await opts.store.getOffset(bot.memberId, bot.botId);
    const params: Record<string, unknown> = { botId: bot.botId, limit: opts.limit ?? 100 };
    if (bot.botToken !== null) params['botToken'] = bot.botToken;
    if (offset > 0) params['offset'] = offset;
    const page = readPage(await opts.client.call(bot.memberId, 'imbot.v2.Event.get', params));
    const portal = await opts.store.getPortal(bot.memberId);
    if (portal && page.events.length > 0) await opts.intake.acceptFetched(portal, page.events);
    if (page.nextOffset !== offset) await opts.store.setOffset(bot.memberId, bot.botId, page.nextOffset);
    metrics.pollerPolled(bot.memberId, bot.code, true, page.events.length, page.hasMore);
    return page.hasMore || page.events.length > 0 ? busyMs : opts.idleMs;
  }

  async function forget(b: BotRecord): Promise<void> {
    opts.log.warn('bot deleted on the portal; polling stopped', { memberId: b.memberId, botCode: b.code, botId: b.botId });
    try {
      // Registered again meanwhile (a new id under the same code): that record is not this poller's to drop.
      const current = (await opts.store.listBots(b.memberId)).find((x) => x.code === b.code);
      if (current === undefined || current.botId !== b.botId) return;
      await opts.store.deleteBot(b.memberId, b.code);
    } catch (e) {
      opts.log.error('could not forget a deleted bot', { memberId: b.memberId, botCode: b.code, err: e });
    }
  }

  metrics.pollerStarted(bot.memberId, bot.code);
  const loop = (async () => {
    while (!stopped) {
      try {
        delay = await pollOnce();
        failures = 0;
      } catch (e) {
        metrics.pollerPolled(bot.memberId, bot.code, false, 0, false);
        if (apiCode(e) === 'BOT_NOT_FOUND') return forget(bot);
        if (GONE.has(String((e as { code?: unknown } | null)?.code))) {
          opts.log.info('portal gone or needs a reinstall; polling stopped', { memberId: bot.memberId, botCode: bot.code, err: e });
          return;
        }
        delay = backoffDelay(POLL_ERROR_BACKOFF, failures++);
        opts.log.warn('event poll failed', { memberId: bot.memberId, botCode: bot.code, retryInMs: delay, err: e });
      }
      if (!stopped && delay > 0) await sleep(delay);
    }
  })();

  return {
    botCode: bot.code,
    done: loop
      .catch((e: unknown) => void opts.log.error('event poller crashed', { memberId: bot.memberId, botCode: bot.code, err: e }))
      .finally(() => metrics.pollerStopped(bot.memberId, bot.code)),
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      wake?.();
      await this.done;
    },
  };
}
