import Database from 'better-sqlite3';
import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../src/log.js';
import { createOutbox } from '../../src/outbox/outbox.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { DEDUPE_WINDOW_MS } from '../../src/store/types.js';

// Issue 13: every reply used to leave an `outbox-sent:*` row in the state table that nothing pruned.
describe('outbox: remembered keys stay bounded', function () {
  this.timeout(60_000);

  it('leaves no state rows after 10,000 replies; the delivered keys are pruned after the dedupe window', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'botkit-bounded-'));
    const file = join(dir, 'botkit.sqlite');
    let now = 1_000_000;
    const store = openSqliteStore({ file, clock: () => now });
    let sent = 0;
    const client = { call: async <T>(): Promise<T> => ({ id: ++sent }) as T };
    const outbox = createOutbox({ store, client, log: createLogger({ silent: true }), clock: () => now });
    outbox.start();
    const deliveries: Array<Promise<unknown>> = [];
    for (let i = 0; i < 10_000; i++) {
      const handle = await outbox.enqueue({ memberId: 'm1', dialogueKey: String(i % 100), method: 'imbot.v2.Chat.Message.send', params: { n: i }, idempotencyKey: `k${i}` });
      deliveries.push(handle.delivered);
    }
    await Promise.all(deliveries);
    const db = new Database(file, { readonly: true });
    const count = (table: string): number => (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    try {
      expect(sent).to.equal(10_000);
      expect(count('state')).to.equal(0);
      expect(count('outbox')).to.equal(0);
      expect(count('outbox_sent')).to.equal(10_000);
      now += DEDUPE_WINDOW_MS + 1;
      expect(await store.outboxPrune(now - DEDUPE_WINDOW_MS)).to.equal(10_000);
      expect(count('outbox_sent')).to.equal(0);
    } finally {
      db.close();
      await outbox.drain(1000);
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
