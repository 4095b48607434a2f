import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { emuRig, v2Send, webhookRecord, type EmuRig } from './emu-rig.js';
import { rejection } from './helpers.js';

const SEND = 'imbot.v2.Chat.Message.send';

describe('rest client against the emulator', function () {
  this.timeout(20_000);
  let rig: EmuRig | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  for (const batching of [false, true]) {
    it(`50 concurrent calls on an expired token: one refresh, all succeed, a second SQLite connection sees the pair (batching ${batching ? 'on' : 'off'})`, async () => {
      dir = mkdtempSync(join(tmpdir(), 'botkit-rest-'));
      const file = join(dir, 'db.sqlite');
      const store = openSqliteStore({ file });
      rig = await emuRig({ store, client: { batching } });
      const before = await store.getPortal(rig.memberId);
      rig.emu.portal.expireAccessTokens();
      const ids = await Promise.all(Array.from({ length: 50 }, (_, i) =>
        rig!.client.call<{ id: number }>(rig!.memberId, SEND, v2Send(rig!.botId, '1', `m${i}`))));
      expect(new Set(ids.map((r) => r.id)).size).to.equal(50);
      expect(rig.emu.portal.counters().oauthRefreshes).to.equal(1);
      const other = openSqliteStore({ file });
      const seen = await other.getPortal(rig.memberId);
      expect(seen?.accessToken).to.be.a('string').and.not.equal(before?.accessToken);
      expect(seen?.refreshToken).to.be.a('string').and.not.equal(before?.refreshToken);
      await other.close();
      await rig.close();
      await store.close();
      rig = undefined;
    });
  }

  it('invalid_grant marks the portal reinstall_required; later calls fail fast without requests', async () => {
    rig = await emuRig();
    rig.emu.portal.revokeRefreshTokens();
    rig.emu.portal.expireAccessTokens();
    const errors = await Promise.all([1, 2, 3].map(() => rejection(rig!.client.call(rig!.memberId, 'app.info'))));
    expect(errors.map((e) => e.code)).to.deep.equal(Array(3).fill('B24_REINSTALL_REQUIRED'));
    expect((await rig.store.getPortal(rig.memberId))?.status).to.equal('reinstall_required');
    const requests = rig.emu.portal.counters().requests;
    expect((await rejection(rig.client.call(rig.memberId, 'app.info'))).code).to.equal('B24_REINSTALL_REQUIRED');
    expect(rig.emu.portal.counters().requests).to.equal(requests);
    expect(rig.emu.portal.counters().oauthErrors).to.equal(1);
  });

  it('never causes a 503 in steady state when the client knows the portal bucket', async () => {
    rig = await emuRig({ emulator: { rateLimit: { rate: 40, burst: 10 } }, portal: { rateLimit: '40/10' }, client: { batching: false } });
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => rig!.client.call(rig!.memberId, SEND, v2Send(rig!.botId, '1', `s${i}`))));
    expect(results).to.have.length(50);
    expect(rig.emu.portal.counters().queryLimitExceeded).to.equal(0);
  });

  it('slows down and recovers when the portal bucket is smaller than the client thinks', async () => {
    rig = await emuRig({ emulator: { rateLimit: { rate: 40, burst: 5 } }, portal: { rateLimit: '400/50' }, client: { batching: false } });
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => rig!.client.call(rig!.memberId, SEND, v2Send(rig!.botId, '1', `r${i}`))));
    expect(results).to.have.length(40);
    expect(rig.emu.portal.messages()).to.have.length(40);
    // It hit the real bucket, then backed off instead of hammering it (a client that retried at
    // once would draw hundreds of 503s and give up).
    const limited = rig.emu.portal.counters().queryLimitExceeded;
    expect(limited).to.be.above(0).and.below(80);
  });

  it('coalesces a burst into batches of at most 50 commands', async () => {
    rig = await emuRig();
    const before = rig.emu.portal.requests().length;
    await Promise.all(Array.from({ length: 120 }, (_, i) => rig!.client.call(rig!.memberId, SEND, v2Send(rig!.botId, '1', `b${i}`))));
    const batches = rig.emu.portal.requests().slice(before);
    expect(batches.map((r) => [r.method, r.batchSize])).to.deep.equal([['batch', 50], ['batch', 50], ['batch', 20]]);
    expect(rig.emu.portal.messages().map((m) => m.text)).to.deep.equal(Array.from({ length: 120 }, (_, i) => `b${i}`));
  });

  it('holds a method back once time.operating nears the budget instead of drawing a 429', async () => {
    rig = await emuRig({ emulator: { operating: { limitS: 0.01, costS: 0.004 } }, client: { operatingBudgetS: 0.01, batching: false } });
    const outcomes: string[] = [];
    for (let i = 0; i < 5; i++) {
      outcomes.push(await rig.client.call(rig.memberId, 'imbot.v2.Bot.list', {}).then(() => 'ok', (e: { code: string }) => e.code));
    }
    expect(outcomes.slice(0, 3)).to.deep.equal(['ok', 'ok', 'ok']);
    expect(outcomes.slice(3)).to.deep.equal(['B24_OPERATION_TIME_LIMIT', 'B24_OPERATION_TIME_LIMIT']);
    expect(rig.emu.portal.counters().operationTimeLimit).to.equal(0);
    expect(await rig.client.call(rig.memberId, SEND, v2Send(rig.botId, '1', 'other methods still go'))).to.have.property('id');
  });

  it('re-sends a templateId-marked message after a reset once, and the portal keeps one copy', async () => {
    rig = await emuRig();
    rig.emu.faults.add({ method: SEND, kind: 'reset', after: true, times: 1 });
    await rig.client.call(rig.memberId, SEND, v2Send(rig.botId, '1', 'once', 'key-1'));
    expect(rig.emu.portal.messages().filter((m) => m.text === 'once')).to.have.length(1);
    expect(rig.emu.portal.counters().byMethod[SEND]).to.equal(2);
  });

  // im module SendingService::checkDuplicateByUuid: a repeat while the first send runs answers
  // MESSAGE_DUPLICATED_BY_UUID (no id); once the first stored its message, a repeat answers that id.
  it('a re-send that meets MESSAGE_DUPLICATED_BY_UUID backs off and resolves with the first message id', async () => {
    rig = await emuRig({ client: { timeouts: { headersMs: 300 }, retry: { baseDelayMs: 200, maxDelayMs: 800, attempts: 10 } } });
    rig.emu.faults.add({ method: SEND, kind: 'slow', during: true, delayMs: 1500, times: 1 });
    const sent = await rig.client.call<{ id: number }>(rig.memberId, SEND, v2Send(rig.botId, '1', 'slow once', 'slow-key'));
    const copies = rig.emu.portal.messages().filter((m) => m.text === 'slow once');
    expect(copies).to.have.length(1);
    expect(sent.id).to.equal(copies[0]?.id);
    const errors = rig.emu.portal.requests().filter((r) => r.method === SEND).map((r) => r.error ?? null);
    expect(errors, 'the portal said "in flight" at least once').to.include('MESSAGE_DUPLICATED_BY_UUID');
  });

  // chat-bots-v2/index.md#limits: the rate limit may answer 429; limits.md: 429 OPERATION_TIME_LIMIT is the
  // method block. Decided by the code: a 429 that is not OPERATION_TIME_LIMIT must not block the method.
  for (const error of ['QUERY_LIMIT_EXCEEDED', 'TOO_MANY_REQUESTS']) {
    it(`a 429 ${error} is the rate limit: backed off and retried, the method is not blocked`, async () => {
      rig = await emuRig({ client: { retry: { baseDelayMs: 5, maxDelayMs: 50, maxBlockWaitMs: 100 } } });
      rig.emu.faults.add({ method: SEND, kind: 'status', status: 429, error, times: 2 });
      const sent = await rig.client.call<{ id: number }>(rig.memberId, SEND, v2Send(rig.botId, '1', 'after 429'));
      expect(sent.id).to.be.a('number');
      const again = await rig.client.call<{ id: number }>(rig.memberId, SEND, v2Send(rig.botId, '1', 'next one'));
      expect(again.id).to.equal(sent.id + 1);
      expect(rig.emu.portal.counters().byMethod[SEND]).to.equal(4);
    });
  }

  it('a 429 OPERATION_TIME_LIMIT blocks the method until its reset (held back by the client, not sent)', async () => {
    rig = await emuRig({ client: { retry: { baseDelayMs: 5, maxDelayMs: 50, maxBlockWaitMs: 100 } } });
    rig.emu.faults.add({ method: SEND, kind: 'status', status: 429, error: 'OPERATION_TIME_LIMIT', times: 1 });
    const e = await rejection(rig.client.call(rig.memberId, SEND, v2Send(rig.botId, '1', 'blocked')));
    expect(e).to.include({ code: 'B24_OPERATION_TIME_LIMIT' });
    expect(rig.emu.portal.counters().byMethod[SEND]).to.equal(1);
  });

  it('does not re-send an unmarked message after a reset: a coded error, one copy', async () => {
    rig = await emuRig();
    rig.emu.faults.add({ method: SEND, kind: 'reset', after: true, times: 1 });
    const e = await rejection(rig.client.call(rig.memberId, SEND, v2Send(rig.botId, '1', 'unmarked')));
    expect(e).to.include({ code: 'B24_TRANSPORT', maybeExecuted: true });
    expect(rig.emu.portal.messages().filter((m) => m.text === 'unmarked')).to.have.length(1);
    expect(rig.emu.portal.counters().byMethod[SEND]).to.equal(1);
  });

  it('maps emulator faults to coded errors: badJson, truncated, 500', async () => {
    rig = await emuRig({ client: { batching: false } });
    const codes: string[] = [];
    for (const kind of ['badJson', 'truncated'] as const) {
      rig.emu.faults.add({ method: 'imbot.v2.Bot.update', kind, times: 1 });
      codes.push((await rejection(rig.client.call(rig.memberId, 'imbot.v2.Bot.update', { botId: rig.botId, fields: {} }))).code ?? '');
    }
    rig.emu.faults.add({ method: 'imbot.v2.Bot.update', kind: 'status', status: 500, times: 1 });
    codes.push((await rejection(rig.client.call(rig.memberId, 'imbot.v2.Bot.update', { botId: rig.botId, fields: {} }))).code ?? '');
    expect(codes).to.deep.equal(['B24_BAD_RESPONSE', 'B24_BAD_RESPONSE', 'B24_API_ERROR']);
  });

  it('drives a webhook portal with botToken in params, through batch too', async () => {
    rig = await emuRig();
    const hook = webhookRecord(rig.emu.portal);
    await rig.store.savePortal(hook);
    const reg = await rig.client.call<{ bot: { id: number } }>(hook.memberId, 'imbot.v2.Bot.register', { fields: { code: 'hooked', botToken: 'tok-1', properties: { name: 'H' } } });
    await Promise.all([1, 2, 3].map((i) => rig!.client.call(hook.memberId, SEND, { ...v2Send(reg.bot.id, '1', `h${i}`), botToken: 'tok-1' })));
    expect(rig.emu.portal.messages({ botCode: 'hooked' }).map((m) => m.text)).to.deep.equal(['h1', 'h2', 'h3']);
  });
});
