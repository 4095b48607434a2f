import { expect } from 'chai';
import { Lane } from '../../src/rest/lane.js';
import { LaneRegistry } from '../../src/rest/lanes.js';
import { parseRetryAfter } from '../../src/rest/transport.js';
import { clientBurst, createBottleneckBucket, createTokenBucket, parseRateLimit } from '../../src/rest/limiter.js';

const fallback = { rate: 2, burst: 50 };
/** A few real timer turns: long enough for a bucket's pump to run several times. */
const turns = (): Promise<void> => new Promise((r) => setTimeout(r, 15));

function tracked<T>(p: Promise<T>): { p: Promise<T>; done: () => boolean } {
  let settled = false;
  p.then(() => (settled = true), () => (settled = true));
  return { p, done: () => settled };
}

describe('rest limiter', () => {
  it('parses per-portal overrides and falls back on junk', () => {
    expect(parseRateLimit(null, fallback)).to.equal(fallback);
    expect(parseRateLimit('enterprise', fallback)).to.deep.equal({ rate: 5, burst: 250 });
    expect(parseRateLimit('standard', fallback)).to.deep.equal({ rate: 2, burst: 50 });
    expect(parseRateLimit('20/50', fallback)).to.deep.equal({ rate: 20, burst: 50 });
    expect(parseRateLimit('0/50', fallback)).to.equal(fallback);
    expect(parseRateLimit('fast', fallback)).to.equal(fallback);
  });

  it('keeps headroom below the portal burst (about 100 ms of drain, at least one request)', () => {
    expect(clientBurst({ rate: 2, burst: 50 })).to.equal(49);
    expect(clientBurst({ rate: 20, burst: 50 })).to.equal(48);
    expect(clientBurst({ rate: 5, burst: 250 })).to.equal(249);
    expect(clientBurst({ rate: 1, burst: 1 })).to.equal(1);
  });

  it('grants the burst at once, then one token per 1/rate of clock time, in order', async () => {
    let now = 0;
    const bucket = createTokenBucket({ rate: 1000, burst: 3 }, () => now); // client burst 2
    await bucket.acquire();
    await bucket.acquire();
    const order: number[] = [];
    const third = tracked(bucket.acquire().then(() => order.push(3)));
    const fourth = tracked(bucket.acquire().then(() => order.push(4)));
    await turns();
    expect(third.done()).to.equal(false);
    now += 1;
    await third.p;
    expect(fourth.done()).to.equal(false);
    now += 1;
    await fourth.p;
    expect(order).to.deep.equal([3, 4]);
    bucket.close();
  });

  it('grants nothing after a penalty until the portal has drained for that long', async () => {
    let now = 0;
    const bucket = createTokenBucket({ rate: 1000, burst: 20 }, () => now);
    bucket.penalize(50);
    const next = tracked(bucket.acquire());
    now += 40;
    await turns();
    expect(next.done()).to.equal(false);
    now += 11;
    await next.p;
    bucket.close();
  });

  it('is idle only when nobody waits and the bucket is full again', async () => {
    let now = 0;
    const bucket = createTokenBucket({ rate: 10, burst: 11 }, () => now); // client burst 10, 100 ms per token
    expect(bucket.isIdle()).to.equal(true);
    await bucket.acquire();
    expect(bucket.isIdle()).to.equal(false);
    now += 99;
    expect(bucket.isIdle()).to.equal(false);
    now += 1;
    expect(bucket.isIdle()).to.equal(true);
    bucket.close();
  });

  it('drops a waiter whose signal aborts and rejects waiters on close', async () => {
    const now = 0;
    const bucket = createTokenBucket({ rate: 1000, burst: 2 }, () => now); // client burst 1
    await bucket.acquire();
    const ac = new AbortController();
    const aborted = bucket.acquire(ac.signal);
    const closed = bucket.acquire();
    ac.abort(new Error('stop'));
    await aborted.then(() => expect.fail('resolved'), (e: Error) => expect(e.message).to.equal('stop'));
    bucket.close();
    await closed.then(() => expect.fail('resolved'), (e: Error) => expect(e.name).to.equal('AbortError'));
  });

  it('drops idle lanes once their bucket refilled, and stops its sweep timer', async () => {
    let now = 0;
    const timeouts = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    await turns(); // mocha arms its test timeout after the first await
    const base = timeouts();
    const lanes = new LaneRegistry({ batching: true, bucket: 'token', clock: () => now, sweepMs: 60_000 });
    const send = async (calls: Array<{ resolve: (r: { result: unknown }) => void }>): Promise<void> => {
      for (const c of calls) c.resolve({ result: true });
    };
    for (const key of ['a', 'b', 'c']) {
      const lane = lanes.get(key, { rate: 2, burst: 50 }, send);
      await new Promise((resolve, reject) => lane.submit({ method: 'x', params: {}, batchable: true, signal: undefined, resolve, reject }));
    }
    expect(lanes.size).to.equal(3);
    expect(timeouts()).to.equal(base); // the sweep is unref'd; idle buckets own no timer
    await turns(); // let the sends finish their bookkeeping
    now += 499; // one token (500 ms at 2/s) not yet back
    lanes.sweep();
    expect(lanes.size).to.equal(3);
    now += 1;
    lanes.sweep();
    expect(lanes.size).to.equal(0);
    expect(timeouts()).to.equal(base);
  });

  it('a 503 penalizes the bucket once per storm: Retry-After when given, else a backoff step of at least 250 ms', () => {
    let now = 0;
    const penalties: number[] = [];
    const bucket = { acquire: async () => undefined, penalize: (ms: number) => void penalties.push(ms), isIdle: () => true, close: () => undefined };
    const lane = new Lane({ limit: { rate: 20, burst: 50 }, bucket, send: async () => undefined, batching: true, clock: () => now });
    lane.onRateLimited(2000);
    lane.onRateLimited(null); // same storm: ignored
    now += 2000;
    lane.onRateLimited(null, () => 0.5); // second step: 2 × 250 ms
    now += 500;
    lane.onSuccess();
    now += 1;
    lane.onRateLimited(null, () => 0.5); // after a success: first step again
    expect(penalties).to.deep.equal([2000, 500, 250]);
    expect(parseRetryAfter('3', 0)).to.equal(3000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4000)).to.equal(6000);
    expect(parseRetryAfter(undefined, 0)).to.equal(null);
  });

  it('bottleneck bucket: grants the burst, then waits; penalize empties it', async () => {
    const bucket = createBottleneckBucket({ rate: 200, burst: 3 }); // client burst 2, 5 ms per token
    await bucket.acquire();
    await bucket.acquire();
    await bucket.acquire(); // refilled by the heartbeat
    bucket.penalize(30);
    const started = Date.now();
    await bucket.acquire();
    expect(Date.now() - started).to.be.at.least(20);
    bucket.close();
  });
});
