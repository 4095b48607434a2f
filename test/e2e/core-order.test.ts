import Database from 'better-sqlite3';
import { expect } from 'chai';
import path from 'node:path';
import type { MessageEvent } from '../../src/protocol/events.js';
import { SQLITE_FILE_NAME } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';
import { startStack, type Stack } from './harness.js';

const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// Issue 13: `start()` used to listen before it resumed pending events, so a new event could overtake
// older pending events of its dialogue.
describe('e2e core: pending events are resumed before anything new', function () {
  this.timeout(30_000);
  let stack: Stack | undefined;
  afterEach(async () => {
    await stack?.close();
    stack = undefined;
  });

  it('a message sent while the server restarts is answered after the older pending ones of its dialogue', async () => {
    let slowResume = false;
    // Reading what to resume takes a while (a large inbox): the window in which a new event used to slip in.
    const wrapStore = (store: Store): Store => new Proxy(store, {
      get(target, prop, receiver) {
        if (prop === 'inboxPendingMembers' || prop === 'inboxPending') {
          return async (...args: unknown[]) => {
            if (slowResume) await delay(400);
            return (Reflect.get(target, prop, receiver) as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          };
        }
        return Reflect.get(target, prop, receiver);
      },
    });
    stack = await startStack({ api: 'v2', wrapStore });
    const s = stack;
    const user = s.emu.portal.users.add({ name: 'Order' });
    await s.emu.portal.sendMessage({ from: user, to: 'echo', text: 'first' });
    await s.emu.portal.waitForMessages(1, { botCode: 'echo', dialogId: String(user) });
    await s.kit.idle();

    await s.restart({
      whileStopped: async () => {
        // Ten accepted, unhandled events of this dialogue, as a crash would leave them.
        const db = new Database(path.join(s.dataDir, SQLITE_FILE_NAME));
        const row = db.prepare<[], { payload: string; member_id: string; dialogue_key: string }>('SELECT payload, member_id, dialogue_key FROM inbox LIMIT 1').get();
        const event = JSON.parse(row!.payload) as MessageEvent;
        const add = db.prepare('INSERT INTO inbox (key, member_id, dialogue_key, payload, received_at) VALUES (?, ?, ?, ?, ?)');
        for (let i = 0; i < 10; i++) {
          const e = { ...event, message: { ...event.message, id: 9000 + i, text: `old ${i}`, originalText: `old ${i}` } };
          add.run(`pending-${i}`, row!.member_id, row!.dialogue_key, JSON.stringify(e), Date.now() + i);
        }
        db.close();
        slowResume = true;
      },
      duringStart: async () => {
        // Send as soon as the server takes connections; the platform would not re-send a refused event.
        for (let tries = 0; tries < 200; tries++) {
          const sent = await s.emu.portal.sendMessage({ from: user, to: 'echo', text: 'new' });
          if (sent.deliveries.some((d) => d.status === 200)) return;
          await delay(10);
        }
        throw new Error('the server never accepted the new message');
      },
    });
    const replies = await s.emu.portal.waitForMessages(12, { botCode: 'echo', dialogId: String(user) }, 15_000);
    expect(replies.map((m) => m.text)).to.deep.equal([
      'You said: first', ...Array.from({ length: 10 }, (_, i) => `You said: old ${i}`), 'You said: new',
    ]);
  });
});

describe('e2e core: a portal in backoff holds no slot another portal needs', function () {
  this.timeout(30_000);
  let stack: Stack | undefined;
  afterEach(async () => {
    await stack?.close();
    stack = undefined;
  });

  it('answers the other portal while every reply of the first one is refused with 503', async () => {
    // One dispatcher slot: a handler that waited for its reply to be confirmed would hold it for minutes.
    stack = await startStack({ api: 'v2', env: { DISPATCH_CONCURRENCY: '1' } });
    const slow = stack.emu.portal;
    const other = stack.emu.createPortal();
    expect((await other.install(`${stack.url}/install`)).status).to.equal(200);
    stack.emu.faults.add({ portal: slow.memberId, method: 'imbot.v2.Chat.Message.send', kind: 'status', status: 503, error: 'QUERY_LIMIT_EXCEEDED' });
    for (let i = 0; i < 5; i++) {
      const u = slow.users.add({ name: `Slow ${i}` });
      await slow.sendMessage({ from: u, to: 'echo', text: `stuck ${i}` });
    }
    await other.sendMessage({ from: 1, to: 'echo', text: 'hello' });
    const [answer] = await other.waitForMessages(1, { botCode: 'echo' }, 10_000);
    expect(answer?.text).to.equal('You said: hello');
    expect(slow.messages({ botCode: 'echo' }).filter((m) => m.text.startsWith('You said'))).to.deep.equal([]);
  });
});
