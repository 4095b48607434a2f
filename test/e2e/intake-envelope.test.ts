import { expect } from 'chai';
import { chmodSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config.js';
import { startEmulator } from '../../src/emulator/index.js';
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
