/**
 * Issue 13 end-to-end goals, on the real server and emulator over loopback:
 * - store round trips per echo reply (a counting wrapper around the SQLite store), target ≤ 5;
 * - a 5,000-dialogue backlog of one portal whose bucket is no constraint drains at ≥ 200 replies/s, while
 *   another portal's message is answered within 3 s.
 */
import type { Store } from '../../src/store/types.js';
import { startStack } from '../e2e/harness.js';
import { quick, round, type BenchResult } from './result.js';

const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Wraps a store so that every method call is counted by name. */
function counting(store: Store, counts: Map<string, number>): Store {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function' || prop === 'close') return value;
      return (...args: unknown[]) => {
        counts.set(String(prop), (counts.get(String(prop)) ?? 0) + 1);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

async function roundTrips(): Promise<BenchResult[]> {
  const counts = new Map<string, number>();
  const stack = await startStack({ api: 'v2', wrapStore: (s) => counting(s, counts) });
  try {
    const portal = stack.emu.portal;
    const users = Array.from({ length: 21 }, (_, i) => portal.users.add({ name: `U${i}` }));
    // Warm up (first event of a portal reads what later ones reuse), then count 20 echo replies.
    await portal.sendMessage({ from: users[20]!, to: 'echo', text: 'warm' });
    await portal.waitForMessages(1, { botCode: 'echo' }, 10_000);
    await stack.kit.idle();
    counts.clear();
    for (let i = 0; i < 20; i++) {
      await portal.sendMessage({ from: users[i]!, to: 'echo', text: `hi ${i}` });
      await portal.waitForMessages(i + 2, { botCode: 'echo' }, 10_000);
      await stack.kit.idle();
    }
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    const perReply = total / 20;
    const detail = [...counts].sort((a, b) => b[1] - a[1]).map(([m, n]) => `${m} ${round(n / 20, 2)}`).join(', ');
    return [{ bench: 'store round trips per echo reply (20 replies, SQLite)', metric: detail, value: round(perReply, 2), unit: 'calls', target: '≤ 5', ok: perReply <= 5 }];
  } finally {
    await stack.close();
  }
}

async function backlog(): Promise<BenchResult[]> {
  const dialogues = quick() ? 2000 : 5000;
  const stack = await startStack({ api: 'v2', env: { B24_RATE_LIMIT: '100000/100000' } });
  try {
    const busy = stack.emu.portal;
    const other = stack.emu.createPortal();
    if ((await other.install(`${stack.url}/install`)).status !== 200) throw new Error('second install failed');
    const users = Array.from({ length: dialogues }, (_, i) => busy.users.add({ name: `B${i}` }));
    // Count posted replies from the wire (one send, or the commands of a batch), not by listing messages.
    let answered = 0;
    let lastReplyAt = 0;
    busy.onRequest((r) => {
      if (r.status !== 200) return;
      const n = r.method === 'imbot.v2.Chat.Message.send' ? 1 : r.method === 'batch' ? (r.batchSize ?? 0) : 0;
      if (n > 0) lastReplyAt = performance.now();
      answered += n;
    });
    const t0 = performance.now();
    let otherMs = -1;
    for (let i = 0; i < dialogues; i += 100) {
      await Promise.all(users.slice(i, i + 100).map((u) => busy.sendMessage({ from: u, to: 'echo', text: 'backlog' })));
      if (i === Math.floor(dialogues / 5 / 100) * 100) {
        // A fifth of the backlog is in: another portal's user writes.
        const sent = performance.now();
        void other.sendMessage({ from: 1, to: 'echo', text: 'me too' })
          .then(() => other.waitForMessages(1, { botCode: 'echo' }, 60_000))
          .then(() => void (otherMs = performance.now() - sent));
      }
    }
    const sentAt = performance.now();
    const atSent = answered;
    const deadline = sentAt + 300_000;
    while (answered < dialogues && performance.now() < deadline) await delay(20);
    const total = (lastReplyAt - t0) / 1000;
    const drainS = (lastReplyAt - sentAt) / 1000;
    const rate = answered / total;
    const drainRate = drainS > 0 ? (answered - atSent) / drainS : Infinity;
    const sentS = (sentAt - t0) / 1000;
    const bench = `backlog of ${dialogues.toLocaleString('en')} dialogues of one portal, bucket no constraint (events sent in ${round(sentS, 1)} s)`;
    return [
      { bench, metric: 'replies per second (first event to last reply)', value: round(rate, 0), unit: 'replies/s' },
      { bench, metric: `drain after the last event was accepted (${answered - atSent} replies left)`, value: round(drainRate, 0), unit: 'replies/s', target: '≥ 200', ok: drainRate >= 200 },
      { bench, metric: 'another portal\'s message answered after', value: round(otherMs / 1000, 2), unit: 's', target: '< 3', ok: otherMs >= 0 && otherMs < 3000 },
    ];
  } finally {
    await stack.close();
  }
}

/** Runs the end-to-end core benchmarks. */
export async function run(): Promise<BenchResult[]> {
  return [...(await roundTrips()), ...(await backlog())];
}
