import { expect } from 'chai';
import type { Emulator } from '../src/index.js';
import { call, emulator, manualClock } from './helpers.js';

async function burst(hook: string, n: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < n; i++) statuses.push((await call(hook, 'user.current')).status);
  return statuses;
}

// DOC settings/performance/limits.md: leaky bucket ("Прочие" 2/s, threshold 50; "Энтерпрайз" 5/s, 250) answering
// 503 QUERY_LIMIT_EXCEEDED; the limit "учитывает HTTP-запросы" (a batch is one); 429 OPERATION_TIME_LIMIT per method.
// UNCONFIRMED: whether the 51st request of a burst still passes ("превышает порог X"); the emulator refuses it.
describe('emulator limits', () => {
  let emu: Emulator | undefined;
  afterEach(async () => {
    await emu?.close();
    emu = undefined;
  });

  it('refuses requests above the burst with 503 QUERY_LIMIT_EXCEEDED and refills at the rate', async () => {
    const clock = manualClock();
    emu = await emulator({ clock: clock.now });
    const hook = emu.portal.createWebhook();
    const statuses = await burst(hook, 60);
    expect(statuses.filter((s) => s === 200)).to.have.length(50);
    expect(statuses.slice(50)).to.deep.equal(new Array(10).fill(503));
    const refused = await call(hook, 'user.current');
    expect(refused.body).to.deep.equal({ error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many requests' });
    clock.advance(2000);
    expect(await burst(hook, 5)).to.deep.equal([200, 200, 200, 200, 503]);
    clock.advance(500);
    expect(await burst(hook, 2)).to.deep.equal([200, 503]);
    expect(emu.portal.counters().queryLimitExceeded).to.equal(13);
  });

  it('uses the enterprise bucket (burst 250) and a custom one per portal', async () => {
    const clock = manualClock();
    emu = await emulator({ clock: clock.now, plan: 'enterprise' });
    const statuses = await burst(emu.portal.createWebhook(), 252);
    expect(statuses.filter((s) => s === 503)).to.have.length(2);
    const small = emu.createPortal({ rateLimit: { rate: 1, burst: 3 } });
    expect(await burst(small.createWebhook(), 4)).to.deep.equal([200, 200, 200, 503]);
    const unlimited = emu.createPortal({ rateLimit: null });
    expect((await burst(unlimited.createWebhook(), 70)).every((s) => s === 200)).to.equal(true);
  });

  it('counts a batch as one request (limits.md: the limit counts HTTP requests)', async () => {
    const clock = manualClock();
    emu = await emulator({ clock: clock.now, rateLimit: { rate: 1, burst: 2 } });
    const hook = emu.portal.createWebhook();
    const cmd = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`c${i}`, 'user.current']));
    expect((await call(hook, 'batch', { cmd })).status).to.equal(200);
    expect((await call(hook, 'batch', { cmd })).status).to.equal(200);
    expect((await call(hook, 'batch', { cmd })).status).to.equal(503);
  });

  it('blocks a method with 429 OPERATION_TIME_LIMIT once its operating time exceeds the limit, until the window passes', async () => {
    const clock = manualClock();
    emu = await emulator({ clock: clock.now, rateLimit: null, operating: { limitS: 2, costS: (m) => (m === 'user.current' ? 1 : 0.01) } });
    const hook = emu.portal.createWebhook();
    const first = await call(hook, 'user.current');
    expect((first.body['time'] as Record<string, number>)['operating']).to.equal(1);
    expect((await call(hook, 'user.current')).status).to.equal(200);
    const third = await call(hook, 'user.current');
    expect(third.status).to.equal(200);
    expect((third.body['time'] as Record<string, number>)['operating']).to.equal(3);
    const blocked = await call(hook, 'user.current');
    expect(blocked.status).to.equal(429);
    expect(blocked.body['error']).to.equal('OPERATION_TIME_LIMIT');
    expect((await call(hook, 'profile')).status, 'other methods are not blocked').to.equal(200);
    const resetAt = (third.body['time'] as Record<string, number>)['operating_reset_at'] ?? 0;
    expect(resetAt * 1000).to.be.greaterThan(clock.now());
    clock.advance(resetAt * 1000 - clock.now() + 1);
    expect((await call(hook, 'user.current')).status).to.equal(200);
    expect(emu.portal.counters().operationTimeLimit).to.equal(1);
  });

  // Docs limits.md ("Ограничения на ресурсоемкость"): "Каждая корзина хранит сумму времени выполнения метода
  // за соответствующую минуту"; "Отсчет для корзины начинается с первого учтенного вызова метода в
  // соответствующую минуту и длится 10 минут ... 10:05:20 ..., operating_reset_at будет 10:15:20".
  it('keeps one bucket per wall-clock minute, each dropping out 10 minutes after its first call (limits.md)', async () => {
    const clock = manualClock(Date.UTC(2026, 4, 14, 10, 5, 0));
    emu = await emulator({ clock: clock.now, rateLimit: null, operating: { limitS: 100, costS: 1 } });
    const hook = emu.portal.createWebhook();
    const time = async (): Promise<Record<string, number>> => (await call(hook, 'user.current')).body['time'] as Record<string, number>;
    const at = (h: number, m: number, s: number): number => Date.UTC(2026, 4, 14, h, m, s);
    clock.advance(20_000);
    expect(await time()).to.include({ operating: 1, operating_reset_at: at(10, 15, 20) / 1000 });
    clock.advance(at(10, 5, 50) - clock.now()); // same minute: same bucket
    expect(await time()).to.include({ operating: 2, operating_reset_at: at(10, 15, 20) / 1000 });
    clock.advance(at(10, 6, 10) - clock.now()); // within 60 s of 10:05:20 but minute 10:06: a new bucket
    expect(await time()).to.include({ operating: 3, operating_reset_at: at(10, 15, 20) / 1000 });
    clock.advance(at(10, 15, 21) - clock.now());
    expect(await time(), 'the 10:05 bucket (2 s) dropped out at 10:15:20; the 10:06 one resets at 10:16:10').to.include({
      operating: 2, operating_reset_at: at(10, 16, 10) / 1000,
    });
  });
});
