import { expect } from 'chai';
import { request } from 'undici';
import type { Emulator } from '../src/index.js';
import { call, emulator, manualClock } from './helpers.js';

async function rawCall(url: string, opts: { headersTimeout?: number } = {}): Promise<{ status: number; text: string } | { error: string }> {
  try {
    const res = await request(url, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' }, ...opts });
    return { status: res.statusCode, text: await res.body.text() };
  } catch (e) {
    return { error: String((e as { code?: string }).code ?? (e as Error).name) };
  }
}

describe('emulator faults', () => {
  let emu: Emulator;
  let hook: string;
  const clock = manualClock();

  beforeEach(async () => {
    emu = await emulator({ rateLimit: null, clock: clock.now });
    hook = emu.portal.createWebhook();
  });
  afterEach(() => emu.close());

  it('status: answers the given status and error code, for the given number of times', async () => {
    emu.faults.add({ method: 'user.current', kind: 'status', status: 503, error: 'QUERY_LIMIT_EXCEEDED', times: 2 });
    const first = await call(hook, 'user.current');
    expect(first.status).to.equal(503);
    expect(first.body).to.deep.equal({ error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Injected fault' });
    expect((await call(hook, 'profile')).status, 'other methods unaffected').to.equal(200);
    expect((await call(hook, 'user.current')).status).to.equal(503);
    expect((await call(hook, 'user.current')).status).to.equal(200);
    expect(emu.faults.list()).to.deep.equal([]);
    expect(emu.portal.requests().map((r) => r.fault ?? '-')).to.deep.equal(['status', '-', 'status', '-']);
    expect(emu.portal.counters().faultsApplied).to.equal(2);
  });

  it('reset: destroys the socket without an answer', async () => {
    emu.faults.add({ kind: 'reset', times: 1 });
    const res = await rawCall(`${hook}user.current`);
    expect(res).to.have.property('error').that.matches(/SocketError|ECONNRESET|UND_ERR_SOCKET/);
    expect(emu.portal.requests()[0]).to.include({ status: 0, fault: 'reset' });
    expect((await call(hook, 'user.current')).status).to.equal(200);
  });

  it('timeout: never answers; the client times out and close() still finishes', async () => {
    emu.faults.add({ method: 'user.current', kind: 'timeout' });
    const res = await rawCall(`${hook}user.current`, { headersTimeout: 300 });
    expect(res).to.deep.equal({ error: 'UND_ERR_HEADERS_TIMEOUT' });
  });

  it('slow: answers normally after the delay, while other requests are served meanwhile', async () => {
    emu.faults.add({ method: 'user.current', kind: 'slow', delayMs: 1000, times: 1 });
    const order: string[] = [];
    const slow = call(hook, 'user.current').then((a) => order.push(`slow:${a.status}`));
    await call(hook, 'profile').then((a) => order.push(`fast:${a.status}`));
    await slow;
    expect(order).to.deep.equal(['fast:200', 'slow:200']);
    expect(emu.portal.requests().find((r) => r.method === 'user.current')).to.include({ status: 200, fault: 'slow' });
  });

  it('badJson and truncated: a 200 whose body is not JSON, a body cut short', async () => {
    emu.faults.add({ kind: 'badJson', times: 1 });
    const bad = await rawCall(`${hook}user.current`);
    expect(bad).to.have.property('status', 200);
    expect(() => JSON.parse((bad as { text: string }).text)).to.throw(SyntaxError);
    emu.faults.add({ kind: 'truncated', times: 1 });
    const cut = await rawCall(`${hook}user.current`);
    expect(cut).to.have.property('error');
  });

  it('after: the method takes effect but the answer is lost (the duplicate-send scenario)', async () => {
    const reg = await call(hook, 'imbot.v2.Bot.register', { fields: { code: 'b', botToken: 't', properties: { name: 'B' } } });
    const botId = (reg.body['result'] as { bot: { id: number } }).bot.id;
    emu.faults.add({ method: 'imbot.v2.Chat.Message.send', kind: 'status', status: 500, after: true, times: 1 });
    const params = { botId, botToken: 't', dialogId: '1', fields: { message: 'once', templateId: '3b241101-e2bb-4255-8caf-4136c566a962' } };
    expect((await call(hook, 'imbot.v2.Chat.Message.send', params)).status).to.equal(500);
    expect(emu.portal.messages()).to.have.length(1);
    const retry = await call(hook, 'imbot.v2.Chat.Message.send', params);
    expect(retry.status).to.equal(200);
    expect(emu.portal.messages(), 'templateId dedupes the retry').to.have.length(1);
  });

  it('filters by portal and expires with untilMs; the remover and clear() work', async () => {
    const other = emu.createPortal({ rateLimit: null });
    const otherHook = other.createWebhook();
    const remove = emu.faults.add({ portal: other.memberId, kind: 'status', status: 500, untilMs: clock.now() + 1000 });
    expect((await call(hook, 'user.current')).status).to.equal(200);
    expect((await call(otherHook, 'user.current')).status).to.equal(500);
    clock.advance(1000);
    expect((await call(otherHook, 'user.current')).status).to.equal(200);
    remove();
    emu.faults.add({ kind: 'status' });
    emu.faults.clear();
    expect((await call(hook, 'user.current')).status).to.equal(200);
  });

  it('applies to the OAuth server with method oauth.token', async () => {
    const pair = emu.portal.issueTokens();
    emu.faults.add({ method: 'oauth.token', kind: 'status', status: 502, error: 'bad_gateway', times: 1 });
    const body = new URLSearchParams({ grant_type: 'refresh_token', client_id: emu.clientId, client_secret: emu.clientSecret, refresh_token: pair.refreshToken }).toString();
    const post = () => request(emu.oauthUrl, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    const failed = await post();
    expect(failed.statusCode).to.equal(502);
    await failed.body.dump();
    const ok = await post();
    expect(ok.statusCode, 'the refresh token was not used up by the fault').to.equal(200);
    const { refresh_token: next } = (await ok.body.json()) as { refresh_token: string };
    emu.faults.add({ method: 'oauth.token', kind: 'reset', after: true, times: 1 });
    const lostBody = new URLSearchParams({ grant_type: 'refresh_token', client_id: emu.clientId, client_secret: emu.clientSecret, refresh_token: next }).toString();
    const lost = await request(emu.oauthUrl, { method: 'POST', body: lostBody, headers: { 'content-type': 'application/x-www-form-urlencoded' } }).then(() => 'answered', () => 'reset');
    expect(lost).to.equal('reset');
    const burned = await request(emu.oauthUrl, { method: 'POST', body: lostBody, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(burned.statusCode, 'with after, the rotation happened although the answer was lost').to.equal(400);
    await burned.body.dump();
  });
});
