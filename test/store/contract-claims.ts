import { expect } from 'chai';
import type { InboxItem, OutboxItem } from '../../src/store/types.js';
import { add } from './contract-queues.js';
import type { Harness } from './harness.js';
import { makeInbox, makeReply } from './records.js';

const keys = (items: InboxItem[]): string[] => items.map((i) => i.key);
const labels = (items: Array<OutboxItem | null>): Array<string | null> => items.map((i) => i?.idempotencyKey ?? null);
const A = { owner: 'A', leaseMs: 1000 };
const B = { owner: 'B', leaseMs: 1000 };

/** Claims and leases on both queues, atomic delivery, remembered keys: the seams a cluster store implements. */
export function claimContract(h: Harness): void {
  describe('inbox claims', () => {
    const event = (key: string, dialogueKey: string, memberId = 'm-1'): InboxItem =>
      makeInbox({ key, dialogueKey, memberId, receivedAt: Number(key.replace(/\D/g, '')) });

    it('claims oldest first, up to the limit, and never hands out a live lease twice', async () => {
      for (const k of ['e1', 'e2', 'e3']) await h.store.inboxAdd(event(k, `d${k}`));
      expect(keys(await h.store.inboxClaim({ ...A, limit: 2 }))).to.deep.equal(['e1', 'e2']);
      expect(keys(await h.store.inboxClaim({ ...B, limit: 10 }))).to.deep.equal(['e3']);
      expect(await h.store.inboxClaim({ ...A, limit: 10 })).to.deep.equal([]);
    });

    it('keeps dialogue order across owners: nothing after an event another owner holds', async () => {
      await h.store.inboxAdd(event('e1', 'x'));
      await h.store.inboxAdd(event('e2', 'x'));
      await h.store.inboxAdd(event('e3', 'y'));
      expect(keys(await h.store.inboxClaim({ ...A, limit: 1 }))).to.deep.equal(['e1']);
      expect(keys(await h.store.inboxClaim({ ...B, limit: 10 }))).to.deep.equal(['e3']);
      // The holder itself may take the rest of its dialogue: it runs them in order.
      expect(keys(await h.store.inboxClaim({ ...A, limit: 10 }))).to.deep.equal(['e2']);
    });

    it('lets another owner take over an expired lease, in order', async () => {
      await h.store.inboxAdd(event('e1', 'x'));
      await h.store.inboxAdd(event('e2', 'x'));
      await h.store.inboxClaim({ ...A, limit: 1 });
      h.now += 999;
      expect(await h.store.inboxClaim({ ...B, limit: 10 })).to.deep.equal([]);
      h.now += 1;
      expect(keys(await h.store.inboxClaim({ ...B, limit: 10 }))).to.deep.equal(['e1', 'e2']);
    });

    it('stores an item already leased when inboxAdd is given a lease', async () => {
      await h.store.inboxAdd(event('e1', 'x'), A);
      await h.store.inboxAdd(event('e2', 'x'));
      expect(await h.store.inboxClaim({ ...B, limit: 10 })).to.deep.equal([]);
      expect(keys(await h.store.inboxClaim({ ...A, limit: 10 }))).to.deep.equal(['e2']);
      expect(keys(await h.store.inboxPending(10))).to.deep.equal(['e1', 'e2']);
    });

    it('claims one portal only when asked, and lists the portals with pending events', async () => {
      await h.store.inboxAdd(event('e1', 'x', 'm-1'));
      await h.store.inboxAdd(event('e2', 'x', 'm-2'));
      await h.store.inboxAdd(event('e3', 'y', 'm-2'));
      expect((await h.store.inboxPendingMembers()).sort()).to.deep.equal(['m-1', 'm-2']);
      expect(await h.store.inboxPendingCount()).to.equal(3);
      expect(keys(await h.store.inboxClaim({ ...A, limit: 10, memberId: 'm-2' }))).to.deep.equal(['e2', 'e3']);
      await h.store.inboxDone('e1');
      expect(await h.store.inboxPendingMembers()).to.deep.equal(['m-2']);
      expect(await h.store.inboxPendingCount()).to.equal(2);
    });

    it('releases one owner\'s leases, or every lease, so the events can be claimed at once', async () => {
      await h.store.inboxAdd(event('e1', 'x'), A);
      await h.store.inboxAdd(event('e2', 'y'), B);
      expect(await h.store.inboxRelease('A')).to.equal(1);
      expect(keys(await h.store.inboxClaim({ ...B, limit: 10 }))).to.deep.equal(['e1']);
      expect(await h.store.inboxRelease()).to.equal(2);
      expect(keys(await h.store.inboxClaim({ ...A, limit: 10 }))).to.deep.equal(['e1', 'e2']);
    });

    it('drops the lease of a done event; done is idempotent', async () => {
      await h.store.inboxAdd(event('e1', 'x'), A);
      await h.store.inboxAdd(event('e2', 'x'));
      await h.store.inboxDone('e1');
      await h.store.inboxDone('e1');
      expect(keys(await h.store.inboxClaim({ ...B, limit: 10 }))).to.deep.equal(['e2']);
      expect(await h.store.inboxRelease()).to.equal(1);
    });
  });

  describe('outbox claims and delivery', () => {
    it('claims ready heads once, one per dialogue, capped per portal and skipping portals', async () => {
      await add(h, makeReply({ memberId: 'm-1', dialogueKey: 'a', idempotencyKey: 'a1' }));
      await add(h, makeReply({ memberId: 'm-1', dialogueKey: 'a', idempotencyKey: 'a2' }));
      await add(h, makeReply({ memberId: 'm-1', dialogueKey: 'b', idempotencyKey: 'b1' }));
      await add(h, makeReply({ memberId: 'm-2', dialogueKey: 'a', idempotencyKey: 'c1' }));
      expect(labels(await h.store.outboxClaim({ ...A, limit: 10, perMember: 1, skipMembers: ['m-2'] }))).to.deep.equal(['a1']);
      expect(labels(await h.store.outboxClaim({ ...A, limit: 10 }))).to.deep.equal(['b1', 'c1']);
      expect(await h.store.outboxClaim({ ...B, limit: 10 })).to.deep.equal([]);
    });

    it('lets another owner take an expired lease; a retry drops the lease until notBefore', async () => {
      const id = await add(h, makeReply({ idempotencyKey: 'r1' }));
      await h.store.outboxClaim({ ...A, limit: 10 });
      h.now += 1000;
      expect(labels(await h.store.outboxClaim({ ...B, limit: 10 }))).to.deep.equal(['r1']);
      await h.store.outboxRetry(id, h.now + 50);
      expect(await h.store.outboxClaim({ ...A, limit: 10 })).to.deep.equal([]);
      h.now += 50;
      const [again] = await h.store.outboxClaim({ ...A, limit: 10 });
      expect(again).to.include({ idempotencyKey: 'r1', attempts: 1 });
    });

    it('claims a new reply at add time only when it heads its dialogue', async () => {
      const first = await h.store.outboxAdd(makeReply({ idempotencyKey: 'k1' }), A);
      const second = await h.store.outboxAdd(makeReply({ idempotencyKey: 'k2' }), A);
      expect(first).to.include({ status: 'queued', claimed: true });
      expect(second).to.include({ status: 'queued', claimed: false });
      expect(await h.store.outboxClaim({ ...B, limit: 10 })).to.deep.equal([]);
    });

    it('completes a delivery in one write: removed, key remembered with its result, next head claimed', async () => {
      await h.store.outboxAdd(makeReply({ idempotencyKey: 'k1' }), A);
      await h.store.outboxAdd(makeReply({ idempotencyKey: 'k2' }));
      const [head] = await h.store.outboxPending(10, h.now);
      const next = await h.store.outboxDelivered(head!, { messageId: 5 }, A);
      expect(labels([next])).to.deep.equal(['k2']);
      expect(await h.store.outboxSent('k1')).to.deep.equal({ result: { messageId: 5 } });
      expect(await h.store.outboxClaim({ ...B, limit: 10 })).to.deep.equal([]);
      expect(await h.store.outboxDelivered(next!, null)).to.equal(null);
      expect(await h.store.outboxPending(10, h.now)).to.deep.equal([]);
      expect(await h.store.outboxSent('k2')).to.deep.equal({ result: null });
    });

    it('does not claim a next head that waits for its retry', async () => {
      const a1 = await add(h, makeReply({ idempotencyKey: 'a1' }));
      const a2 = await add(h, makeReply({ idempotencyKey: 'a2' }));
      await h.store.outboxRetry(a2, h.now + 100);
      const [head] = await h.store.outboxPending(10, h.now);
      expect(head?.id).to.equal(a1);
      expect(await h.store.outboxDelivered(head!, 1, A)).to.equal(null);
    });

    it('refuses a key that is queued or was delivered, without adding anything', async () => {
      const id = await add(h, makeReply({ idempotencyKey: 'k1' }));
      expect(await h.store.outboxAdd(makeReply({ idempotencyKey: 'k1', dialogueKey: 'other' }))).to.deep.equal({ status: 'pending', id });
      const [head] = await h.store.outboxPending(10, h.now);
      await h.store.outboxDelivered(head!, 'result');
      expect(await h.store.outboxAdd(makeReply({ idempotencyKey: 'k1' }))).to.deep.equal({ status: 'delivered', result: 'result' });
      expect(await h.store.outboxPending(10, h.now)).to.deep.equal([]);
    });

    it('dead-letters in one write and claims the next head', async () => {
      const a1 = await add(h, makeReply({ idempotencyKey: 'a1' }));
      await add(h, makeReply({ idempotencyKey: 'a2' }));
      expect(labels([await h.store.outboxDead(a1, 'ACCESS_DENIED', A)])).to.deep.equal(['a2']);
      expect(await h.store.outboxDead(a1, 'again')).to.equal(null);
      expect(labels(await h.store.outboxDeadList(10))).to.deep.equal(['a1']);
      expect(await h.store.outboxClaim({ ...B, limit: 10 })).to.deep.equal([]);
    });

    it('releases leases by owner or all', async () => {
      await h.store.outboxAdd(makeReply({ dialogueKey: 'a', idempotencyKey: 'a1' }), A);
      await h.store.outboxAdd(makeReply({ dialogueKey: 'b', idempotencyKey: 'b1' }), B);
      expect(await h.store.outboxRelease('B')).to.equal(1);
      expect(labels(await h.store.outboxClaim({ ...A, limit: 10 }))).to.deep.equal(['b1']);
      expect(await h.store.outboxRelease()).to.equal(2);
    });

    it('prunes remembered keys by age; a pruned key may be queued again', async () => {
      const old = await add(h, makeReply({ dialogueKey: 'a', idempotencyKey: 'old' }));
      await h.store.outboxDelivered((await h.store.outboxPending(10, h.now)).find((i) => i.id === old)!, 1);
      const cutoff = h.now + 1;
      h.now += 10;
      const recent = await add(h, makeReply({ dialogueKey: 'b', idempotencyKey: 'recent' }));
      await h.store.outboxDelivered((await h.store.outboxPending(10, h.now)).find((i) => i.id === recent)!, 2);
      expect(await h.store.outboxPrune(cutoff)).to.equal(1);
      expect(await h.store.outboxSent('old')).to.equal(null);
      expect(await h.store.outboxSent('recent')).to.deep.equal({ result: 2 });
      expect((await h.store.outboxAdd(makeReply({ idempotencyKey: 'old' }))).status).to.equal('queued');
    });
  });
}
