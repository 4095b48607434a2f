import { expect } from 'chai';
import express from 'express';
import type { Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { request } from 'undici';
import { readEventBody } from '../../src/http/body.js';
import { listen } from '../../src/http/listen.js';
import { logLines } from '../helpers/common.js';
import { startStack, type Stack } from './harness.js';

const TOKEN = 'admin-secret-for-wire-tests';

/** Opens a raw TCP connection to `url`. */
function open(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Everything the server writes on `socket` until it closes it. */
function readAll(socket: Socket): Promise<string> {
  let out = '';
  socket.on('data', (c: Buffer) => (out += String(c)));
  return new Promise((resolve) => socket.once('close', () => resolve(out)));
}

function jsonOf(response: string): Record<string, unknown> {
  return JSON.parse(response.slice(response.lastIndexOf('\r\n\r\n') + 4)) as Record<string, unknown>;
}

async function until(ok: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const basic = `Basic ${Buffer.from(`admin:${TOKEN}`).toString('base64')}`;

// Each refusal below was found by an adversarial review: a clear status, a JSON body with a stable code,
// exactly one warn line (never an error line, which would page somebody), and nothing changed.
describe('e2e: refusals at the wire are answered with their own code and logged once', function () {
  this.timeout(30_000);
  let stack: Stack;
  let logs: ReturnType<typeof logLines>;
  let seen = 0;
  /** The log lines written since the last call. */
  const fresh = (): Array<Record<string, unknown>> => {
    const all = logs.lines();
    const out = all.slice(seen);
    seen = all.length;
    return out;
  };
  before(async () => {
    logs = logLines('warn');
    stack = await startStack({ env: { ADMIN_TOKEN: TOKEN }, log: logs.log });
    fresh();
  });
  after(async () => stack.close());
  afterEach(async () => {
    expect((await request(`${stack.url}/healthz`)).statusCode, 'the server still answers').to.equal(200);
  });

  it('a body that ends before its Content-Length: 400 BODY_INCOMPLETE, one warn line, no event', async () => {
    const s = await open(stack.url);
    const out = readAll(s);
    s.end('POST /events HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\na=b');
    const answer = await out;
    expect(answer).to.match(/^HTTP\/1\.1 400 /);
    expect(jsonOf(answer)).to.have.property('error', 'BODY_INCOMPLETE');
    await new Promise((r) => setTimeout(r, 100));
    const lines = fresh();
    expect(lines.map((l) => [l['level'], l['code']])).to.deep.equal([[40, 'BODY_INCOMPLETE']]);
    expect(await stack.kit.store.inboxPending(10)).to.have.length(0);
  });

  it('a client that resets the connection mid-body: one warn line BODY_INCOMPLETE (not a 500)', async () => {
    const s = await open(stack.url);
    s.write('POST /events HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nevent=');
    await new Promise((r) => setTimeout(r, 100));
    s.resetAndDestroy();
    await until(() => logs.lines().length > seen);
    await new Promise((r) => setTimeout(r, 100));
    expect(fresh().map((l) => [l['level'], l['code']])).to.deep.equal([[40, 'BODY_INCOMPLETE']]);
  });

  it('headers Node refuses (a negative Content-Length): 400 REQUEST_BAD and one warn line', async () => {
    const s = await open(stack.url);
    const out = readAll(s);
    s.write('POST /events HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n');
    const answer = await out;
    expect(answer).to.match(/^HTTP\/1\.1 400 /);
    expect(jsonOf(answer)).to.have.property('error', 'REQUEST_BAD');
    expect(fresh().map((l) => [l['level'], l['code']])).to.deep.equal([[40, 'REQUEST_BAD']]);
  });

  it('Expect other than 100-continue: 417 EXPECTATION_FAILED as JSON, one warn line', async () => {
    const s = await open(stack.url);
    const out = readAll(s);
    s.write('POST /events HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 7\r\nExpect: foo\r\n\r\nevent=X');
    const answer = await out;
    expect(answer).to.match(/^HTTP\/1\.1 417 /);
    expect(jsonOf(answer)).to.have.property('error', 'EXPECTATION_FAILED');
    expect(fresh().map((l) => [l['level'], l['code']])).to.deep.equal([[40, 'EXPECTATION_FAILED']]);
  });

  it('Expect: 100-continue with a body over the limit: 413 at once, no "100 Continue" inviting the upload', async () => {
    const s = await open(stack.url);
    const out = readAll(s);
    s.write('POST /events HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 10485760\r\nExpect: 100-continue\r\n\r\n');
    const answer = await out;
    expect(answer).to.match(/^HTTP\/1\.1 413 /);
    expect(answer).not.to.include('100 Continue');
    expect(jsonOf(answer)).to.have.property('error', 'BODY_TOO_LARGE');
    expect(fresh().map((l) => [l['level'], l['code']])).to.deep.equal([[40, 'BODY_TOO_LARGE']]);
  });

  it('Expect: 100-continue with a body in the limit (curl sends it): 100 Continue, then the route answers', async () => {
    const s = await open(stack.url);
    const out = readAll(s);
    s.write('POST /events HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 7\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n');
    await new Promise((r) => setTimeout(r, 100));
    s.write('event=X');
    const answer = await out;
    expect(answer).to.match(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 400 /);
    expect(jsonOf(answer)).to.have.property('error', 'EVENT_INVALID');
    fresh();
  });

  it('OPTIONS on a route: 404 NOT_FOUND as JSON, not express\'s automatic "GET, HEAD"', async () => {
    for (const path of ['/admin', '/app/view', '/events', '/healthz']) {
      const res = await request(`${stack.url}${path}`, { method: 'OPTIONS', headers: { authorization: basic, accept: 'application/json' } });
      expect(res.statusCode, path).to.equal(404);
      expect(await res.body.json(), path).to.have.property('error', 'NOT_FOUND');
    }
    expect(fresh().map((l) => l['code'])).to.deep.equal(['NOT_FOUND', 'NOT_FOUND', 'NOT_FOUND', 'NOT_FOUND']);
  });

  it('/admin actions refuse bad bodies with 413/415, not 500, before the CSRF check', async () => {
    const post = async (body: string | Buffer, headers: Record<string, string> = {}): Promise<[number, unknown]> => {
      const res = await request(`${stack.url}/admin/dead/1/discard`, {
        method: 'POST', body, headers: { authorization: basic, 'x-csrf-token': 'x', 'content-type': 'application/x-www-form-urlencoded', ...headers },
      });
      return [res.statusCode, ((await res.body.json()) as { error?: unknown }).error];
    };
    expect(await post(`x=${'a'.repeat(20_000)}`)).to.deep.equal([413, 'BODY_TOO_LARGE']);
    expect(await post(Array.from({ length: 25 }, (_, i) => `x${i}=1`).join('&'))).to.deep.equal([413, 'BODY_TOO_MANY_PARAMS']);
    expect(await post('x=1', { 'content-type': 'application/x-www-form-urlencoded; charset=koi8-r' })).to.deep.equal([415, 'BODY_UNSUPPORTED_TYPE']);
    expect(await post('x=1', { 'content-encoding': 'gzip' })).to.deep.equal([415, 'BODY_ENCODED']);
    const lines = fresh();
    expect(lines.map((l) => [l['level'], l['code']])).to.deep.equal([
      [40, 'BODY_TOO_LARGE'], [40, 'BODY_TOO_MANY_PARAMS'], [40, 'BODY_UNSUPPORTED_TYPE'], [40, 'BODY_ENCODED'],
    ]);
  });

  it('a path with invalid percent-encoding: 400 PATH_MALFORMED on /admin and /app, not 500 or BODY_MALFORMED', async () => {
    const a = await request(`${stack.url}/admin/portals/%E0%A4%A/sync`, { method: 'POST', headers: { authorization: basic } });
    expect(a.statusCode).to.equal(400);
    expect(await a.body.json()).to.have.property('error', 'PATH_MALFORMED');
    const b = await request(`${stack.url}/app/bots/%E0%A4%A/unregister`, { method: 'POST', headers: { accept: 'application/json' } });
    expect(b.statusCode).to.equal(400);
    expect(await b.body.json()).to.have.property('error', 'PATH_MALFORMED');
    expect(fresh().map((l) => [l['level'], l['code']])).to.deep.equal([[40, 'PATH_MALFORMED'], [40, 'PATH_MALFORMED']]);
  });
});

describe('listen: a request slower than the request timeout', function () {
  this.timeout(20_000);
  let server: Server;
  let url: string;
  const logs = logLines('warn');
  before(async () => {
    // The same body reader as /events, behind the real listen() with a short timeout.
    const app = express();
    app.post('/events', async (req, res, next) => {
      try {
        res.json(await readEventBody(req));
      } catch (e) {
        next(e);
      }
    });
    app.use((_err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => void res.status(400).end());
    ({ server, url } = await listen(app, 0, '127.0.0.1', { log: logs.log, headersTimeoutMs: 300, requestTimeoutMs: 300 }));
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  it('answers 408 REQUEST_TIMEOUT as JSON with one warn line, not 400 and an error line', async () => {
    const s = await open(url);
    const out = readAll(s);
    s.write('POST /events HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\na');
    const answer = await out;
    expect(answer).to.match(/^HTTP\/1\.1 408 /);
    expect(jsonOf(answer)).to.have.property('error', 'REQUEST_TIMEOUT');
    await new Promise((r) => setTimeout(r, 100));
    expect(logs.lines().map((l) => [l['level'], l['code']])).to.deep.equal([[40, 'REQUEST_TIMEOUT']]);
  });
});
