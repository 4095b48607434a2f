import { expect } from 'chai';
import type { OutboxItem } from '../../src/store/types.js';
import type { Harness } from './harness.js';
import { makeInbox, makeReply } from './records.js';

const keys = (items: Array<{ key: string }>): string[] => items.map((i) => i.key);
const labels = (items: OutboxItem[]): string[] => items.map((i) => i.idempotencyKey);

/** Queues a reply that must be new and returns its id. */
export async function add(h: Harness, reply: Parameters<Harness['store']['outboxAdd']>[0]): Promise<number> {
  const r = await h.store.outboxAdd(reply);
  if (r.status !== 'queued') throw new Error(`expected a new item, got ${r.status}`);
  return r.id;
}

/** Completes the delivery of item `id` (looked up among the ready heads). */
export async function deliver(h: Harness, id: number, result: unknown = 1): Promise<void> {
  const item = (await h.store.outboxPending(1000, Number.MAX_SAFE_INTEGER)).find((i) => i.id === id);
  if (!item) throw new Error(`item ${id} is not a ready head`);
  await h.store.outboxDelivered(item, result);
}

/** Inbox dedupe and the outbox's per-dialogue order, retries and dead letters. */
export function queueContract(h: Harness): void {
  describe('inbox', () => {
    it('stores a new key and refuses a duplicate without storing it', async () => {
      expect(await h.store.inboxAdd(makeInbox())).to.equal(true);
      expect(await h.store.inboxAdd(makeInbox({ payload: '{"text":"again"}' }))).to.equal(false);
      expect(await h.store.inboxPending(10)).to.deep.equal([makeInbox()]);
    });

    it('lists pending items oldest first (insertion order on ties), up to the limit', async () => {
      await h.store.inboxAdd(makeInbox({ key: 'late', receivedAt: 3 }));
      await h.store.inboxAdd(makeInbox({ key: 'tie-1', receivedAt: 2 }));
      await h.store.inboxAdd(makeInbox({ key: 'early', receivedAt: 1 }));
      await h.store.inboxAdd(makeInbox({ key: 'tie-2', receivedAt: 2 }));
      expect(keys(await h.store.inboxPending(10))).to.deep.equal(['early', 'tie-1', 'tie-2', 'late']);
      expect(keys(await h.store.inboxPending(2))).to.deep.equal(['early', 'tie-1']);
      expect(await h.store.inboxPending(0)).to.deep.equal([]);
    });

    it('hides done items from pending but keeps their keys for dedupe', async () => {
      await h.store.inboxAdd(makeInbox({ key: 'a' }));
      await h.store.inboxAdd(makeInbox({ key: 'b' }));
      await h.store.inboxDone('a');
      await h.store.inboxDone('unknown');
      expect(keys(await h.store.inboxPending(10))).to.deep.equal(['b']);
      expect(await h.store.inboxAdd(makeInbox({ key: 'a' }))).to.equal(false);
    });

    it('prunes only done keys handled before the cutoff, then accepts them again', async () => {
      await h.store.inboxAdd(makeInbox({ key: 'old', receivedAt: 1 }));
      await h.store.inboxAdd(makeInbox({ key: 'recent', receivedAt: 1 }));
      await h.store.inboxAdd(makeInbox({ key: 'open', receivedAt: 1 }));
      await h.store.inboxDone('old');
      const oldDoneAt = h.now;
      h.now += 100;
      await h.store.inboxDone('recent');
      expect(await h.store.inboxPrune(oldDoneAt)).to.equal(0);
      expect(await h.store.inboxPrune(oldDoneAt + 1)).to.equal(1);
      expect(await h.store.inboxAdd(makeInbox({ key: 'old' }))).to.equal(true);
      expect(await h.store.inboxAdd(makeInbox({ key: 'recent' }))).to.equal(false);
      expect(await h.store.inboxPrune(h.now + 1_000_000)).to.equal(1);
      expect(keys(await h.store.inboxPending(10))).to.deep.equal(['open', 'old']);
    });

    it('copies items out', async () => {
      await h.store.inboxAdd(makeInbox());
      (await h.store.inboxPending(1))[0]!.payload = 'mutated';
      expect(await h.store.inboxPending(1)).to.deep.equal([makeInbox()]);
    });
  });

  describe('outbox', () => {
    it('assigns increasing ids and stamps attempts 0, notBefore 0 and createdAt from the clock', async () => {
      const first = await add(h, makeReply());
      h.now += 1;
      const second = await add(h, makeReply({ dialogueKey: 'chat2', idempotencyKey: 'idem-2' }));
      expect(second).to.be.greaterThan(first);
      expect(await h.store.outboxPending(10, h.now)).to.deep.equal([
        { ...makeReply(), id: first, attempts: 0, notBefore: 0, createdAt: h.now - 1 },
        { ...makeReply({ dialogueKey: 'chat2', idempotencyKey: 'idem-2' }), id: second, attempts: 0, notBefore: 0, createdAt: h.now },
      ]);
    });

    it('returns only the head of each dialogue, in id order; done moves the next one up', async () => {
      const a1 = await add(h, makeReply({ dialogueKey: 'A', idempotencyKey: 'a1' }));
      await add(h, makeReply({ dialogueKey: 'B', idempotencyKey: 'b1' }));
      await add(h, makeReply({ dialogueKey: 'A', idempotencyKey: 'a2' }));
      await add(h, makeReply({ dialogueKey: 'B', idempotencyKey: 'b2' }));
      expect(labels(await h.store.outboxPending(10, h.now))).to.deep.equal(['a1', 'b1']);
      await deliver(h, a1);
      expect(labels(await h.store.outboxPending(10, h.now))).to.deep.equal(['b1', 'a2']);
      expect(labels(await h.store.outboxPending(1, h.now))).to.deep.equal(['b1']);
      expect(await h.store.outboxPending(0, h.now)).to.deep.equal([]);
    });

    it('keeps a dialogue waiting behind a head that waits for its retry', async () => {
      const a1 = await add(h, makeReply({ dialogueKey: 'A', idempotencyKey: 'a1' }));
      await add(h, makeReply({ dialogueKey: 'A', idempotencyKey: 'a2' }));
      await add(h, makeReply({ dialogueKey: 'B', idempotencyKey: 'b1' }));
      await h.store.outboxRetry(a1, h.now + 500);
      expect(labels(await h.store.outboxPending(10, h.now + 499))).to.deep.equal(['b1']);
      const ready = await h.store.outboxPending(10, h.now + 500);
      expect(labels(ready)).to.deep.equal(['a1', 'b1']);
      expect(ready[0]).to.include({ attempts: 1, notBefore: h.now + 500 });
      await h.store.outboxRetry(a1, h.now + 900);
      expect((await h.store.outboxPending(10, h.now + 900))[0]).to.include({ attempts: 2, notBefore: h.now + 900 });
    });

    it('treats the same dialogueKey on two portals as two dialogues', async () => {
      await add(h, makeReply({ memberId: 'm-1', idempotencyKey: 'p1' }));
      await add(h, makeReply({ memberId: 'm-2', idempotencyKey: 'p2' }));
      expect(labels(await h.store.outboxPending(10, h.now))).to.deep.equal(['p1', 'p2']);
    });

    it('moves a dead item to the dead letters with its reason, unblocking its dialogue', async () => {
      const a1 = await add(h, makeReply({ dialogueKey: 'A', idempotencyKey: 'a1' }));
      await add(h, makeReply({ dialogueKey: 'A', idempotencyKey: 'a2' }));
      await h.store.outboxRetry(a1, 0);
      await h.store.outboxDead(a1, 'ACCESS_DENIED');
      await h.store.outboxDead(12345, 'unknown id is ignored');
      expect(labels(await h.store.outboxPending(10, h.now))).to.deep.equal(['a2']);
      expect(await h.store.outboxDeadList(10)).to.deep.equal([
        { ...makeReply({ dialogueKey: 'A', idempotencyKey: 'a1' }), id: a1, attempts: 1, notBefore: 0, createdAt: h.now, reason: 'ACCESS_DENIED' },
      ]);
    });

    it('lists dead letters newest first, up to the limit', async () => {
      const ids: number[] = [];
      for (const k of ['x', 'y', 'z']) ids.push(await add(h, makeReply({ dialogueKey: k, idempotencyKey: k })));
      await h.store.outboxDead(ids[1]!, 'first');
      h.now += 10;
      await h.store.outboxDead(ids[0]!, 'second');
      await h.store.outboxDead(ids[2]!, 'second, same time, higher id');
      expect(labels(await h.store.outboxDeadList(10))).to.deep.equal(['z', 'x', 'y']);
      expect(labels(await h.store.outboxDeadList(1))).to.deep.equal(['z']);
      expect(await h.store.outboxPending(10, h.now)).to.deep.equal([]);
    });

    it('lists the dead letters of one portal when asked', async () => {
      const p1 = await add(h, makeReply({ memberId: 'm-1', idempotencyKey: 'p1' }));
      const p2 = await add(h, makeReply({ memberId: 'm-2', idempotencyKey: 'p2' }));
      await h.store.outboxDead(p1, 'one');
      await h.store.outboxDead(p2, 'two');
      expect(labels(await h.store.outboxDeadList(10, 'm-2'))).to.deep.equal(['p2']);
      expect(labels(await h.store.outboxDeadList(10, 'm-3'))).to.deep.equal([]);
      expect(labels(await h.store.outboxDeadList(10))).to.have.members(['p1', 'p2']);
    });

    it('lists every queued reply of one portal in id order: heads, replies behind them and waiting retries', async () => {
      const a1 = await add(h, makeReply({ dialogueKey: 'A', idempotencyKey: 'a1' }));
      await add(h, makeReply({ dialogueKey: 'A', idempotencyKey: 'a2' }));
      await add(h, makeReply({ memberId: 'm-2', dialogueKey: 'A', idempotencyKey: 'other' }));
      await add(h, makeReply({ dialogueKey: 'B', idempotencyKey: 'b1' }));
      await h.store.outboxRetry(a1, h.now + 60_000);
      const queued = await h.store.outboxQueued('m-1', 10);
      expect(labels(queued)).to.deep.equal(['a1', 'a2', 'b1']);
      expect(queued[0]).to.include({ attempts: 1, notBefore: h.now + 60_000 });
      expect(labels(await h.store.outboxQueued('m-1', 2))).to.deep.equal(['a1', 'a2']);
      expect(await h.store.outboxQueued('m-1', 0)).to.deep.equal([]);
    });

    it('forgets a delivered item: later retry or dead calls do not bring it back', async () => {
      const id = await add(h, makeReply());
      await deliver(h, id);
      await h.store.outboxRetry(id, 0);
      await h.store.outboxDead(id, 'late');
      expect(await h.store.outboxPending(10, h.now)).to.deep.equal([]);
      expect(await h.store.outboxDeadList(10)).to.deep.equal([]);
    });
  });

  describe('dead-letter retry and discard', () => {
    /** Queues a reply and dead-letters it after `attempts` retries; returns its id. */
    async function dead(reply: Parameters<typeof makeReply>[0], attempts = 2): Promise<number> {
      const id = await add(h, makeReply(reply));
      for (let i = 0; i < attempts; i++) await h.store.outboxRetry(id, h.now + 1000);
      await h.store.outboxDead(id, 'ACCESS_DENIED');
      return id;
    }

    it('retry moves a dead letter back as a fresh reply at the tail of its dialogue, keeping its key', async () => {
      const a1 = await dead({ dialogueKey: 'A', idempotencyKey: 'a1', params: '{"message":"first"}' });
      const a2 = await add(h, makeReply({ dialogueKey: 'A', idempotencyKey: 'a2' }));
      h.now += 500;
      const r = await h.store.outboxDeadRetry(a1);
      expect(r).to.deep.include({ status: 'queued' });
      const id = (r as { id: number }).id;
      expect(id).to.be.greaterThan(a2);
      expect(await h.store.outboxDeadList(10)).to.deep.equal([]);
      expect(await h.store.outboxQueued('m-1', 10)).to.deep.equal([
        { ...makeReply({ dialogueKey: 'A', idempotencyKey: 'a2' }), id: a2, attempts: 0, notBefore: 0, createdAt: h.now - 500 },
        { ...makeReply({ dialogueKey: 'A', idempotencyKey: 'a1', params: '{"message":"first"}' }), id, attempts: 0, notBefore: 0, createdAt: h.now },
      ]);
      const [claimed] = await h.store.outboxClaim({ owner: 'w', leaseMs: 1000, limit: 10 });
      expect(claimed?.idempotencyKey, 'the reply queued before the retry goes first').to.equal('a2');
    });

    it('retry is ready at once and claimable when its dialogue is empty', async () => {
      const a1 = await dead({ dialogueKey: 'A', idempotencyKey: 'a1' });
      await h.store.outboxDeadRetry(a1);
      expect(labels(await h.store.outboxClaim({ owner: 'w', leaseMs: 1000, limit: 10 }))).to.deep.equal(['a1']);
    });

    it('retry changes nothing for an unknown id or a dead letter of another portal', async () => {
      const a1 = await dead({ idempotencyKey: 'a1' });
      expect(await h.store.outboxDeadRetry(a1 + 1000)).to.equal(null);
      expect(await h.store.outboxDeadRetry(a1, 'm-2')).to.equal(null);
      expect(labels(await h.store.outboxDeadList(10))).to.deep.equal(['a1']);
      expect(await h.store.outboxQueued('m-1', 10)).to.deep.equal([]);
      expect(await h.store.outboxDeadRetry(a1, 'm-1')).to.deep.include({ status: 'queued' });
    });

    it('retry twice queues once: the second finds no dead letter', async () => {
      const a1 = await dead({ idempotencyKey: 'a1' });
      const [first, second] = await Promise.all([h.store.outboxDeadRetry(a1), h.store.outboxDeadRetry(a1)]);
      expect([first?.status ?? null, second?.status ?? null].sort()).to.deep.equal(['queued', null].sort());
      expect(labels(await h.store.outboxQueued('m-1', 10))).to.deep.equal(['a1']);
    });

    it('retry of a key delivered meanwhile adds nothing, answers delivered and removes the dead letter', async () => {
      const a1 = await dead({ idempotencyKey: 'a1' });
      await deliver(h, await add(h, makeReply({ idempotencyKey: 'a1' })), { id: 9 });
      expect(await h.store.outboxDeadRetry(a1)).to.deep.equal({ status: 'delivered', result: { id: 9 } });
      expect(await h.store.outboxQueued('m-1', 10)).to.deep.equal([]);
      expect(await h.store.outboxDeadList(10)).to.deep.equal([]);
    });

    it('retry of a key queued again adds nothing, answers pending and removes the dead letter', async () => {
      const a1 = await dead({ idempotencyKey: 'a1' });
      const again = await add(h, makeReply({ idempotencyKey: 'a1' }));
      expect(await h.store.outboxDeadRetry(a1)).to.deep.equal({ status: 'pending', id: again });
      expect(labels(await h.store.outboxQueued('m-1', 10))).to.deep.equal(['a1']);
      expect(await h.store.outboxDeadList(10)).to.deep.equal([]);
    });

    it('discard deletes only the named dead letter of the named portal', async () => {
      const a1 = await dead({ idempotencyKey: 'a1' });
      const b1 = await dead({ dialogueKey: 'B', idempotencyKey: 'b1' });
      expect(await h.store.outboxDeadDiscard(a1, 'm-2')).to.equal(false);
      expect(await h.store.outboxDeadDiscard(a1, 'm-1')).to.equal(true);
      expect(await h.store.outboxDeadDiscard(a1)).to.equal(false);
      expect(labels(await h.store.outboxDeadList(10))).to.deep.equal(['b1']);
      expect(await h.store.outboxDeadDiscard(b1)).to.equal(true);
      expect(await h.store.outboxDeadList(10)).to.deep.equal([]);
      expect(await h.store.outboxQueued('m-1', 10)).to.deep.equal([]);
    });
  });
}

