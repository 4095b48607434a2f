import { readFileSync } from 'node:fs';
import { AjaxError, ApiVersion, B24Hook, B24OAuth, EnumAppStatus, LoggerFactory } from '@bitrix24/b24jssdk';
import { expect } from 'chai';
import { startEmulator, type Emulator } from '@b24-botkit/emulator';
import { createLogger } from '../../src/log.js';

// The official JS SDK, unchanged, against the emulator. Run by b24jssdk.test.ts in a child process
// whose NODE_EXTRA_CA_CERTS names the emulator's self-signed certificate (node reads it at start only).
// SDK facts used below are from @bitrix24/b24jssdk 2.2.0 dist: hook/b24.mjs (https only), oauth/auth.mjs
// (client_endpoint + '/method' = `/rest//method`; refresh at server_endpoint without `/rest/` + `/oauth/token/`),
// core/http/abstract-http.mjs (401 expired_token -> one refresh and a retry), limiters/manager.mjs (503 = rate limit).

const keyFile = process.env['EMULATOR_TLS_KEY'] ?? '';
const certFile = process.env['NODE_EXTRA_CA_CERTS'] ?? '';
const quiet = { restrictionParams: { maxRetries: 1 } };

function silenceSdk(b24: B24Hook | B24OAuth): void {
  b24.setLogger(LoggerFactory.createNullLogger());
}

// callMethod/callBatch print a deprecation notice through console.warn on every call (they stay in 2.x).
const warn = console.warn.bind(console);
console.warn = (...args: unknown[]): void => {
  if (!String(args[0]).includes('is deprecated')) warn(...args);
};

