import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LocalDispatchQueue } from '../../src/intake/local-queue.js';
import { createLogger } from '../../src/log.js';
import { dialogueKey } from '../../src/protocol/events.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';
import { messageEvent } from '../helpers/events.js';
import { overriding } from '../helpers/override.js';

// Found by the intake benchmark (`npm run bench -- --only intake`): under load the server stopped answering
// for good, its event loop blocked. A refill of the in-memory buffer found a portal whose spilled inbox write
// was still in flight (SQLite's group commit flushes in the next event-loop turn), put it back and claimed
// again at once: claims resolve in microtasks, so the loop never gave that turn a chance, forever.
describe('intake/local-queue: refilling while a spilled write is in flight', () => {
  let dir: string;
  let store: Store;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'local-queue-'));
    store = openStore({ dataDir: dir });
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('does not spin on claims: the write lands and its event is dispatched', async () => {
    let claims = 0;
    // A spin detector: past 100 claims the claim fails, which ends the loop (the refill retries in 1 s).
    const counted = overriding(store, 'inboxClaim', (claim) => async (c) => {
      if (++claims > 100) throw new Error('inboxClaim called in a loop');
      return claim(c);
    });
    const queue = new LocalDispatchQueue({ store: counted, log: createLogger({ silent: true }), perPortal: 4, maxBuffered: 4, pageSize: 2 });
    queue.onChange(() => undefined);
    await queue.start();
    const item = (n: number) => {
      const e = messageEvent(`m${n}`, { chat: { id: n, dialogId: String(n), kind: 'private', title: '' } });
      return [{ key: `k${n}`, memberId: e.memberId, dialogueKey: dialogueKey(e), payload: JSON.stringify(e), receivedAt: n }, e] as const;
    };
    for (let n = 0; n < 4; n++) expect(await queue.add(...item(n))).to.equal(true);
    // The buffer is full: the fifth event goes to the inbox only; its write commits in the next turn.
    const fifth = queue.add(...item(4));
    // In this same turn two jobs finish: the buffer is half empty and a refill starts while that write is pending.
    const jobs = [queue.take(), queue.take()];
    for (const job of jobs) void queue.complete(job as NonNullable<typeof job>);
    expect(await fifth).to.equal(true);
    expect(claims, 'claims while the write was in flight').to.be.below(10);
    const keys: string[] = [];
    for (let job = queue.take(); job; job = queue.take()) keys.push(job.key);
    // The refill triggered by the write's completion claims the fifth event.
    while (!keys.includes('k4')) {
      await new Promise((resolve) => setImmediate(resolve));
      for (let job = queue.take(); job; job = queue.take()) keys.push(job.key);
    }
    expect(keys.sort()).to.deep.equal(['k2', 'k3', 'k4']);
  });
});
