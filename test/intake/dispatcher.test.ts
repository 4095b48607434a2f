import { expect } from 'chai';
import { Dispatcher } from '../../src/intake/dispatcher.js';
import { createLogger } from '../../src/log.js';
import type { BotEvent } from '../../src/protocol/events.js';
import { messageEvent } from '../helpers/events.js';

const log = createLogger({ silent: true });

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('intake/dispatcher', () => {
  it('handles one dialogue in arrival order, one at a time', async () => {
    const seen: string[] = [];
    let running = 0;
    let maxRunning = 0;
    const d = new Dispatcher({
      concurrency: 8, log, done: async () => undefined,
      handle: async (e) => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        await new Promise((r) => setImmediate(r));
        seen.push(e.type === 'message' ? e.message.text : '');
        running--;
      },
    });
    for (let i = 0; i < 20; i++) d.push(`k${i}`, messageEvent(`m${i}`));
    await d.idle();
    expect(seen).to.deep.equal(Array.from({ length: 20 }, (_, i) => `m${i}`));
    expect(maxRunning).to.equal(1);
  });

  it('runs different dialogues concurrently up to the bound', async () => {
    const gate = deferred();
    let running = 0;
    let maxRunning = 0;
    const d = new Dispatcher({
      concurrency: 3, perPortal: 3, log, done: async () => undefined,
      handle: async () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        await gate.promise;
        running--;
      },
    });
    for (let i = 0; i < 6; i++) {
      d.push(`k${i}`, messageEvent('x', { chat: { id: i, dialogId: String(i), kind: 'private', title: '' } }));
    }
    await new Promise((r) => setImmediate(r));
    expect(running).to.equal(3);
    gate.resolve();
    await d.idle();
    expect(maxRunning).to.equal(3);
  });

  it('keeps going after a handler throws, marks the event done, and logs type and portal', async () => {
    const lines: string[] = [];
    const { Writable } = await import('node:stream');
    const stream = new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk)); cb(); } });
    const done: string[] = [];
    const d = new Dispatcher({
      concurrency: 2, log: createLogger({ stream }), done: async (k) => void done.push(k),
      handle: async (e: BotEvent) => {
        if (e.type === 'message' && e.message.text === 'boom') throw new Error('handler broke');
      },
    });
    d.push('a', messageEvent('boom'));
    d.push('b', messageEvent('fine'));
    await d.idle();
    expect(done).to.deep.equal(['a', 'b']);
    const failure = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l['msg'] === 'bot handler failed');
    expect(failure).to.include({ type: 'message', memberId: 'm1', level: 50 });
  });

  it('ignores a key that is already queued', async () => {
    let count = 0;
    const d = new Dispatcher({ concurrency: 1, log, done: async () => undefined, handle: async () => void count++ });
    d.push('same', messageEvent('a'));
    d.push('same', messageEvent('a'));
    await d.idle();
    expect(count).to.equal(1);
  });

  it('keeps slots for other portals while one portal is slow', async () => {
    const stuck = deferred();
    const handled: string[] = [];
    const d = new Dispatcher({
      concurrency: 4, log, done: async () => undefined,
      handle: async (e) => {
        if (e.memberId === 'slow') await stuck.promise;
        handled.push(e.memberId);
      },
    });
    for (let i = 0; i < 8; i++) d.push(`s${i}`, messageEvent('x', { memberId: 'slow', chat: { id: i, dialogId: String(i), kind: 'private', title: '' } }));
    d.push('fast', messageEvent('x', { memberId: 'fast' }));
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(handled).to.deep.equal(['fast']);
    stuck.resolve();
    await d.idle();
    expect(handled.filter((m) => m === 'slow')).to.have.length(8);
  });
});
