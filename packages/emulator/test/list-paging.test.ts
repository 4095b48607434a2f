import { expect } from 'chai';
import type { Emulator } from '../src/index.js';
import { call, emulator } from './helpers.js';

// List methods: docs settings/how-to-call-rest-api/list-methods-pecularities.md (`total`, `next`, `start`)
// and api-reference/user/user-get.md (50 a page, `start=-1` skips counting, filter prefixes).
describe('emulator list paging (user.get) and /rest//method', () => {
  let emu: Emulator;
  let hook: string;

  beforeEach(async () => {
    emu = await emulator({ rateLimit: null });
    for (let i = 0; i < 60; i++) emu.portal.users.add({ name: `Person${i} Test` });
    hook = emu.portal.createWebhook({ userId: 1 });
  });
  afterEach(() => emu.close());

  it('answers 50 rows with total and next, then the rest without next', async () => {
    const first = await call(hook, 'user.get');
    expect(first.body['result']).to.have.length(50);
    expect(first.body).to.include({ total: 61, next: 50 });
    const second = await call(hook, 'user.get', { start: 50 });
    expect(second.body['result']).to.have.length(11);
    expect(second.body['total']).to.equal(61);
    expect(second.body).not.to.have.property('next');
  });

  it('start=-1 skips total and next; filters with prefixes and sorts by an order map', async () => {
    const cursor = await call(hook, 'user.get', { start: -1, order: { ID: 'DESC' }, filter: { '>ID': 55 } });
    expect(cursor.body).not.to.have.any.keys('total', 'next');
    expect((cursor.body['result'] as Array<{ ID: string }>).map((u) => u.ID)).to.deep.equal(['61', '60', '59', '58', '57', '56']);
    const byName = await call(hook, 'user.get', { FILTER: { NAME: 'Person7' } });
    expect((byName.body['result'] as Array<{ LAST_NAME: string }>)).to.have.length(1);
    const top = await call(hook, 'user.get', { ID: 1 });
    expect(top.body['result']).to.have.length(1);
  });

  it('a batch carries each list command\'s total and next in result_total / result_next', async () => {
    const res = await call(hook, 'batch', { cmd: { a: 'user.get', b: 'user.get?start=50', c: 'user.current' } });
    const r = res.body['result'] as Record<string, unknown>;
    expect(r['result_total']).to.deep.equal({ a: 61, b: 61 });
    expect(r['result_next']).to.deep.equal({ a: 50 });
  });

  it('accepts /rest//method, as the official SDK builds it from client_endpoint', async () => {
    const { accessToken } = emu.portal.issueTokens(1);
    const res = await call(`${emu.url}/rest//`, 'user.current', { auth: accessToken });
    expect(res.status).to.equal(200);
    expect((res.body['result'] as { ID: string }).ID).to.equal('1');
  });
});
