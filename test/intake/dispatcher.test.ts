import { expect } from 'chai';
import { Writable } from 'node:stream';
import { BotkitError } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';
import { dialogueKey, type BotEvent } from '../../src/protocol/events.js';
import { createMemoryStore } from '../../src/store/memory.js';
import { messageEvent } from '../helpers/events.js';
import { dispatchRig } from './dispatch-rig.js';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const inChat = (i: number, memberId = 'm1'): BotEvent =>
  messageEvent('x', { memberId, chat: { id: i, dialogId: String(i), kind: 'private', title: '' } });
const textOf = (e: BotEvent): string => (e.type === 'message' ? e.message.text : '');
const turns = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('intake/dispatcher', () => {
  it('handles one dialogue in arrival order, one at a time', async () => {
    const seen: string[] = [];
    let running = 0;
    let maxRunning = 0;
    const { d, push } = dispatchRig({
      concurrency: 8,
      handle: async (e) => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        await turns();
        seen.push(textOf(e));
        running--;
      },
    });
    for (let i = 0; i < 20; i++) void push(`k${i}`, messageEvent(`m${i}`));
    await turns();
    await d.idle();
    expect(seen).to.deep.equal(Array.from({ length: 20 }, (_, i) => `m${i}`));
    expect(maxRunning).to.equal(1);
  });

  it('runs different dialogues concurrently up to the bound', async () => {
    const gate = deferred();
    let running = 0;
    let maxRunning = 0;
    const { d, push } = dispatchRig({
      concurrency: 3, perPortal: 3,
      handle: async () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        await gate.promise;
        running--;
      },
    });
    await Promise.all(Array.from({ length: 6 }, (_, i) => push(`k${i}`, inChat(i))));
    expect(running).to.equal(3);
    gate.resolve();
    await d.idle();
    expect(maxRunning).to.equal(3);
  });

  it('keeps going after a handler throws, marks the event done, and logs type and portal', async () => {
    const lines: string[] = [];
    const stream = new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk)); cb(); } });
    const { d, push, store } = dispatchRig({
      concurrency: 2, log: createLogger({ stream }),
      handle: async (e: BotEvent) => {
        if (textOf(e) === 'boom') throw new Error('handler broke');
      },
    });
    await push('a', messageEvent('boom'));
    await push('b', messageEvent('fine'));
    await d.idle();
    expect(await store.inboxPending(10)).to.deep.equal([]);
    const failure = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l['msg'] === 'bot handler failed');
    expect(failure).to.include({ type: 'message', memberId: 'm1', level: 50 });
  });

  it('runs a handler that failed with STORE_UNAVAILABLE (even as a cause) again, its dialogue waiting, and only then marks it done', async () => {
    const runs: string[] = [];
    let failures = 3;
    const { d, push, store } = dispatchRig({
      concurrency: 2, storeRetry: { baseMs: 1, maxMs: 5 },
      handle: async (e: BotEvent, key: string) => {
        runs.push(`${key}:${textOf(e)}`);
        if (key === 'a' && failures-- > 0) {
          const down = new BotkitError('STORE_UNAVAILABLE', 'The database cannot be reached');
          throw failures === 1 ? new Error('reply not queued', { cause: down }) : down;
        }
      },
    });
    await push('a', messageEvent('first'));
    await push('b', messageEvent('second'));
    await d.idle();
    expect(runs).to.deep.equal(['a:first', 'a:first', 'a:first', 'a:first', 'b:second']);
    expect(await store.inboxPending(10)).to.deep.equal([]);
  });

  it('refuses a key seen before, queued or handled', async () => {
    let count = 0;
    const { d, push } = dispatchRig({ concurrency: 1, handle: async () => void count++ });
    expect(await push('same', messageEvent('a'))).to.equal(true);
    expect(await push('same', messageEvent('a'))).to.equal(false);
    await d.idle();
    expect(await push('same', messageEvent('a'))).to.equal(false);
    expect(count).to.equal(1);
  });

  it('keeps slots for other portals while one portal is slow', async () => {
    const stuck = deferred();
    const handled: string[] = [];
    const { d, push } = dispatchRig({
      concurrency: 4,
      handle: async (e) => {
        if (e.memberId === 'slow') await stuck.promise;
        handled.push(e.memberId);
      },
    });
    await Promise.all(Array.from({ length: 8 }, (_, i) => push(`s${i}`, inChat(i, 'slow'))));
    await push('fast', inChat(0, 'fast'));
    await turns();
    expect(handled).to.deep.equal(['fast']);
    stuck.resolve();
    await d.idle();
    expect(handled.filter((m) => m === 'slow')).to.have.length(8);
  });

  it('serves portals round-robin: a portal with a backlog does not delay a newcomer by its backlog', async () => {
    const order: string[] = [];
    const gate = deferred();
    const { d, push } = dispatchRig({
      concurrency: 2, perPortal: 2,
      handle: async (e) => {
        await gate.promise;
        order.push(e.memberId);
      },
    });
    await Promise.all(Array.from({ length: 10 }, (_, i) => push(`a${i}`, inChat(i, 'busy'))));
    await push('b0', inChat(0, 'new'));
    gate.resolve();
    await d.idle();
    expect(order.indexOf('new')).to.be.below(4);
  });
});

