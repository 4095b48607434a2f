import { expect } from 'chai';
import { createLogger } from '../../src/log.js';
import { BotkitError } from '../../src/errors.js';
import { createOutbox, type Outbox } from '../../src/outbox/outbox.js';
import { overriding } from '../helpers/override.js';
import { emuRig, v2Send, type EmuRig } from '../rest/emu-rig.js';
import { logLines, rejection } from '../helpers/common.js';

const SEND = 'imbot.v2.Chat.Message.send';

const usersOf = new WeakMap<EmuRig, number[]>();

/** The private dialogue of user number `d` (users are created on first use). */
function dialog(rig: EmuRig, d: number): string {
  const users = usersOf.get(rig) ?? [1];
  usersOf.set(rig, users);
  while (users.length < d) users.push(rig.emu.portal.users.add({ name: `User ${users.length + 1}` }));
  return String(users[d - 1]);
}

/** `count` replies for each of `dialogues` private dialogues, marked with a templateId. */
function replies(rig: EmuRig, dialogues: number, count: number): Array<Parameters<Outbox['enqueue']>[0]> {
  const out: Array<Parameters<Outbox['enqueue']>[0]> = [];
  for (let n = 0; n < count; n++) {
    for (let d = 1; d <= dialogues; d++) {
      const key = `k-${d}-${n}`;
      out.push({ memberId: rig.memberId, dialogueKey: String(d), method: SEND, params: v2Send(rig.botId, dialog(rig, d), `${d}:${n}`, key), idempotencyKey: key });
    }
  }
  return out;
}

/** Queues a reply and waits until it was delivered (rejects if it was dead-lettered). */
async function sent(outbox: Outbox, r: Parameters<Outbox['enqueue']>[0]): Promise<unknown> {
  return (await outbox.enqueue(r)).delivered;
}

/** Asserts each dialogue got exactly `count` messages, once each, in order. */
function expectInOrder(rig: EmuRig, dialogues: number, count: number): void {
  for (let d = 1; d <= dialogues; d++) {
    const texts = rig.emu.portal.messages({ dialogId: dialog(rig, d) }).map((m) => m.text);
    expect(texts, `dialogue ${d}`).to.deep.equal(Array.from({ length: count }, (_, n) => `${d}:${n}`));
  }
}

