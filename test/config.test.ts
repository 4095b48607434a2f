import { expect } from 'chai';
import { CONFIG_VARIABLES, loadConfig } from '../src/config.js';
import { BotkitError } from '../src/errors.js';
import { isAllowedPortalUrl, parseHostPatterns } from '../src/http/host-allowlist.js';

function configError(env: NodeJS.ProcessEnv): string {
  try {
    loadConfig(env);
  } catch (e) {
    expect(e).to.be.instanceOf(BotkitError).and.to.have.property('code', 'CONFIG_INVALID');
    return (e as Error).message;
  }
  throw new Error('expected CONFIG_INVALID');
}

describe('config', () => {
  it('has working defaults with an empty environment', () => {
    const c = loadConfig({});
    expect(c).to.deep.include({ port: 3000, host: '0.0.0.0', publicUrl: 'http://localhost:3000', botApi: 'v2', eventMode: 'webhook', logLevel: 'info' });
    expect(c.rateLimit).to.deep.equal({ rate: 2, burst: 50 });
    expect(c.oauthUrl).to.equal('https://oauth.bitrix24.tech/oauth/token/');
    expect(isAllowedPortalUrl('https://acme.bitrix24.com/rest/', c.portalHosts)).to.equal(true);
  });

  it('defaults to fetch mode with only a webhook URL, and parses presets and custom buckets', () => {
    const c = loadConfig({ B24_WEBHOOK_URL: 'https://acme.bitrix24.com/rest/1/abc', B24_RATE_LIMIT: 'enterprise' });
    expect(c.eventMode).to.equal('fetch');
    expect(c.webhookUrl).to.equal('https://acme.bitrix24.com/rest/1/abc/');
    expect(c.rateLimit).to.deep.equal({ rate: 5, burst: 250 });
    expect(loadConfig({ B24_RATE_LIMIT: '20/50' }).rateLimit).to.deep.equal({ rate: 20, burst: 50 });
  });

  it('reports every bad variable by name in one error', () => {
    const msg = configError({ PORT: 'abc', B24_BOT_API: 'v3', LOG_LEVEL: 'loud', B24_RATE_LIMIT: 'fast', B24_WEBHOOK_URL: 'not a url' });
    for (const name of ['PORT', 'B24_BOT_API', 'LOG_LEVEL', 'B24_RATE_LIMIT', 'B24_WEBHOOK_URL']) expect(msg).to.contain(name);
  });

  it('refuses half an OAuth app, a port out of range and a bad host pattern', () => {
    expect(configError({ B24_CLIENT_ID: 'x' })).to.contain('B24_CLIENT_SECRET');
    expect(configError({ PORT: '70000' })).to.contain('PORT');
    expect(loadConfig({ PORT: '0' }).port).to.equal(0);
    expect(configError({ B24_PORTAL_HOSTS: 'bad host!' })).to.contain('B24_PORTAL_HOSTS');
    expect(configError({ B24_BOT_API: 'v1', B24_EVENT_MODE: 'fetch' })).to.contain('B24_EVENT_MODE: fetch needs B24_BOT_API=v2');
    expect(configError({ B24_OAUTH_URL: 'http://oauth.example.com/oauth/token/' })).to.contain('B24_OAUTH_URL: must be https');
    expect(loadConfig({ B24_OAUTH_URL: 'http://127.0.0.1:3100/oauth/token/' }).oauthUrl).to.equal('http://127.0.0.1:3100/oauth/token/');
    expect(configError({ B24_POLL_INTERVAL_MS: '0' })).to.contain('B24_POLL_INTERVAL_MS');
    expect(loadConfig({ B24_BOT_API: 'v1', B24_WEBHOOK_URL: 'https://a.bitrix24.com/rest/1/x/' }).eventMode).to.equal('webhook');
  });

  it('lists every variable in .env.example and the README', async () => {
    const { readFile } = await import('node:fs/promises');
    const example = await readFile('.env.example', 'utf8');
    const readme = await readFile('README.md', 'utf8');
    for (const name of CONFIG_VARIABLES) {
      expect(example, `.env.example lacks ${name}`).to.contain(name);
      expect(readme, `README lacks ${name}`).to.contain(`\`${name}\``);
    }
  });
});

describe('http/host-allowlist', () => {
  const hosts = parseHostPatterns('*.bitrix24.com,portal.example.com:8443,127.0.0.1:*');
  const cases: Array<[string, boolean]> = [
    ['https://acme.bitrix24.com/rest/', true],
    ['https://bitrix24.com/rest/', false],
    ['https://acme.bitrix24.com.evil.io/rest/', false],
    ['http://acme.bitrix24.com/rest/', false],
    ['https://acme.bitrix24.com:8443/rest/', false],
    ['https://portal.example.com:8443/rest/', true],
    ['https://portal.example.com/rest/', false],
    ['http://127.0.0.1:3100/rest/', true],
    ['https://user:pw@acme.bitrix24.com/rest/', false],
    ['not a url', false],
  ];
  for (const [url, ok] of cases) {
    it(`${ok ? 'allows' : 'refuses'} ${url}`, () => expect(isAllowedPortalUrl(url, hosts)).to.equal(ok));
  }
});
