import { expect } from 'chai';
import { PageTokens } from '../../src/http/app-page-session.js';
import { RecentErrors } from '../../src/http/app-page-errors.js';

describe('app page tokens', () => {
  let now = 1_000_000;
  const tokens = (o: { ttl?: number; secret?: string } = {}): PageTokens =>
    new PageTokens({ secret: o.secret ?? 'a-secret-of-at-least-32-characters!!', clock: () => now, sessionTtlMs: o.ttl ?? 60_000, adminCsrfTtlMs: 120_000 });
  beforeEach(() => void (now = 1_000_000));

  it('a session carries the portal, the user and its expiry, and ends at the expiry', () => {
    const t = tokens();
    const { token, expiresAt } = t.issue('member-1', 7);
    expect(expiresAt).to.equal(now + 60_000);
    expect(t.verify(token)).to.deep.equal({ memberId: 'member-1', userId: 7, expiresAt });
    now += 59_999;
    expect(t.verify(token)).to.not.equal(null);
    now += 1;
    expect(t.verify(token)).to.equal(null);
  });

  it('refuses a tampered, re-signed, truncated or foreign token', () => {
    const t = tokens();
    const { token } = t.issue('member-1', 7);
    const [payload, mac] = token.split('.') as [string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const other = (c: Record<string, unknown>): string => `${Buffer.from(JSON.stringify(c)).toString('base64url')}.${mac}`;
    for (const bad of [other({ ...claims, u: 1 }), other({ ...claims, m: 'member-2' }), other({ ...claims, e: now + 1e9 }), payload, `${token}.x`,
      `${payload}.${mac.slice(1)}`, tokens({ secret: 'another-secret-of-32-characters-long' }).issue('member-1', 7).token, '', 'x'.repeat(2000), 42, null]) {
      expect(t.verify(bad), String(bad).slice(0, 60)).to.equal(null);
    }
  });

  it('binds the CSRF token to its session, and keeps the token kinds apart', () => {
    const t = tokens();
    const a = t.issue('member-1', 7).token;
    now += 1;
    const b = t.issue('member-1', 7).token;
    expect(t.csrfValid(a, t.csrf(a))).to.equal(true);
    expect(t.csrfValid(a, t.csrf(b))).to.equal(false);
    expect(t.csrfValid(a, undefined)).to.equal(false);
    expect(t.csrfValid(a, '')).to.equal(false);
    expect(t.adminCsrfValid(t.csrf(a)), 'a session CSRF token is not an admin one').to.equal(false);
    expect(t.verify(t.adminCsrf()), 'an admin CSRF token is not a session').to.equal(null);
  });

  it('admin CSRF tokens expire and must be signed with this secret', () => {
    const t = tokens();
    const token = t.adminCsrf();
    expect(t.adminCsrfValid(token)).to.equal(true);
    const [expiry, mac] = token.split('.') as [string, string];
    expect(t.adminCsrfValid(`${Number(expiry) + 1}.${mac}`)).to.equal(false);
    expect(tokens({ secret: 'another-secret-of-32-characters-long' }).adminCsrfValid(token)).to.equal(false);
    now += 120_000;
    expect(t.adminCsrfValid(token)).to.equal(false);
  });
});

describe('recent errors of the app page', () => {
  it('keeps the newest warn and error lines per portal that name one, redacted, newest first', () => {
    let now = 5;
    const recent = new RecentErrors({ perPortal: 2, clock: () => now });
    const lines: string[] = [];
    const log = recent.tap({ error: (m) => lines.push(m), warn: (m) => lines.push(m), info: (m) => lines.push(m), debug: (m) => lines.push(m) });
    log.info('an info line', { memberId: 'm1' });
    log.warn('no portal named');
    log.warn('first', { memberId: 'm1', code: 'EVENT_FORGED' });
    now = 6;
    log.error('second', { memberId: 'm1', err: Object.assign(new Error('call failed: https://x.bitrix24.com/rest/1/secretcode123/profile'), { code: 'B24_TRANSPORT' }) });
    now = 7;
    log.warn('third', { memberId: 'm1', reason: 'ACCESS_DENIED' });
    expect(lines).to.deep.equal(['an info line', 'no portal named', 'first', 'second', 'third']);
    expect(recent.list('m1')).to.deep.equal([
      { at: 7, level: 'warn', message: 'third', code: null, detail: 'ACCESS_DENIED' },
      { at: 6, level: 'error', message: 'second', code: 'B24_TRANSPORT', detail: 'call failed: https://x.bitrix24.com/rest/1/***/profile' },
    ]);
    expect(recent.list('m2')).to.deep.equal([]);
  });

  it('forgets the portal written least recently beyond its portal cap', () => {
    const recent = new RecentErrors({ maxPortals: 2 });
    recent.record('a', 'warn', 'x');
    recent.record('b', 'warn', 'x');
    recent.record('a', 'warn', 'y');
    recent.record('c', 'warn', 'x');
    expect([recent.list('a').length, recent.list('b').length, recent.list('c').length]).to.deep.equal([2, 0, 1]);
  });
});
