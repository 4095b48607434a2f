import { expect } from 'chai';
import type { Harness } from './harness.js';
import { expectCode, rejection } from './harness.js';

/** Versioned state with expiry, and fetch offsets. */
export function stateContract(h: Harness): void {
  describe('state', () => {
    it('creates with expectedVersion 0 and counts versions up from 1', async () => {
      expect(await h.store.getState('k', h.now)).to.equal(null);
      expect(await h.store.setState('k', { step: 'ask' }, 0, null)).to.equal(1);
      expect(await h.store.getState('k', h.now)).to.deep.equal({ value: { step: 'ask' }, version: 1, expiresAt: null });
      expect(await h.store.setState('k', { step: 'done' }, 1, null)).to.equal(2);
      expect(await h.store.getState('k', h.now)).to.deep.equal({ value: { step: 'done' }, version: 2, expiresAt: null });
    });

    it('returns null on a version conflict and keeps the stored value', async () => {
      await h.store.setState('k', 'first', 0, null);
      await h.store.setState('k', 'second', 1, null);
      expect(await h.store.setState('k', 'stale', 1, null)).to.equal(null);
      expect(await h.store.setState('k', 'create again', 0, null)).to.equal(null);
      expect(await h.store.setState('missing', 'x', 1, null)).to.equal(null);
      expect(await h.store.getState('k', h.now)).to.include({ value: 'second', version: 2 });
      expect(await h.store.getState('missing', h.now)).to.equal(null);
    });

    it('lets exactly one of two concurrent writers of the same version win', async () => {
      await h.store.setState('k', 0, 0, null);
      const results = await Promise.all([h.store.setState('k', 'a', 1, null), h.store.setState('k', 'b', 1, null)]);
      expect(results.filter((r) => r === 2)).to.have.length(1);
      expect(results.filter((r) => r === null)).to.have.length(1);
    });

    it('hides a row once now reaches expiresAt', async () => {
      await h.store.setState('k', 'v', 0, h.now + 100);
      expect(await h.store.getState('k', h.now + 99)).to.deep.equal({ value: 'v', version: 1, expiresAt: h.now + 100 });
      expect(await h.store.getState('k', h.now + 100)).to.equal(null);
    });

    it('treats an expired row as absent for writes, continuing its version', async () => {
      await h.store.setState('k', 'v1', 0, h.now + 100);
      h.now += 100;
      expect(await h.store.setState('k', 'stale writer', 1, null)).to.equal(null);
      expect(await h.store.setState('k', 'v2', 0, h.now + 50)).to.equal(2);
      expect(await h.store.getState('k', h.now)).to.deep.equal({ value: 'v2', version: 2, expiresAt: h.now + 50 });
    });

    it('does not let a create overwrite a row that has not expired yet', async () => {
      await h.store.setState('k', 'v1', 0, h.now + 100);
      h.now += 99;
      expect(await h.store.setState('k', 'early', 0, null)).to.equal(null);
      expect(await h.store.setState('k', 'v2', 1, null)).to.equal(2);
    });

    it('deleteState forgets the key, so versions start again at 1', async () => {
      await h.store.setState('k', 'v', 0, null);
      await h.store.deleteState('k');
      await h.store.deleteState('never-there');
      expect(await h.store.getState('k', h.now)).to.equal(null);
      expect(await h.store.setState('k', 'again', 0, null)).to.equal(1);
    });

    it('stores JSON: values round-trip as JSON and are copied in and out', async () => {
      const value = { n: 1.5, s: 'текст ✓', list: [1, null, { deep: true }], at: new Date(0) };
      await h.store.setState('k', value, 0, null);
      value.list.push(99);
      const read = await h.store.getState<{ list: unknown[] }>('k', h.now);
      read?.value.list.push('mutated');
      const again = await h.store.getState('k', h.now);
      expect(again?.value).to.deep.equal({ n: 1.5, s: 'текст ✓', list: [1, null, { deep: true }], at: '1970-01-01T00:00:00.000Z' });
      await h.store.setState('null', null, 0, null);
      expect(await h.store.getState('null', h.now)).to.deep.equal({ value: null, version: 1, expiresAt: null });
    });

    it('rejects values JSON cannot hold with STORE_VALUE_INVALID and stores nothing', async () => {
      const cyclic: Record<string, unknown> = {};
      cyclic['self'] = cyclic;
      expectCode(await rejection(h.store.setState('k', undefined, 0, null)), 'STORE_VALUE_INVALID');
      expectCode(await rejection(h.store.setState('k', cyclic, 0, null)), 'STORE_VALUE_INVALID');
      expectCode(await rejection(h.store.setState('k', 10n, 0, null)), 'STORE_VALUE_INVALID');
      expect(await h.store.getState('k', h.now)).to.equal(null);
    });
  });

  describe('offsets', () => {
    it('reads 0 when none is stored and the last stored value otherwise, per portal and bot', async () => {
      expect(await h.store.getOffset('m-1', 45)).to.equal(0);
      await h.store.setOffset('m-1', 45, 10);
      await h.store.setOffset('m-1', 45, 12);
      await h.store.setOffset('m-1', 46, 3);
      await h.store.setOffset('m-2', 45, 7);
      expect(await h.store.getOffset('m-1', 45)).to.equal(12);
      expect(await h.store.getOffset('m-1', 46)).to.equal(3);
      expect(await h.store.getOffset('m-2', 45)).to.equal(7);
    });
  });
}
