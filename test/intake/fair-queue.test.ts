import { expect } from 'chai';
import { FairQueue } from '../../src/intake/fair-queue.js';

/** A task that runs until released, recording when it started. */
function gate(log: string[], name: string): { task: () => Promise<string>; release: () => void } {
  let release = (): void => undefined;
  const done = new Promise<void>((r) => (release = r));
  return { task: async () => (log.push(name), await done, name), release: () => release() };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('intake/fair-queue', () => {
  it('runs at most perKey tasks of a key, FIFO; other keys never wait for it', async () => {
    const q = new FairQueue(2);
    const log: string[] = [];
    const hang = Array.from({ length: 5 }, (_, i) => gate(log, `hang${i}`));
    const hanging = hang.map((g) => q.run('hanging.example', g.task));
    const other = gate(log, 'other');
    const otherDone = q.run('other.example', other.task);
    await tick();
    expect(log).to.deep.equal(['hang0', 'hang1', 'other']);
    expect([q.running, q.waiting]).to.deep.equal([3, 3]);
    other.release();
    expect(await otherDone).to.equal('other');
    hang[1]?.release();
    await tick();
    expect(log).to.deep.equal(['hang0', 'hang1', 'other', 'hang2']);
    for (const g of hang) g.release();
    expect(await Promise.all(hanging)).to.deep.equal(['hang0', 'hang1', 'hang2', 'hang3', 'hang4']);
    expect([q.running, q.waiting]).to.deep.equal([0, 0]);
  });

  it('frees the slot of a task that fails, even synchronously', async () => {
    const q = new FairQueue(1);
    const boom = (): Promise<string> => {
      throw new Error('sync');
    };
    const results = await Promise.allSettled([q.run('k', boom), q.run('k', () => Promise.reject(new Error('async'))), q.run('k', async () => 'ok')]);
    expect(results.map((r) => r.status)).to.deep.equal(['rejected', 'rejected', 'fulfilled']);
    expect([q.running, q.waiting]).to.deep.equal([0, 0]);
  });
});
