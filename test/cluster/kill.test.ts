import { expect } from 'chai';
import pg from 'pg';
import { startCluster, type Cluster } from './harness.js';

describe('cluster: an instance SIGKILLed while it holds work', function () {
  this.timeout(180_000);
  let c: Cluster;
  before(async () => {
    c = await startCluster({ n: 3 });
    expect((await c.emu.portal.install(`${c.proxy.url}/install`)).status).to.equal(200);
  });
  after(async () => c?.close());

  it('the other two deliver all of its owed replies within 60 s, each once (v2 templateId)', async () => {
    const victim = c.instances[1]!;
    const owner = String((await victim.waitLog((l) => l['msg'] === 'cluster mode'))['instanceId']);
    const users = Array.from({ length: 20 }, (_, i) => c.emu.portal.users.add({ name: `K${i}` }));
    // Every send is slow, so the victim certainly holds events or replies when it dies.
    const slow = [c.emu.faults.add({ method: 'imbot.v2.Chat.Message.send', kind: 'slow', delayMs: 400 }),
      c.emu.faults.add({ method: 'batch', kind: 'slow', delayMs: 400 })];
    for (let i = 0; i < 60; i++) await c.emu.portal.sendMessage({ from: users[i % 20]!, to: 'echo', text: `owed ${i}` });
    const db = new pg.Client({ connectionString: c.db.url });
    await db.connect();
    const held = async (): Promise<number> => {
      const { rows } = await db.query(
        `SELECT (SELECT count(*) FROM inbox WHERE lease_owner = $1 AND NOT done) + (SELECT count(*) FROM outbox WHERE lease_owner = $1) AS n`, [owner]);
      return Number(rows[0].n);
    };
    let n = await held();
    for (let i = 0; n === 0 && i < 100; i++) {
      await new Promise((r) => setTimeout(r, 20));
      n = await held();
    }
    expect(n, 'the victim holds work').to.be.above(0);
    await c.kill(1);
    const killedAt = Date.now();
    for (const off of slow) off();
    const replies = await c.emu.portal.waitForMessages(60, { botCode: 'echo' }, 60_000);
    console.log(`      kill: victim held ${n} items; all 60 replies ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the kill`);
    expect(Date.now() - killedAt).to.be.below(60_000);
    await new Promise((r) => setTimeout(r, 1000));
    const texts = c.emu.portal.messages({ botCode: 'echo' }).map((m) => `${m.dialogId}:${m.text}`);
    expect(texts).to.have.length(60);
    expect(new Set(texts).size, 'each once').to.equal(60);
    for (const u of users) {
      const mine = c.emu.portal.messages({ dialogId: String(u), botCode: 'echo' }).map((m) => Number(m.text.replace(/\D/g, '')));
      expect(mine, `dialogue ${u} in order`).to.deep.equal([...mine].sort((a, b) => a - b));
    }
    await db.end();
  });
});
