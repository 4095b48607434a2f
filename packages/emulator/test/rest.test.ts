import { expect } from 'chai';
import { FormData, request } from 'undici';
import type { Emulator } from '../src/index.js';
import { call, emulator, result, type Encoding } from './helpers.js';

describe('emulator REST transport', () => {
  let emu: Emulator;
  let hook: string;

  beforeEach(async () => {
    emu = await emulator({ rateLimit: null });
    hook = emu.portal.createWebhook({ userId: 1 });
  });
  afterEach(() => emu.close());

  it('serves webhook calls and answers NO_AUTH_FOUND for a wrong code or user', async () => {
    expect(hook).to.match(new RegExp(`^${emu.url}/rest/1/[0-9a-f]{16}/$`));
    const ok = await call(hook, 'user.current');
    expect(ok.status).to.equal(200);
    expect(result(ok)).to.include({ ID: '1', NAME: 'John', LAST_NAME: 'Smith' });
    expect(ok.body['time']).to.have.keys('start', 'finish', 'duration', 'processing', 'date_start', 'date_finish', 'operating', 'operating_reset_at');
    const wrongCode = await call(hook.replace(/\/[0-9a-f]{16}\/$/, '/0000000000000000/'), 'user.current');
    expect(wrongCode.status).to.equal(401);
    expect(wrongCode.body).to.deep.equal({ error: 'NO_AUTH_FOUND', error_description: 'Wrong authorization data' });
    const wrongUser = await call(hook.replace('/rest/1/', '/rest/2/'), 'user.current');
    expect(wrongUser.body['error']).to.equal('NO_AUTH_FOUND');
    expect(emu.portal.requests().map((r) => r.auth)).to.deep.equal(['webhook', 'webhook', 'webhook']);
    expect(emu.portal.requests()[0]?.path).to.equal('/rest/1/***/user.current');
  });

  // DOC api-reference/common/users/user-admin.md: no parameters, any user, `result` true/false by the
  // caller's right to manage apps; api-reference/common/users/profile.md: ADMIN is the same value.
  it('user.admin answers true for administrators and false for other users, by OAuth token or webhook; profile ADMIN agrees', async () => {
    const plain = emu.portal.users.add({ name: 'Plain User' });
    const admin = emu.portal.users.add({ name: 'Other Admin', admin: true });
    const seen: Array<[number, unknown, unknown, unknown]> = [];
    for (const userId of [1, plain, admin]) {
      const { accessToken } = emu.portal.issueTokens(userId);
      const byToken = await call(emu.portal.clientEndpoint, 'user.admin', { auth: accessToken });
      const byHook = await call(emu.portal.createWebhook({ userId }), 'user.admin');
      const profile = await call(emu.portal.clientEndpoint, 'profile', { auth: accessToken });
      expect(byToken.status).to.equal(200);
      seen.push([userId, result(byToken), result(byHook), (result(profile) as { ADMIN: unknown }).ADMIN]);
    }
    expect(seen).to.deep.equal([[1, true, true, true], [plain, false, false, false], [admin, true, true, true]]);
    const noAuth = await call(emu.portal.clientEndpoint, 'user.admin');
    expect([noAuth.status, noAuth.body['error']]).to.deep.equal([401, 'NO_AUTH_FOUND']);
  });

  it('accepts the .json suffix and answers 404 ERROR_METHOD_NOT_FOUND for unknown methods', async () => {
    expect((await call(hook, 'user.current.json')).status).to.equal(200);
    const missing = await call(hook, 'crm.deal.list');
    expect(missing.status).to.equal(404);
    expect(missing.body['error']).to.equal('ERROR_METHOD_NOT_FOUND');
  });

  it('answers NO_AUTH_FOUND to an OAuth call without auth', async () => {
    const res = await call(emu.portal.clientEndpoint, 'profile');
    expect(res.status).to.equal(401);
    expect(res.body['error']).to.equal('NO_AUTH_FOUND');
    expect(emu.portal.requests()[0]?.auth).to.equal('none');
  });

  for (const encoding of ['json', 'form', 'query'] as Encoding[]) {
    it(`reads params from a ${encoding} body (auth included), nested keys and numeric-key lists`, async () => {
      const { accessToken } = emu.portal.issueTokens();
      const base = emu.portal.clientEndpoint;
      const reg = await call(base, 'imbot.v2.Bot.register', {
        auth: accessToken, fields: { code: `b_${encoding}`, properties: { name: 'Form Bot' } },
      }, encoding);
      expect(reg.status, JSON.stringify(reg.body)).to.equal(200);
      const botId = (result(reg)['bot'] as { id: number }).id;
      const sent = await call(base, 'imbot.v2.Chat.Message.send', {
        auth: accessToken, botId, dialogId: '1',
        fields: { message: 'pick one', keyboard: [{ TEXT: 'Yes', COMMAND: 'yes' }, { TYPE: 'NEWLINE' }, { TEXT: 'No', COMMAND: 'no' }] },
      }, encoding);
      expect(sent.status, JSON.stringify(sent.body)).to.equal(200);
      const [msg] = emu.portal.messages();
      expect(msg?.keyboard).to.deep.equal({ BOT_ID: botId, BUTTONS: [{ TEXT: 'Yes', COMMAND: 'yes' }, { TYPE: 'NEWLINE' }, { TEXT: 'No', COMMAND: 'no' }] });
      expect(emu.portal.requests()[0]?.auth).to.equal('oauth');
    });
  }

  it('reads a multipart body with bracket keys', async () => {
    const form = new FormData();
    form.append('fields[code]', 'multi');
    form.append('fields[botToken]', 'tok');
    form.append('fields[properties][name]', 'Multi');
    const res = await request(`${hook}imbot.v2.Bot.register`, { method: 'POST', body: form });
    expect(res.statusCode).to.equal(200);
    const body = (await res.body.json()) as { result: { bot: { code: string } } };
    expect(body.result.bot.code).to.equal('multi');
  });

  it('answers 400 INVALID_REQUEST to malformed JSON', async () => {
    const res = await request(`${hook}user.current`, { method: 'POST', body: '{"a":', headers: { 'content-type': 'application/json' } });
    expect(res.statusCode).to.equal(400);
    expect(((await res.body.json()) as { error: string }).error).to.equal('INVALID_REQUEST');
  });

  it('keeps extra portals apart: own webhooks, own bots, own counters', async () => {
    const other = emu.createPortal({ plan: 'enterprise' });
    const otherHook = other.createWebhook();
    expect(otherHook).to.match(new RegExp(`^${emu.url}/p/1/rest/1/`));
    expect((await call(otherHook.replace('/p/1/', '/'), 'user.current')).body['error']).to.equal('NO_AUTH_FOUND');
    await call(otherHook, 'imbot.v2.Bot.register', { fields: { code: 'x', botToken: 't', properties: { name: 'X' } } });
    expect(other.bots().map((b) => b.code)).to.deep.equal(['x']);
    expect(emu.portal.bots()).to.deep.equal([]);
    expect(other.counters().requests).to.equal(1);
    expect(emu.portal.counters().byMethod).to.deep.equal({ 'user.current': 1 });
    expect(emu.portals()).to.have.length(2);
  });

  it('notifies request listeners and counts statuses and errors', async () => {
    const seen: string[] = [];
    const off = emu.portal.onRequest((e) => seen.push(`${e.method}:${e.status}`));
    await call(hook, 'user.current');
    await call(hook, 'nope.nope');
    off();
    await call(hook, 'user.current');
    expect(seen).to.deep.equal(['user.current:200', 'nope.nope:404']);
    const c = emu.portal.counters();
    expect(c.requests).to.equal(3);
    expect(c.byStatus).to.deep.equal({ 200: 2, 404: 1 });
    expect(c.errors).to.deep.equal({ ERROR_METHOD_NOT_FOUND: 1 });
  });

  it('serves the chat page and lets a person write as user 1; hostile text comes back escaped', async () => {
    await call(hook, 'imbot.v2.Bot.register', { fields: { code: 'echo', botToken: 't', properties: { name: 'Echo' } } });
    const page = await request(`${emu.url}/`);
    const html = await page.body.text();
    expect(page.statusCode).to.equal(200);
    expect(page.headers['content-security-policy']).to.include("script-src 'self'");
    expect(html).to.include('id="input"').and.include('src="ui/app.js"');
    const opened = await request(`${emu.url}/ui/api/open`, {
      method: 'POST', body: JSON.stringify({ from: 1, bot: 'echo' }), headers: { 'content-type': 'application/json' },
    });
    const { result: { chatId } } = await opened.body.json() as { result: { chatId: number } };
    const post = await request(`${emu.url}/ui/api/send`, {
      method: 'POST', body: JSON.stringify({ from: 1, chatId, text: '<b>hello</b><img src=x onerror=alert(1)>' }),
      headers: { 'content-type': 'application/json' },
    });
    expect(post.statusCode).to.equal(200);
    await post.body.dump();
    const list = await (await request(`${emu.url}/ui/api/messages?chat=${chatId}`)).body.json() as Array<{ html: string }>;
    expect(list.at(-1)?.html).to.equal('&#60;b&#62;hello&#60;/b&#62;&#60;img src=x onerror=alert(1)&#62;');
  });
});
