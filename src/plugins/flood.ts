import type { MiddlewareFn } from '../router/composer.js';
import type { Context } from '../router/context.js';

/** Options of {@link floodGuard}. */
export interface FloodGuardOptions<C extends Context> {
  /** Events a user may send per window. Default 5. */
  limit?: number;
  /** The window in milliseconds. Default 10,000. */
  windowMs?: number;
  /**
   * Called once per window for a user over the limit (the events themselves are dropped); e.g. a short
   * reply. Default: nothing.
   */
  onLimit?(ctx: C, retryAfterMs: number): unknown;
  /** Who is limited; default `<memberId>:<botCode>:<userId>`. */
  key?(ctx: C): string;
  /** Event types that count; default every event but `bot_delete` (the platform's own event). */
  types?: readonly string[];
  /** The clock (tests inject one). Default `Date.now`. */
  clock?: () => number;
  /** At most this many users are tracked; the oldest windows are forgotten first. Default 100,000. */
  maxKeys?: number;
}

interface Window {
  start: number;
  count: number;
  warned: boolean;
}

/**
 * The flood guard: each user may send `limit` events per `windowMs`; the rest are dropped before any
 * later handler runs (`onLimit` hears about it once per window). Counters live in this process's memory,
 * bounded by `maxKeys` and without timers; in a cluster each process counts on its own.
 *
 * @example
 * bot.use(floodGuard({ limit: 5, windowMs: 10_000, onLimit: (ctx) => ctx.reply('Slow down, please.') }));
 */
export function floodGuard<C extends Context = Context>(options: FloodGuardOptions<C> = {}): MiddlewareFn<C> {
  const { limit = 5, windowMs = 10_000, clock = Date.now, maxKeys = 100_000 } = options;
  const keyOf = options.key ?? ((ctx: C) => `${ctx.portal.memberId}:${ctx.bot.code}:${ctx.user.id}`);
  const windows = new Map<string, Window>();
  const counts = (ctx: C): boolean => (options.types ? options.types.includes(ctx.event.type) : ctx.event.type !== 'bot_delete');
  return async (ctx, next) => {
    if (!counts(ctx)) return next();
    const now = clock();
    const key = keyOf(ctx);
    let w = windows.get(key);
    if (!w || now - w.start >= windowMs) {
      windows.delete(key);
      w = { start: now, count: 0, warned: false };
      windows.set(key, w);
      // Maps iterate in insertion order: the first key is the oldest window.
      if (windows.size > maxKeys) windows.delete(windows.keys().next().value as string);
    }
    w.count += 1;
    if (w.count <= limit) return next();
    if (w.warned) return;
    w.warned = true;
    await options.onLimit?.(ctx, w.start + windowMs - now);
  };
}
