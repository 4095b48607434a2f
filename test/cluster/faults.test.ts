import { expect } from 'chai';
import { request } from 'undici';
import { startGatedCluster, type GatedCluster } from './gated.js';
import type { Cluster } from './harness.js';
import type { TcpGate } from './tcp-gate.js';

const BUCKET = { rate: 20, burst: 50 };

async function health(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await request(`${url}/healthz`);
  return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
}

async function until<T>(what: string, fn: () => Promise<T>, ok: (v: T) => boolean, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`${what}: still ${JSON.stringify(v)} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('cluster faults: Redis or PostgreSQL unreachable, then back, without a restart', function () {
  this.timeout(180_000);
  let g: GatedCluster;
  let c: Cluster;
  let redisGate: TcpGate;
  let pgGate: TcpGate;
  before(async () => {
    g = await startGatedCluster({
      n: 3, gateRedis: true, emulator: { rateLimit: BUCKET }, env: { B24_RATE_LIMIT: `${BUCKET.rate}/${BUCKET.burst}`, B24_BATCHING: 'off' },
    });
    ({ c, pg: pgGate } = g);
    redisGate = g.redis!;
  });
  after(async () => g?.close());

  it('Redis down: every instance keeps serving on 1/N of the bucket and says so in its log and /healthz; back by itself', async () => {
    expect((await health(c.instances[0]!.url)).body).to.deep.equal({ status: 'ok', store: 'up', redis: 'up' });
    await redisGate.down();
    for (const inst of c.instances) {
      await until('healthz', () => health(inst.url), (h) => h.body['redis'] === 'down');
      expect((await health(inst.url))).to.deep.equal({ status: 200, body: { status: 'degraded', store: 'up', redis: 'down' } });
    }
    const users = Array.from({ length: 10 }, (_, i) => c.emu.portal.users.add({ name: `Rd${i}` }));
    const before503 = c.emu.portal.counters().queryLimitExceeded;
    // 120 replies at once: three instances each limited to a little under a third of what they share through
    // Redis (shareOf: burst 12, less the client's headroom of 1, and 20 × 0.97 × 0.85 / 3 = 5.5/s)
    await Promise.all(Array.from({ length: 120 }, (_, i) => c.emu.portal.sendMessage({ from: users[i % 10]!, to: 'echo', text: `rd ${i}` })));
    await c.emu.portal.waitForMessages(120, { botCode: 'echo' }, 60_000);
    const over = c.emu.portal.counters().queryLimitExceeded - before503;
    console.log(`      redis down: 120 replies with ${over} × 503`);
    expect(over, '503s while each instance used its share').to.be.at.most(5);
    for (const inst of c.instances) {
      expect(inst.logs.some((l) => String(l['msg']).startsWith('redis unreachable')), `instance ${inst.index} logged it`).to.equal(true);
    }
    await redisGate.up();
    for (const inst of c.instances) await until('healthz', () => health(inst.url), (h) => h.body['status'] === 'ok');
  });

  it('PostgreSQL down: /events and /healthz answer 503 (nothing acknowledged unpersisted); back without a restart', async () => {
    await pgGate.down();
    for (const inst of c.instances) {
      const h = await until('healthz', () => health(inst.url), (x) => x.status === 503);
      expect(h.body).to.deep.include({ status: 'unavailable', store: 'down' });
    }
    const user = c.emu.portal.users.add({ name: 'PgDown' });
    const { deliveries } = await c.emu.portal.sendMessage({ from: user, to: 'echo', text: 'lost?' });
    expect(deliveries.map((d) => d.status)).to.deep.equal([503]);
    await pgGate.up();
    for (const inst of c.instances) await until('healthz', () => health(inst.url), (x) => x.status === 200);
    await c.emu.portal.sendMessage({ from: user, to: 'echo', text: 'back' });
    const [reply] = await c.emu.portal.waitForMessages(1, { botCode: 'echo', dialogId: String(user) }, 30_000);
    expect(reply?.text).to.equal('You said: back');
  });
});
