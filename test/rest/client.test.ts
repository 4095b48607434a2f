import { expect } from 'chai';
import { getEventListeners } from 'node:events';
import type { MockAgent } from 'undici';
import { B24ApiError } from '../../src/rest/errors.js';
import { callBot } from '../../src/rest/methods.js';
import { mockAgent, ok, oauthPortal, ORIGIN, rejection, rig, sent, webhookPortal } from './helpers.js';

describe('rest client (MockAgent)', () => {
  let agent: MockAgent;
  beforeEach(() => {
    agent = mockAgent();
  });
  afterEach(async () => {
    await agent.close();
  });

  it('calls a webhook portal at webhook URL + method with the params as JSON, botToken untouched', async () => {
    agent.get(ORIGIN).intercept({ path: '/rest/1/hookcode/imbot.v2.Chat.Message.send', method: 'POST' }).reply(200, ok({ id: 7 }));
    const { client } = await rig(agent, [webhookPortal()]);
    const params = { botId: 5, botToken: 'bt', dialogId: '1', fields: { message: 'hi' } };
    expect(await client.call('webhook:acme', 'imbot.v2.Chat.Message.send', params)).to.deep.equal({ id: 7 });
    const [req] = sent(agent);
    expect(req?.json).to.deep.equal(params);
    await client.close();
  });

  it('puts the OAuth access token into the body as auth, never into the URL', async () => {
    agent.get(ORIGIN).intercept({ path: '/rest/imbot.message.add', method: 'POST' }).reply(200, ok(11));
    const { client } = await rig(agent, [oauthPortal()]);
    expect(await client.call('m1', 'imbot.message.add', { BOT_ID: 5, DIALOG_ID: '1', MESSAGE: 'x' })).to.equal(11);
    const [req] = sent(agent);
    expect(req?.path).to.equal('/rest/imbot.message.add');
    expect(req?.json).to.deep.equal({ BOT_ID: 5, DIALOG_ID: '1', MESSAGE: 'x', auth: 'access-1' });
    await client.close();
  });

  it('calls bot methods through the typed wrapper', async () => {
    agent.get(ORIGIN).intercept({ path: '/rest/1/hookcode/imbot.v2.Chat.Message.send', method: 'POST' }).reply(200, ok({ id: 8, uuidMap: {} }));
    const { client } = await rig(agent, [webhookPortal()]);
    const res = await callBot(client, 'webhook:acme', 'imbot.v2.Chat.Message.send', { botId: 5, botToken: 'bt', dialogId: 'chat3', fields: { message: 'typed', templateId: 'k' } });
    const id: number | null = res.id;
    expect(id).to.equal(8);
    expect(sent(agent)[0]?.json).to.deep.equal({ botId: 5, botToken: 'bt', dialogId: 'chat3', fields: { message: 'typed', templateId: 'k' } });
    await client.close();
  });

  it('returns the whole envelope from callRaw', async () => {
    agent.get(ORIGIN).intercept({ path: '/rest/user.get', method: 'POST' }).reply(200, ok([{ ID: 1 }], { total: 60, next: 50 }));
    const { client } = await rig(agent, [oauthPortal()]);
    const res = await client.callRaw('m1', 'user.get');
    expect(res).to.include({ total: 60, next: 50 });
    expect(res.time?.duration).to.equal(0.01);
    await client.close();
  });

  it('maps an error answer to B24_API_ERROR with apiCode, description, method and status', async () => {
    agent.get(ORIGIN).intercept({ path: '/rest/imbot.message.update', method: 'POST' })
      .reply(403, { error: 'CANT_EDIT_MESSAGE', error_description: 'Time has expired' });
    const { client } = await rig(agent, [oauthPortal()]);
    const e = await rejection(client.call('m1', 'imbot.message.update', { MESSAGE_ID: 1 }));
    expect(e).to.be.instanceOf(B24ApiError);
    expect(e).to.include({ code: 'B24_API_ERROR', apiCode: 'CANT_EDIT_MESSAGE', description: 'Time has expired', method: 'imbot.message.update', status: 403 });
    expect(sent(agent)).to.have.length(1);
    await client.close();
  });

  it('does not re-send a message after a 500 (it may have been posted), but retries a read', async () => {
    const pool = agent.get(ORIGIN);
    pool.intercept({ path: '/rest/imbot.message.add', method: 'POST' }).reply(500, { error: 'INTERNAL_SERVER_ERROR', error_description: '' }).persist();
    pool.intercept({ path: '/rest/imbot.dialog.get', method: 'POST' }).reply(500, { error: 'INTERNAL_SERVER_ERROR', error_description: '' });
    pool.intercept({ path: '/rest/imbot.dialog.get', method: 'POST' }).reply(200, ok({ id: 1 }));
    const { client } = await rig(agent, [oauthPortal()]);
    const e = await rejection(client.call('m1', 'imbot.message.add', { MESSAGE: 'x' }));
    expect(e.code).to.equal('B24_API_ERROR');
    expect(sent(agent).filter((r) => r.path.endsWith('imbot.message.add'))).to.have.length(1);
    expect(await client.call('m1', 'imbot.dialog.get', { DIALOG_ID: '1' })).to.deep.equal({ id: 1 });
    expect(sent(agent).filter((r) => r.path.endsWith('imbot.dialog.get'))).to.have.length(2);
    await client.close();
  });

  it('carries Retry-After of a 503 on the coded error when the rate-limit retries run out', async () => {
    agent.get(ORIGIN).intercept({ path: '/rest/imbot.message.add', method: 'POST' })
      .reply(503, { error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many requests' }, { headers: { 'retry-after': '0' } });
    const { client } = await rig(agent, [oauthPortal()], { retry: { rateLimitRetries: 0 } });
    const e = await rejection(client.call('m1', 'imbot.message.add', { MESSAGE: 'x' }));
    expect(e).to.include({ code: 'B24_QUERY_LIMIT', status: 503, retryAfterMs: 0, maybeExecuted: false });
    await client.close();
  });

  it('retries a send after a connection refusal (nothing left the client)', async () => {
    const pool = agent.get(ORIGIN);
    pool.intercept({ path: '/rest/imbot.message.add', method: 'POST' }).replyWithError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    pool.intercept({ path: '/rest/imbot.message.add', method: 'POST' }).reply(200, ok(5));
    const { client } = await rig(agent, [oauthPortal()]);
    expect(await client.call('m1', 'imbot.message.add', { MESSAGE: 'x' })).to.equal(5);
    await client.close();
  });

  it('retries a v2 send with templateId after a reset, but not one without', async () => {
    const pool = agent.get(ORIGIN);
    const reset = (): Error => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    pool.intercept({ path: '/rest/imbot.v2.Chat.Message.send', method: 'POST' }).replyWithError(reset()).times(2);
    pool.intercept({ path: '/rest/imbot.v2.Chat.Message.send', method: 'POST' }).reply(200, ok({ id: 9 }));
    const { client } = await rig(agent, [oauthPortal()]);
    const plain = await rejection(client.call('m1', 'imbot.v2.Chat.Message.send', { botId: 1, dialogId: '1', fields: { message: 'a' } }));
    expect(plain).to.include({ code: 'B24_TRANSPORT', maybeExecuted: true, transportCode: 'ECONNRESET' });
    const marked = { botId: 1, dialogId: '1', fields: { message: 'b', templateId: '0f8b2c1e-7a4d-4c3b-9e21-5d6f7a8b9c0d' } };
    expect(await client.call('m1', 'imbot.v2.Chat.Message.send', marked)).to.deep.equal({ id: 9 });
    expect(sent(agent)).to.have.length(3);
    await client.close();
  });

  it('re-checks the endpoint when a queued call is sent: a reinstall that moved it off the allowlist meanwhile is refused', async () => {
    agent.get(ORIGIN).intercept({ path: '/rest/app.info', method: 'POST' }).reply(200, ok({ ID: 1 })).times(2);
    // A bucket of one: the second call waits in the lane while the portal's endpoint changes.
    const { client, store } = await rig(agent, [oauthPortal()], { portalCacheMs: 0, rateLimit: { rate: 1, burst: 1 } });
    expect(await client.call('m1', 'app.info')).to.deep.equal({ ID: 1 });
    const waiting = rejection(client.call('m1', 'app.info'));
    await store.savePortal(oauthPortal({ clientEndpoint: 'https://evil.example.com/rest/' }));
    expect((await waiting).code).to.equal('B24_HOST_REFUSED');
    expect(sent(agent)).to.have.length(1);
    await client.close();
  });

  it('refuses a non-allowlisted or plain-http portal URL without sending anything', async () => {
    const { client } = await rig(agent, [
      oauthPortal({ memberId: 'evil', clientEndpoint: 'https://evil.example.com/rest/' }),
      oauthPortal({ memberId: 'http', clientEndpoint: 'http://acme.bitrix24.com/rest/' }),
    ]);
    for (const member of ['evil', 'http']) {
      const e = await rejection(client.call(member, 'app.info'));
      expect(e.code).to.equal('B24_HOST_REFUSED');
    }
    expect((await rejection(client.callWithToken('https://evil.example.com/rest/', 't', 'app.info'))).code).to.equal('B24_HOST_REFUSED');
    expect(sent(agent)).to.have.length(0);
    await client.close();
  });

  it('fails with B24_PORTAL_UNKNOWN for a portal not in the store, and refuses path-changing method names', async () => {
    const { client } = await rig(agent, [oauthPortal()]);
    expect((await rejection(client.call('nope', 'app.info'))).code).to.equal('B24_PORTAL_UNKNOWN');
    expect((await rejection(client.call('m1', '../1/x/app.info'))).code).to.equal('B24_METHOD_INVALID');
    expect(sent(agent)).to.have.length(0);
    await client.close();
  });

  it('calls with an explicit token on an explicit endpoint (install verification)', async () => {
    agent.get(ORIGIN).intercept({ path: '/rest/app.info', method: 'POST' }).reply(200, ok({ ID: 3 }));
    const { client } = await rig(agent, []);
    expect(await client.callWithToken(`${ORIGIN}/rest/`, 'install-token', 'app.info')).to.deep.equal({ ID: 3 });
    expect(sent(agent)[0]?.json).to.deep.equal({ auth: 'install-token' });
    await client.close();
  });

  it('sends an install verification once: no retry on 503 or a reset, even for a read like app.info', async () => {
    const pool = agent.get(ORIGIN);
    pool.intercept({ path: '/rest/app.info', method: 'POST' }).reply(503, { error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many requests' });
    pool.intercept({ path: '/rest/user.admin', method: 'POST' }).replyWithError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    pool.intercept({ path: /.*/, method: 'POST' }).reply(200, ok(true)).persist();
    const { client } = await rig(agent, []);
    expect((await rejection(client.callWithToken(`${ORIGIN}/rest/`, 't', 'app.info'))).code).to.equal('B24_QUERY_LIMIT');
    expect((await rejection(client.callWithToken(`${ORIGIN}/rest/`, 't', 'user.admin'))).code).to.equal('B24_TRANSPORT');
    expect(sent(agent).map((r) => r.path)).to.deep.equal(['/rest/app.info', '/rest/user.admin']);
    await client.close();
  });

  it('pages a list method with start/next up to the cap', async () => {
    const pool = agent.get(ORIGIN);
    const page = (from: number, next?: number) => ok(Array.from({ length: 50 }, (_, i) => from + i), next === undefined ? { total: 120 } : { total: 120, next });
    pool.intercept({ path: '/rest/user.get', method: 'POST', body: (b) => JSON.parse(b).start === 0 }).reply(200, page(0, 50));
    pool.intercept({ path: '/rest/user.get', method: 'POST', body: (b) => JSON.parse(b).start === 50 }).reply(200, page(50, 100));
    const { client } = await rig(agent, [oauthPortal()]);
    const items: number[] = [];
    for await (const n of client.list<number>('m1', 'user.get', { FILTER: { ACTIVE: true } }, { max: 70 })) items.push(n);
    expect(items).to.deep.equal(Array.from({ length: 70 }, (_, i) => i));
    expect(sent(agent).map((r) => r.json?.['start'])).to.deep.equal([0, 50]);
    await client.close();
  });

  it('stops a list when its signal aborts, with the abort reason', async () => {
    agent.get(ORIGIN).intercept({ path: '/rest/user.get', method: 'POST' }).reply(200, ok([1, 2], { next: 2 }));
    const { client } = await rig(agent, [oauthPortal()]);
    const ac = new AbortController();
    const seen: number[] = [];
    const e = await rejection((async () => {
      for await (const n of client.list<number>('m1', 'user.get', {}, { signal: ac.signal })) {
        seen.push(n);
        ac.abort(new Error('enough'));
      }
    })());
    expect(e.message).to.equal('enough');
    expect(seen).to.deep.equal([1, 2]);
    await client.close();
  });

  it('leaves no abort listeners behind on a long-lived signal', async () => {
    agent.get(ORIGIN).intercept({ path: '/rest/profile', method: 'POST' }).reply(200, ok({ ID: 1 })).persist();
    const { client } = await rig(agent, [oauthPortal()]);
    const shutdown = new AbortController();
    for (let i = 0; i < 20; i++) await client.call('m1', 'profile', {}, { signal: shutdown.signal });
    await Promise.all(Array.from({ length: 8 }, () => client.call('m1', 'profile', {}, { signal: shutdown.signal, noBatch: true })));
    await new Promise((r) => setImmediate(r)); // undici drops its own listener when the body stream closes
    expect(getEventListeners(shutdown.signal, 'abort')).to.have.length(0);
    await client.close();
  });

  it('rejects calls after close() with a coded error', async () => {
    const { client } = await rig(agent, [oauthPortal()]);
    await client.close();
    expect((await rejection(client.call('m1', 'app.info'))).code).to.equal('B24_TRANSPORT');
  });
});
