import { BotkitError } from '../errors.js';
import type { MiddlewareFn } from '../router/composer.js';
import type { Context } from '../router/context.js';

type MaybePromise<T> = T | Promise<T>;

/**
 * Where a session plugin keeps its values: the seam for your own database. Values are JSON-serialisable.
 *
 * @example
 * const files: StorageAdapter<Prefs> = {
 *   read: async (key) => JSON.parse(await fs.readFile(`sessions/${key}.json`, 'utf8').catch(() => 'null')) ?? undefined,
 *   write: (key, value) => fs.writeFile(`sessions/${key}.json`, JSON.stringify(value)),
 *   delete: (key) => fs.rm(`sessions/${key}.json`, { force: true }),
 * };
 */
export interface StorageAdapter<T> {
  read(key: string): MaybePromise<T | undefined>;
  write(key: string, value: T): MaybePromise<void>;
  delete(key: string): MaybePromise<void>;
}

/** The field the {@link session} plugin adds to the context: typed, persisted data of this user. */
export interface SessionFlavor<S> {
  /** Read and mutate it (or assign a new value); it is saved when the handlers are done. `undefined` deletes it. */
  state: S;
}

/** Options of {@link session}. */
export interface SessionOptions<S> {
  /** The value for a user who has none yet. */
  initial(): S;
  /**
   * Where values live. Default: the framework's store (`ctx.session`, so the same database, scoping per
   * portal + bot + user, and `DIALOGUE_TTL_S` expiry as every other state).
   */
  storage?: StorageAdapter<S>;
  /** The storage key of a context; default `<memberId>:<botCode>:<userId>` (per user of one bot on one portal). */
  getKey?(ctx: Context): string;
}

// Inside the user's key-value session; '@' keeps it apart from keys a bot picks.
const STORE_KEY = '@state';

/** The default adapter: the context's own store-backed key-value session. */
function contextStorage<S>(ctx: Context): StorageAdapter<S> {
  return {
    read: (key) => ctx.session.get<S>(key),
    write: (key, value) => ctx.session.set(key, value),
    delete: (key) => ctx.session.delete(key),
  };
}

/**
 * The session plugin: loads this user's typed data into `ctx.state` before the handlers run and saves
 * it after they are done, only when it changed. Declare `SessionFlavor<S>` in the bot's context.
 *
 * @example
 * type MyContext = Context & SessionFlavor<{ visits: number }>;
 * defineBot<MyContext>({ code: 'counter', properties: { name: 'Counter' } })
 *   .use(session({ initial: () => ({ visits: 0 }) }))
 *   .text(null, (ctx) => ctx.reply(`Visit number ${++ctx.state.visits}`));
 */
export function session<S>(options: SessionOptions<S>): MiddlewareFn<Context & SessionFlavor<S>> {
  const getKey = options.getKey ?? ((ctx: Context) => `${ctx.portal.memberId}:${ctx.bot.code}:${ctx.user.id}`);
  return async (ctx, next) => {
    const storage = options.storage ?? contextStorage<S>(ctx);
    const key = options.storage ? getKey(ctx) : STORE_KEY;
    const stored = await storage.read(key);
    ctx.state = stored ?? options.initial();
    // An untouched initial value is not written: only users with state cost storage.
    const before = serialise(ctx.state);
    await next();
    const value = ctx.state as S | undefined;
    if (value === undefined) {
      if (stored !== undefined) await storage.delete(key);
      return;
    }
    if (serialise(value) !== before) await storage.write(key, value);
  };
}

function serialise(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch (e) {
    throw new BotkitError('STORE_VALUE_INVALID', 'ctx.state is not JSON-serialisable', { cause: e });
  }
}

/**
 * A {@link StorageAdapter} in process memory: for tests and single-process prototypes (lost on restart).
 *
 * @example
 * bot.use(session({ initial: () => ({ n: 0 }), storage: memoryStorage() }));
 */
export function memoryStorage<T>(): StorageAdapter<T> & { readonly size: number } {
  const map = new Map<string, string>();
  return {
    read: (key) => {
      const raw = map.get(key);
      return raw === undefined ? undefined : (JSON.parse(raw) as T);
    },
    write: (key, value) => void map.set(key, serialise(value)),
    delete: (key) => void map.delete(key),
    get size() {
      return map.size;
    },
  };
}

/** The part of a Redis client {@link redisStorage} uses (ioredis and node-redis v4 both fit). */
export interface RedisLike {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, mode: 'EX', seconds: number): Promise<unknown>;
  del(key: string): Promise<unknown>;
}

/**
 * A {@link StorageAdapter} on Redis, shared by every process of a cluster. Keys are `<prefix><key>`
 * and expire `ttlS` seconds after the last write.
 *
 * @example
 * const redis = new Redis(process.env.REDIS_URL);
 * bot.use(session({ initial: () => ({ visits: 0 }), storage: redisStorage(redis, { prefix: 'counter:' }) }));
 */
export function redisStorage<T>(redis: RedisLike, { prefix = 'b24-session:', ttlS = 86_400 }: { prefix?: string; ttlS?: number } = {}): StorageAdapter<T> {
  return {
    read: async (key) => {
      const raw = await redis.get(prefix + key);
      return raw === null ? undefined : (JSON.parse(raw) as T);
    },
    write: async (key, value) => void (await redis.set(prefix + key, serialise(value), 'EX', ttlS)),
    delete: async (key) => void (await redis.del(prefix + key)),
  };
}
