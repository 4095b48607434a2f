import { expect } from 'chai';
import { chmodSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config.js';
import { startEmulator } from '@b24-botkit/emulator';
import { createLogger } from '../../src/log.js';
import { encodePhpForm, parsePhpForm, type FormObject } from '../../src/protocol/php-form.js';
import { createBotkit } from '../../src/server.js';
import { post, startStack, type Stack } from './harness.js';

let fresh = 9000;
/** The documented clock-skew allowance (README, EVENT_MAX_AGE_S; `MAX_CLOCK_SKEW_S` in src/intake/verify.ts). */
const MAX_CLOCK_SKEW_S = 60;

/** A delivered wire body with a fresh message id (so it is new work) and `edit` applied to the parsed form. */
function reworked(body: string, edit: (form: FormObject & { auth: FormObject }) => void): string {
  const form = parsePhpForm(body) as FormObject & { auth: FormObject; data: FormObject & { message: FormObject } };
  form.data.message['id'] = String(++fresh);
  edit(form);
  return encodePhpForm(form);
}

describe('e2e intake: envelope checks over loopback', function () {
  this.timeout(30_000);
  let stack: Stack;
  let genuine: { url: string; body: string };
  before(async () => {
    stack = await startStack({ env: { EVENT_MAX_AGE_S: '300' } });
    const sent = await stack.emu.portal.sendMessage({ from: 1, to: 'echo', text: 'genuine' });
    expect(sent.deliveries.map((d) => d.status)).to.deep.equal([200]);
    const d = stack.emu.portal.deliveries().find((x) => x.event === 'ONIMBOTV2MESSAGEADD');
    genuine = { url: d?.url ?? '', body: d?.body ?? '' };
  });
  after(async () => stack.close());

  // Issue 8: with EVENT_MAX_AGE_S set, omitting `ts` bypassed the window.
  it('EVENT_MAX_AGE_S refuses a missing ts and a future ts (beyond the clock-skew allowance) with 401 EVENT_STALE', async () => {
    const now = Math.floor(Date.now() / 1000);
    const cases: Array<[string, (f: FormObject) => void, number, string | undefined]> = [
      ['no ts', (f) => delete f['ts'], 401, 'EVENT_STALE'],
      ['empty ts', (f) => (f['ts'] = ''), 401, 'EVENT_STALE'],
      ['ts an hour ahead', (f) => (f['ts'] = String(now + 3600)), 401, 'EVENT_STALE'],
      ['ts just past the skew allowance', (f) => (f['ts'] = String(now + MAX_CLOCK_SKEW_S + 30)), 401, 'EVENT_STALE'],
      ['ts ten minutes old', (f) => (f['ts'] = String(now - 600)), 401, 'EVENT_STALE'],
      ['ts a little ahead, within the allowance', (f) => (f['ts'] = String(now + 20)), 200, undefined],
    ];
    for (const [name, edit, status, code] of cases) {
      const res = await post(genuine.url, reworked(genuine.body, edit));
      expect([res.status, res.body['error']], name).to.deep.equal([status, code]);
    }
    await stack.kit.idle();
    expect(await stack.kit.store.inboxPending(10)).to.have.length(0);
  });

  // Issue 8: a missing application_token is an authentication failure, not a malformed body.
  it('answers a missing or empty auth[application_token] with 401 EVENT_TOKEN_MISSING, for events and installs', async () => {
    for (const [name, edit] of [
      ['absent', (f: FormObject & { auth: FormObject }) => delete f.auth['application_token']],
      ['empty', (f: FormObject & { auth: FormObject }) => (f.auth['application_token'] = '')],
    ] as const) {
      const res = await post(genuine.url, reworked(genuine.body, edit));
      expect([res.status, res.body['error']], name).to.deep.equal([401, 'EVENT_TOKEN_MISSING']);
    }
    const install = await post(`${stack.url}/install`, encodePhpForm({
      event: 'ONAPPINSTALL', data: { VERSION: '1' },
      auth: { member_id: stack.emu.portal.memberId, domain: stack.emu.portal.domain, access_token: 'a', refresh_token: 'r', client_endpoint: stack.emu.portal.clientEndpoint },
    }));
    expect([install.status, install.body['error']]).to.deep.equal([401, 'EVENT_TOKEN_MISSING']);
  });

  // Issue 8: array items did not count toward the parameter limit, so a 244 KB body of nested arrays was
  // parsed, copied and walked (~65 ms) before anything refused it. Now every shape stops at the same
  // 1000-value limit as form keys, before JSON.parse builds anything.
  it('refuses a 256 KB JSON body of any shape by the same limits as a form body, with a valid token', async () => {
    const room = 256 * 1024 - 400;
    const head = JSON.stringify({ event: 'ONIMBOTV2MESSAGEADD', auth: { member_id: stack.emu.portal.memberId, application_token: stack.emu.portal.applicationToken } }).slice(0, -1);
    const items = (item: string): string => Array(Math.floor(room / (item.length + 1))).fill(item).join(',');
    const shapes: Array<[string, string, number, string]> = [
      ['deeply nested arrays', `${head},"data":${'['.repeat(room / 2)}${']'.repeat(room / 2)}}`, 400, 'BODY_TOO_DEEP'],
      ['many small arrays', `${head},"data":{"x":[${items('[]')}]}}`, 413, 'BODY_TOO_MANY_PARAMS'],
      ['many two-level arrays', `${head},"data":{"x":[${items('[[0]]')}]}}`, 413, 'BODY_TOO_MANY_PARAMS'],
      ['many numbers', `${head},"data":{"x":[${items('1')}]}}`, 413, 'BODY_TOO_MANY_PARAMS'],
      ['many empty objects', `${head},"data":{"x":[${items('{}')}]}}`, 413, 'BODY_TOO_MANY_PARAMS'],
      // Cut off after the values: refused for its size before JSON.parse could see the syntax error.
      ['many numbers, truncated', `${head},"data":{"x":[${items('1')}`, 413, 'BODY_TOO_MANY_PARAMS'],
    ];
    const form = Array.from({ length: 30_000 }, (_, i) => `p${i}=1`).join('&').slice(0, room);
    const formAnswer = await post(genuine.url, form);
    expect([formAnswer.status, formAnswer.body['error']], 'a form body of that size').to.deep.equal([413, 'BODY_TOO_MANY_PARAMS']);
    for (const [name, body, status, code] of shapes) {
      expect(Buffer.byteLength(body), name).to.be.within(200 * 1024, 256 * 1024);
      const res = await post(genuine.url, body, 'application/json');
      expect([res.status, res.body['error']], name).to.deep.equal([status, code]);
    }
  });

  // RFC 9110 §8.3.2: a parameter value may be a quoted-string; `charset="utf-8"` is the same charset.
  it('accepts charset="utf-8" (quoted) in Content-Type, and still refuses other charsets quoted or not', async () => {
    const body = reworked(genuine.body, () => undefined);
    const ok = await post(genuine.url, body, 'application/x-www-form-urlencoded; charset="utf-8"');
    expect(ok.status).to.equal(200);
    expect(ok.body).to.include({ ok: true, accepted: 1 });
    const refused = await post(genuine.url, body, 'application/x-www-form-urlencoded; charset="koi8-r"');
    expect([refused.status, refused.body['error']]).to.deep.equal([415, 'BODY_UNSUPPORTED_TYPE']);
  });
});

describe('e2e data at rest: DATA_DIR 0700, SQLite files 0600', function () {
  this.timeout(30_000);
  const mode = (p: string): string => (statSync(p).mode & 0o777).toString(8);

  it('creates them so on a fresh start, and tightens files an older version left 0755/0644', async () => {
    const emu = await startEmulator({ rateLimit: null });
    const root = await mkdtemp(path.join(os.tmpdir(), 'botkit-modes-'));
    const dataDir = path.join(root, 'data');
    const config = loadConfig({
      PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, B24_PORTAL_HOSTS: '127.0.0.1:*',
      B24_CLIENT_ID: 'local.emulator.app', B24_CLIENT_SECRET: 'emulator-secret', B24_OAUTH_URL: emu.oauthUrl,
    });
    const files = ['botkit.sqlite', 'botkit.sqlite-wal', 'botkit.sqlite-shm'].map((f) => path.join(dataDir, f));
    try {
      let kit = await createBotkit({ config, log: createLogger({ silent: true }) });
      const url = await kit.start();
      expect((await emu.portal.install(`${url}/install`)).status).to.equal(200); // tokens are now on disk
      expect(mode(dataDir)).to.equal('700');
      expect(files.map(mode)).to.deep.equal(['600', '600', '600']);
      for (const f of files) chmodSync(f, 0o644);
      await kit.stop(2000);
      chmodSync(dataDir, 0o755);
      chmodSync(files[0] ?? '', 0o644);
      kit = await createBotkit({ config, log: createLogger({ silent: true }) });
      await kit.start();
      expect(mode(dataDir)).to.equal('700');
      for (const f of files) expect(mode(f), f).to.equal('600');
      await kit.stop(2000);
    } finally {
      await emu.close();
      await rm(root, { recursive: true, force: true });
    }
  });
});
