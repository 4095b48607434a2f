import { expect } from 'chai';
import { GroupCommit } from '../../src/store/group-commit.js';

describe('store/group-commit', () => {
  it('runs the writes of one turn as one batch and gives each caller its own result', async () => {
    const batches: number[][] = [];
    const g = new GroupCommit<number, number>((xs) => {
      batches.push([...xs]);
      return xs.map((x) => x * 10);
    });
    const results = await Promise.all([g.submit(1), g.submit(2), g.submit(3)]);
    expect(results).to.deep.equal([10, 20, 30]);
    expect(await g.submit(4)).to.equal(40);
    expect(batches).to.deep.equal([[1, 2, 3], [4]]);
  });

  it('rejects every caller of a failed batch, and flush() runs what is queued at once', async () => {
    const g = new GroupCommit<number, number>(() => {
      throw new Error('SQLITE_FULL');
    });
    const outcomes = await Promise.allSettled([g.submit(1), g.submit(2)]);
    expect(outcomes.map((o) => o.status)).to.deep.equal(['rejected', 'rejected']);
    const ok = new GroupCommit<number, number>((xs) => xs.map((x) => x + 1));
    const pending = ok.submit(1);
    ok.flush();
    expect(await pending).to.equal(2);
  });
});