describe('@bitrix24/b24jssdk against the emulator (https, unchanged SDK)', function () {
  this.timeout(20_000);
  let emu: Emulator;
  let hook: B24Hook;

  before(async () => {
    emu = await startEmulator({
      https: { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8') },
      rateLimit: null, log: createLogger({ silent: true }),
    });
    for (let i = 0; i < 120; i++) emu.portal.users.add({ name: `User${i} Test` });
    hook = B24Hook.fromWebhookUrl(emu.portal.createWebhook({ userId: 1 }), quiet);
    silenceSdk(hook);
  });
  after(() => emu.close());

  it('webhook client: callMethod over https', async () => {
    expect(emu.url).to.match(/^https:\/\/127\.0\.0\.1:\d+$/);
    const res = await hook.callMethod('user.current');
    expect(res.isSuccess).to.equal(true);
    expect((res.getData()?.result as { ID: string }).ID).to.equal('1');
  });

  it('list paging with start/next/total (docs user/user-get.md: 50 a page)', async () => {
    const http = hook.getHttpClient(ApiVersion.v2);
    const ids = (r: { getData(): { result: unknown } | undefined } | null | undefined): string[] =>
      (r?.getData()?.result as Array<{ ID: string }>).map((u) => u.ID);
    const first = await hook.callMethod('user.get', {}, 0);
    expect(ids(first)).to.have.length(50);
    expect(first.getTotal()).to.equal(121);
    expect(first.isMore()).to.equal(true);
    const second = await first.fetchNext(http);
    expect(ids(second)[0]).to.equal('51');
    const third = await second?.fetchNext(http);
    expect(ids(third)).to.have.length(21);
    expect(ids(third).at(-1)).to.equal('121');
    expect(third?.isMore()).to.equal(false);
    const starts = emu.portal.requests().filter((r) => r.method === 'user.get').length;
    expect(starts).to.equal(3);
  });

  it('list helpers page by cursor (>ID, start=-1) and collect every row', async () => {
    const all = await hook.actions.v2.callList.make<{ ID: string }>({ method: 'user.get', params: {}, idKey: 'ID' });
    expect(all.isSuccess).to.equal(true);
    expect(all.getData()?.length).to.equal(121);
  });

  it('callBatch as an object and as an array', async () => {
    const obj = await hook.callBatch({ me: { method: 'user.current' }, page: { method: 'user.get', params: { start: 50 } } }, true);
    expect(obj.isSuccess).to.equal(true);
    const data = obj.getData() as { me: { ID: string }; page: unknown[] };
    expect(data.me.ID).to.equal('1');
    expect(data.page).to.have.length(50);
    const arr = await hook.callBatch([['user.current', {}], ['server.time', {}]], true);
    expect(arr.isSuccess).to.equal(true);
    expect((arr.getData() as Array<{ ID?: string }>)[0]?.ID).to.equal('1');
  });

  it('callBatch with halt stops at the first error; without halt the others still run', async () => {
    const before = emu.portal.counters().batchCommands;
    const halted = await hook.callBatch([['no.such.method', {}], ['user.current', {}]], true);
    expect(halted.isSuccess).to.equal(false);
    expect(halted.getErrorMessages().join(' ')).to.match(/Method not found/i);
    const soft = await hook.callBatch({ bad: { method: 'no.such.method' }, me: { method: 'user.current' } }, false);
    expect(soft.isSuccess).to.equal(false);
    expect((soft.getData() as { me?: { ID: string } }).me?.ID).to.equal('1');
    const sent = emu.portal.requests().filter((r) => r.method === 'batch').slice(-2).map((r) => r.batchSize);
    expect(sent).to.deep.equal([2, 2]);
    expect(emu.portal.counters().batchCommands - before).to.equal(4);
  });

  it('sees a 503 as QUERY_LIMIT_EXCEEDED with status 503', async () => {
    const off = emu.faults.add({ method: 'user.current', kind: 'status', status: 503, error: 'QUERY_LIMIT_EXCEEDED', errorDescription: 'Too many requests' });
    try {
      await hook.callMethod('user.current');
      expect.fail('the SDK should throw');
    } catch (e) {
      expect(e).to.be.instanceOf(AjaxError);
      expect((e as AjaxError).status).to.equal(503);
      expect((e as AjaxError).code).to.equal('QUERY_LIMIT_EXCEEDED');
    } finally {
      off();
    }
  });

  it('OAuth client: /rest//method is served and expired_token triggers one refresh and a retry', async () => {
    const t = emu.portal.issueTokens(1);
    const b24 = new B24OAuth({
      applicationToken: emu.portal.applicationToken, userId: 1, memberId: emu.portal.memberId,
      accessToken: t.accessToken, refreshToken: t.refreshToken, expires: Math.floor(Date.now() / 1000) + t.expiresIn,
      expiresIn: t.expiresIn, scope: 'imbot,im', domain: emu.portal.domain, clientEndpoint: emu.portal.clientEndpoint,
      serverEndpoint: `${emu.url}/rest/`, status: EnumAppStatus.Local,
    }, { clientId: emu.clientId, clientSecret: emu.clientSecret }, quiet);
    silenceSdk(b24);
    const refreshed: string[] = [];
    b24.setCallbackRefreshAuth(async ({ authData }) => void refreshed.push(String(authData && authData.access_token)));
    expect((await b24.callMethod('profile')).getData()?.result).to.include({ ID: '1', ADMIN: true }); // DOC api-reference/common/users/profile.md: ID is a string
    expect(emu.portal.requests().at(-1)?.path).to.match(/^\/rest\/\/profile$/);
    emu.portal.expireAccessTokens();
    const after = await b24.callMethod('user.current');
    expect((after.getData()?.result as { ID: string }).ID).to.equal('1');
    const tail = emu.portal.requests().slice(-3).map((r) => `${r.method}:${r.status}:${r.error ?? ''}`);
    expect(tail).to.deep.equal(['user.current:401:expired_token', 'oauth.token:200:', 'user.current:200:']);
    expect(refreshed).to.have.length(1);
    const batch = await b24.callBatch({ me: { method: 'user.current' } }, true);
    expect((batch.getData() as { me: { ID: string } }).me.ID).to.equal('1');
  });
});
