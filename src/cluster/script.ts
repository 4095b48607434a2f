import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/** A Lua script bound to a client: runs by SHA, loading the source once when Redis does not know it. */
export type RedisScript = (keys: readonly string[], args: ReadonlyArray<string | number>) => Promise<unknown>;

/**
 * Binds `lua` to `client`. Each call is one `EVALSHA` round trip; after a Redis restart (`NOSCRIPT`)
 * the source is sent once with `EVAL`, which caches it again.
 *
 * @example
 * const incr = redisScript(client, "return redis.call('INCRBY', KEYS[1], ARGV[1])");
 * await incr(['counter'], [2]);
 */
export function redisScript(client: Redis, lua: string): RedisScript {
  const sha = createHash('sha1').update(lua).digest('hex');
  return async (keys, args) => {
    try {
      return await client.evalsha(sha, keys.length, ...keys, ...args);
    } catch (e) {
      if (!String((e as Error | null)?.message).startsWith('NOSCRIPT')) throw e;
      return client.eval(lua, keys.length, ...keys, ...args);
    }
  };
}
