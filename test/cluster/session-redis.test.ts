import { expect } from 'chai';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { redisStorage } from '../../src/plugins/session.js';
import { REDIS_URL, requireServices } from './services.js';

// Needs a real Redis, so it runs in `npm run test:cluster`, not in `npm test` (which needs no service).
describe('cluster/session redisStorage', () => {
  before(requireServices);

  it('redisStorage keeps values under its prefix with a TTL (real Redis)', async () => {
    const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    const prefix = `test-${randomUUID()}:`;
    try {
      const storage = redisStorage<{ n: number }>(redis, { prefix, ttlS: 60 });
      expect(await storage.read('a')).to.equal(undefined);
      await storage.write('a', { n: 1 });
      expect(await storage.read('a')).to.deep.equal({ n: 1 });
      expect(await redis.get(`${prefix}a`)).to.equal('{"n":1}');
      expect(await redis.ttl(`${prefix}a`)).to.be.within(1, 60);
      await storage.delete('a');
      expect(await redis.exists(`${prefix}a`)).to.equal(0);
    } finally {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
    }
  });
});
