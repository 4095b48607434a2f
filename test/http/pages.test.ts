import { expect } from 'chai';
import express, { type Request } from 'express';
import { loadConfig } from '../../src/config.js';
import { crossSiteReason } from '../../src/http/app-page-csrf.js';
import { RecentErrors } from '../../src/http/app-page-errors.js';
import { mountPages } from '../../src/http/pages.js';
import type { Logger } from '../../src/log.js';
import { createMemoryStore } from '../../src/store/memory.js';

/** A request as `crossSiteReason` reads it: its headers. */
function req(headers: Record<string, string>): Request {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { get: (name: string) => lower[name.toLowerCase()] } as unknown as Request;
}

describe('cross-site check of page actions', () => {
  const own = 'https://bots.example.com';
  it('accepts the own origin, the host the request was sent to, and requests without browser headers', () => {
    expect(crossSiteReason(req({ origin: own, 'sec-fetch-site': 'same-origin' }), own)).to.equal(null);
    expect(crossSiteReason(req({ origin: 'http://10.0.0.5:3000', host: '10.0.0.5:3000' }), own), 'an operator on the internal address').to.equal(null);
    expect(crossSiteReason(req({ referer: `${own}/app/view` }), own)).to.equal(null);
    expect(crossSiteReason(req({ 'sec-fetch-site': 'none' }), own), 'typed by the user').to.equal(null);
    expect(crossSiteReason(req({}), own), 'a script: the CSRF token still applies').to.equal(null);
  });

  it('refuses another origin, an opaque one, and what the browser calls cross-site or same-site', () => {
    const reasons = [
      req({ origin: 'https://evil.example', host: 'bots.example.com' }),
      req({ origin: 'https://bots.example.com.evil.example' }),
      req({ origin: 'null' }),
      req({ referer: 'https://evil.example/x' }),
      req({ origin: own, 'sec-fetch-site': 'cross-site' }),
      req({ 'sec-fetch-site': 'same-site' }),
      req({ origin: 'http://bots.example.com' }),
    ].map((r) => crossSiteReason(r, own));
    expect(reasons.every((r) => typeof r === 'string' && r.length > 0), JSON.stringify(reasons)).to.equal(true);
  });
});

describe('mountPages', () => {
  const recorder = (): { log: Logger; warns: string[] } => {
    const warns: string[] = [];
    const none = (): void => undefined;
    return { log: { error: none, info: none, debug: none, warn: (m) => void warns.push(m) }, warns };
  };
  const mount = (env: Record<string, string>): string[] => {
    const { log, warns } = recorder();
    const unused = (): Promise<never> => Promise.reject(new Error('not called'));
    mountPages(express(), {
      config: loadConfig({ DATA_DIR: '/tmp/unused', ...env }), store: createMemoryStore(), client: { callWithToken: unused }, bots: new Map(),
      target: () => ({ api: 'v2', eventMode: 'webhook', handlerUrl: 'http://localhost:3000/events' }), publicUrl: () => 'http://localhost:3000',
      errors: new RecentErrors(), ops: { planSync: unused, syncPortal: unused, unregisterBot: unused, retryDead: unused },
      health: unused, log, clock: Date.now,
    });
    return warns;
  };

  it('warns in cluster mode when APP_SESSION_SECRET is not set, and only then', () => {
    expect(mount({ DATABASE_URL: 'postgres://u@db.invalid/botkit' })).to.have.length(1);
    expect(mount({ REDIS_URL: 'redis://cache.invalid' })[0]).to.contain('APP_SESSION_SECRET is not set');
    expect(mount({ DATABASE_URL: 'postgres://u@db.invalid/botkit', APP_SESSION_SECRET: 'x'.repeat(32) })).to.deep.equal([]);
    expect(mount({})).to.deep.equal([]);
  });

  it('refuses an APP_SESSION_SECRET shorter than 32 characters', () => {
    expect(() => loadConfig({ APP_SESSION_SECRET: 'short' })).to.throw(/APP_SESSION_SECRET/);
  });
});
