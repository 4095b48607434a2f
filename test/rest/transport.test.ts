import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, errors as undiciErrors } from 'undici';
import { transportErrorFrom } from '../../src/rest/transport.js';
import { rejection, rig, webhookPortal } from './helpers.js';

function startServer(): Promise<{ server: Server; url: string; hits: () => number }> {
  let hits = 0;
  const server = createServer((req, res) => {
    hits++;
    const m = /\/rest\/1\/code\/(.+)$/.exec(req.url ?? '')?.[1];
    if (m === 'hang') return; // never answers: headers timeout
    if (m === 'reset') return void req.socket.destroy();
    if (m === 'html') return void res.writeHead(502, { 'content-type': 'text/html' }).end('<html>Bad gateway</html>');
    if (m === 'badjson') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"result": tru');
    if (m === 'truncated') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '200' });
      res.write('{"result":{"id":');
      return void setImmediate(() => res.socket?.destroy());
    }
    if (m === 'slowbody') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.write('{"result":');
    }
    if (m === 'noresult') return void res.writeHead(200).end('{"time":{}}');
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"result":true}');
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    resolve({ server, url: `http://127.0.0.1:${port}/rest/1/code/`, hits: () => hits });
  }));
}

describe('rest transport errors (loopback server)', () => {
  let srv: Awaited<ReturnType<typeof startServer>>;
  let agent: Agent;
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown): void => void unhandled.push(e);

  before(async () => {
    srv = await startServer();
    process.on('unhandledRejection', onUnhandled);
  });
  beforeEach(() => {
    agent = new Agent({ connect: { timeout: 1000 } });
  });
  afterEach(async () => {
    await agent.destroy();
  });
  after(async () => {
    process.off('unhandledRejection', onUnhandled);
    srv.server.closeAllConnections();
    await new Promise((r) => srv.server.close(r));
  });

  const cases: Array<[string, string, boolean]> = [
    ['hang', 'B24_TIMEOUT', true],
    ['slowbody', 'B24_TIMEOUT', true],
    ['reset', 'B24_TRANSPORT', true],
    ['html', 'B24_BAD_RESPONSE', true],
    ['badjson', 'B24_BAD_RESPONSE', true],
    ['truncated', 'B24_BAD_RESPONSE', true],
    ['noresult', 'B24_BAD_RESPONSE', true],
  ];
  for (const [method, code, maybeExecuted] of cases) {
    it(`${method} → ${code}, sent once (not a safe retry), no unhandled rejection`, async () => {
      const { client } = await rig(agent, [webhookPortal({ clientEndpoint: srv.url })], { timeouts: { headersMs: 150, bodyMs: 150 } });
      const before = srv.hits();
      const e = await rejection(client.call('webhook:acme', method));
      expect(e).to.include({ code, maybeExecuted, method });
      expect(srv.hits() - before).to.equal(1);
      await new Promise((r) => setImmediate(r));
      expect(unhandled).to.deep.equal([]);
      await client.close();
    });
  }

  it('maps a connection refusal to B24_TRANSPORT that did not reach the portal', async () => {
    const { client } = await rig(agent, [webhookPortal({ clientEndpoint: 'http://127.0.0.1:1/rest/1/code/' })], { retry: { attempts: 2, baseDelayMs: 1 } });
    const e = await rejection(client.call('webhook:acme', 'imbot.message.add'));
    expect(e).to.include({ code: 'B24_TRANSPORT', maybeExecuted: false, transportCode: 'ECONNREFUSED' });
    await client.close();
  });

  it('classifies every error shape: undici, fetch cause, nock Error and nock plain object', () => {
    const shapes: Array<[unknown, string, boolean]> = [
      [new undiciErrors.HeadersTimeoutError(), 'B24_TIMEOUT', true],
      [new undiciErrors.ConnectTimeoutError(), 'B24_TIMEOUT', false],
      [new undiciErrors.SocketError('other side closed'), 'B24_TRANSPORT', true],
      [new undiciErrors.ResponseContentLengthMismatchError(), 'B24_BAD_RESPONSE', true],
      [new TypeError('fetch failed', { cause: Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }) }), 'B24_TRANSPORT', false],
      [Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 'B24_TRANSPORT', true],
      [{ code: 'ETIMEDOUT', message: 'timed out' }, 'B24_TIMEOUT', true],
      [{ code: 'ECONNREFUSED', message: 'refused' }, 'B24_TRANSPORT', false],
      [new DOMException('The operation timed out.', 'TimeoutError'), 'B24_TIMEOUT', true],
      ['a string', 'B24_TRANSPORT', true],
    ];
    for (const [raw, code, maybeExecuted] of shapes) {
      const e = transportErrorFrom(raw, 'imbot.message.add');
      expect(e, String(raw)).to.include({ code, maybeExecuted, method: 'imbot.message.add' });
    }
  });

  it('rejects with the abort reason when the caller aborts a call in flight', async () => {
    const { client } = await rig(agent, [webhookPortal({ clientEndpoint: srv.url })], { timeouts: { headersMs: 5000 } });
    const ac = new AbortController();
    const p = client.call('webhook:acme', 'hang', {}, { signal: ac.signal, noBatch: true });
    setTimeout(() => ac.abort(new Error('user gave up')), 20);
    expect((await rejection(p)).message).to.equal('user gave up');
    await client.close();
  });
});