describe('intake/dispatcher: regressions', () => {
  it('keeps running a portal whose record emptied while inbox writes of its next events were in flight', async () => {
    // Found by the backlog bench: the portal's record was dropped when its last job finished, the writes
    // in flight then queued into the dropped record, and its running count never went down again.
    const store = createMemoryStore();
    const held: Array<() => void> = [];
    const slowAdds = new Proxy(store, {
      get(target, prop, receiver) {
        if (prop !== 'inboxAdd') return Reflect.get(target, prop, receiver);
        return async (...args: Parameters<typeof store.inboxAdd>) => {
          if (args[0].key !== 'first') await new Promise<void>((r) => held.push(r));
          return target.inboxAdd(...args);
        };
      },
    });
    const seen: string[] = [];
    const firstDone = deferred();
    const gate = deferred();
    const rig = dispatchRig({
      store: slowAdds, concurrency: 1, perPortal: 1,
      handle: async (e) => {
        if (textOf(e) === 'first') await gate.promise;
        seen.push(textOf(e));
        if (textOf(e) === 'first') firstDone.resolve();
      },
    });
    await rig.push('first', messageEvent('first'));
    // The next events are being written while the first one still runs; then it finishes.
    const later = ['second', 'third'].map((k, i) => rig.push(k, messageEvent(k, { chat: { id: 50 + i, dialogId: String(50 + i), kind: 'private', title: '' } })));
    gate.resolve();
    await firstDone.promise;
    await turns();
    for (const release of held) release();
    await Promise.all(later);
    await rig.d.idle();
    expect(seen).to.deep.equal(['first', 'second', 'third']);
  });
});

describe('intake/dispatcher: backlogs stay in the inbox', () => {
  it('holds at most maxBuffered events in memory, runs every event once, in order per dialogue', async () => {
    const seen = new Map<string, string[]>();
    let peak = 0;
    const rig = dispatchRig({
      concurrency: 4, perPortal: 4, maxBuffered: 10, pageSize: 4,
      handle: async (e) => {
        peak = Math.max(peak, rig.queue.pending - rig.queue.stored);
        await turns();
        const list = seen.get(e.chat.dialogId) ?? [];
        list.push(textOf(e));
        seen.set(e.chat.dialogId, list);
      },
    });
    const pushes: Array<Promise<boolean>> = [];
    for (let n = 0; n < 30; n++) {
      for (let c = 0; c < 5; c++) {
        pushes.push(rig.push(`k${c}-${n}`, messageEvent(String(n), { chat: { id: c, dialogId: String(c), kind: 'private', title: '' } })));
      }
    }
    await Promise.all(pushes);
    await rig.d.idle();
    expect(peak).to.be.at.most(10);
    for (let c = 0; c < 5; c++) expect(seen.get(String(c))).to.deep.equal(Array.from({ length: 30 }, (_, n) => String(n)));
    expect(await rig.store.inboxPendingCount()).to.equal(0);
  });

  it('resumes every pending event of a restart, however many, before new ones of the same dialogue', async () => {
    const first = dispatchRig({ concurrency: 2, handle: async () => undefined });
    const seen: string[] = [];
    for (let n = 0; n < 50; n++) {
      const e = messageEvent(`old${n}`);
      await first.store.inboxAdd({ key: `old${n}`, memberId: e.memberId, dialogueKey: dialogueKey(e), payload: JSON.stringify(e), receivedAt: n });
    }
    // An earlier process held some of them when it died.
    await first.store.inboxClaim({ owner: 'dead-process', leaseMs: 3_600_000, limit: 5 });
    const rig = dispatchRig({ store: first.store, concurrency: 2, maxBuffered: 8, pageSize: 8, handle: async (e) => void seen.push(textOf(e)) });
    expect(await rig.queue.start()).to.equal(50);
    await rig.push('new', messageEvent('new'));
    await rig.d.idle();
    expect(seen).to.deep.equal([...Array.from({ length: 50 }, (_, n) => `old${n}`), 'new']);
  });
});