describe('outbox against the emulator', function () {
  this.timeout(20_000);
  let rig: EmuRig | undefined;
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });

  it('persists before sending and delivers every reply once, in order per dialogue', async () => {
    rig = await emuRig();
    const outbox = createOutbox({ store: rig.store, client: rig.client, log: createLogger({ silent: true }), concurrency: 4 });
    outbox.start();
    const results = await Promise.all(replies(rig, 6, 15).map((r) => sent(outbox, r)));
    expect(results.every((r) => typeof (r as { id: number }).id === 'number')).to.equal(true);
    expectInOrder(rig, 6, 15);
    expect(await rig.store.outboxPending(100, Number.MAX_SAFE_INTEGER)).to.deep.equal([]);
    expect(outbox.stats()).to.deep.equal({ pending: 0, delivered: 90, dead: 0, retries: 0 });
  });

  // A storm measured in answers, not in wall-clock seconds: the test waits for the work, never for a clock
  // (the client's own penalty backoff after each 503, 250 ms doubling, is the only waiting left).
  it('rides out a storm of consecutive 503 answers: every reply delivered once, in order per dialogue', async () => {
    rig = await emuRig({ client: { retry: { rateLimitRetries: 1, baseDelayMs: 5 } } });
    const outbox = createOutbox({ store: rig.store, client: rig.client, log: createLogger({ silent: true }), backoff: { baseMs: 50, maxMs: 400 } });
    rig.emu.faults.add({ kind: 'status', status: 503, error: 'QUERY_LIMIT_EXCEEDED', times: 3 });
    outbox.start();
    await Promise.all(replies(rig, 5, 8).map((r) => sent(outbox, r)));
    expectInOrder(rig, 5, 8);
    expect(rig.emu.portal.counters().errors['QUERY_LIMIT_EXCEEDED']).to.equal(3);
    expect(outbox.stats()).to.include({ delivered: 40, dead: 0 });
  });

  it('keeps trying to complete a delivery it could not write, so the dialogue is not blocked', async () => {
    rig = await emuRig();
    const store = rig.store;
    let failures = 4;
    const flaky = overriding(store, 'outboxDelivered', (delivered) => async (item, result, next) => {
      if (failures-- > 0) throw new Error('database is locked (simulated)');
      return delivered(item, result, next);
    });
    const outbox = createOutbox({ store: flaky, client: rig.client, log: createLogger({ silent: true }) });
    outbox.start();
    const [first, second] = replies(rig, 1, 2);
    await sent(outbox, first!);
    await sent(outbox, second!);
    expectInOrder(rig, 1, 2);
    expect(await store.outboxPending(10, Number.MAX_SAFE_INTEGER)).to.deep.equal([]);
  });

  // A fault review cut PostgreSQL during a token refresh: the client's re-read of the portal failed with
  // STORE_UNAVAILABLE and the reply was dead-lettered. Nothing was sent: it is retried until delivered.
  it('retries a reply without limit while the client cannot read the portal (STORE_UNAVAILABLE), then delivers it once', async () => {
    rig = await emuRig();
    let refused = 0;
    const client = overriding(rig.client, 'call', (call) => (async (memberId: string, method: string, params?: Record<string, unknown>) => {
      if (refused < 6) {
        refused++;
        throw new BotkitError('STORE_UNAVAILABLE', 'database unreachable (simulated)');
      }
      return call(memberId, method, params);
    }) as typeof call);
    const outbox = createOutbox({ store: rig.store, client, log: createLogger({ silent: true }), maxAttempts: 2, backoff: { baseMs: 5, maxMs: 10 } });
    outbox.start();
    await Promise.all(replies(rig, 2, 2).map((r) => sent(outbox, r)));
    expect(refused).to.equal(6);
    expectInOrder(rig, 2, 2);
    expect(outbox.stats()).to.include({ delivered: 4, dead: 0 });
  });

  it('dead-letters a permanent refusal with its reason and one warn line, and the dialogue moves on', async () => {
    rig = await emuRig();
    const { log, lines } = logLines();
    const outbox = createOutbox({ store: rig.store, client: rig.client, log });
    outbox.start();
    rig.emu.faults.add({ method: SEND, kind: 'status', status: 403, error: 'ACCESS_DENIED', errorDescription: 'bot left', times: 1 });
    const [first, second] = replies(rig, 1, 2);
    const failed = rejection(sent(outbox, first!));
    const next = sent(outbox, second!);
    expect(await failed).to.include({ code: 'B24_API_ERROR', apiCode: 'ACCESS_DENIED' });
    await next;
    expect(rig.emu.portal.messages().map((m) => m.text)).to.deep.equal(['1:1']);
    const dead = await rig.store.outboxDeadList(10);
    expect(dead.map((d) => [d.idempotencyKey, d.reason])).to.deep.equal([['k-1-0', 'B24_API_ERROR ACCESS_DENIED: bot left']]);
    const warns = lines().filter((l) => l['msg'] === 'outbox: reply dead-lettered');
    expect(warns).to.have.length(1);
    expect(warns[0]).to.include({ method: SEND, dialogueKey: '1', reason: 'B24_API_ERROR ACCESS_DENIED: bot left' });
    expect(outbox.stats()).to.include({ delivered: 1, dead: 1 });
  });

  it('retryDead puts a dead letter back and the running worker delivers it with its key; null for an unknown one', async () => {
    rig = await emuRig();
    const outbox = createOutbox({ store: rig.store, client: rig.client, log: createLogger({ silent: true }) });
    outbox.start();
    rig.emu.faults.add({ method: SEND, kind: 'status', status: 403, error: 'ACCESS_DENIED', errorDescription: 'bot left', times: 1 });
    const [first] = replies(rig, 1, 1);
    await rejection(sent(outbox, first!));
    const [dead] = await rig.store.outboxDeadList(1);
    expect(await outbox.retryDead(dead!.id, 'another-portal')).to.equal(null);
    const again = await outbox.retryDead(dead!.id, rig.memberId);
    expect(again).to.deep.include({ status: 'queued' });
    await outbox.idle();
    expect(rig.emu.portal.messages().map((m) => m.text)).to.deep.equal(['1:0']);
    expect(await rig.store.outboxSent('k-1-0')).to.not.equal(null);
    expect(await rig.store.outboxDeadList(10)).to.deep.equal([]);
    expect(await outbox.retryDead(dead!.id)).to.equal(null);
  });

  it('never blindly re-sends an unmarked reply whose answer was lost; a marked one is retried and kept once', async () => {
    rig = await emuRig();
    const outbox = createOutbox({ store: rig.store, client: rig.client, log: createLogger({ silent: true }), backoff: { baseMs: 10, maxMs: 100 } });
    outbox.start();
    rig.emu.faults.add({ method: SEND, kind: 'reset', after: true, times: 1 });
    const unmarked = { memberId: rig.memberId, dialogueKey: 'a', method: SEND, params: v2Send(rig.botId, '1', 'plain'), idempotencyKey: 'plain-1' };
    expect((await rejection(sent(outbox, unmarked))).code).to.equal('B24_TRANSPORT');
    const [dead] = await rig.store.outboxDeadList(1);
    expect(dead?.reason).to.match(/^delivery unknown/);
    rig.emu.faults.add({ method: SEND, kind: 'reset', after: true, times: 2 });
    const marked = { memberId: rig.memberId, dialogueKey: 'b', method: SEND, params: v2Send(rig.botId, dialog(rig, 2), 'marked', 'mk-1'), idempotencyKey: 'mk-1' };
    await sent(outbox, marked);
    expect(rig.emu.portal.messages().map((m) => m.text)).to.deep.equal(['plain', 'marked']);
  });

  it('resumes replies persisted by an earlier process when started', async () => {
    rig = await emuRig();
    for (const r of replies(rig, 3, 4)) {
      await rig.store.outboxAdd({ ...r, params: JSON.stringify(r.params) });
    }
    const outbox = createOutbox({ store: rig.store, client: rig.client, log: createLogger({ silent: true }) });
    outbox.start();
    await rig.emu.portal.waitForMessages(12, undefined, 10_000);
    expectInOrder(rig, 3, 4);
    await outbox.drain(5000);
  });

  it('drain() waits for in-flight sends; a reply enqueued after it is persisted and refused with OUTBOX_STOPPED', async () => {
    rig = await emuRig();
    rig.emu.faults.add({ method: SEND, kind: 'slow', delayMs: 100, times: 1 });
    const outbox = createOutbox({ store: rig.store, client: rig.client, log: createLogger({ silent: true }) });
    outbox.start();
    const [a, b] = replies(rig, 2, 1);
    const inFlight = sent(outbox, a!);
    await new Promise((r) => rig!.emu.portal.onRequest(r));
    await outbox.drain(5000);
    expect(await inFlight).to.have.property('id');
    expect((await rejection(sent(outbox, b!))).code).to.equal('OUTBOX_STOPPED');
    const pending = await rig.store.outboxPending(10, Number.MAX_SAFE_INTEGER);
    expect(pending.map((p) => p.idempotencyKey)).to.deep.equal([b!.idempotencyKey]);
  });
});
