import { expect } from 'chai';
import fc from 'fast-check';
import { request } from 'undici';
import { encodePhpForm } from '../../src/protocol/php-form.js';
import { post, startStack, type Stack } from './harness.js';

const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';

interface BadInput {
  name: string;
  body: string | Buffer;
  type?: string;
  status: number;
  code?: string;
}

function envelope(memberId: string, token: string, event = 'ONIMBOTV2MESSAGEADD'): Record<string, unknown> {
  return { event, ts: '1772097308', auth: { member_id: memberId, application_token: token, domain: '127.0.0.1' } };
}

function corpus(memberId: string, token: string): BadInput[] {
  const good = (extra: Record<string, unknown>): string => encodePhpForm({ ...envelope(memberId, token), ...extra });
  const install = (endpoint: string): string => encodePhpForm({
    event: 'ONAPPINSTALL', data: { VERSION: '1', LANGUAGE_ID: 'en' }, ts: '1',
    auth: { access_token: 'a', refresh_token: 'r', expires_in: '3600', domain: new URL(endpoint).host || 'x', client_endpoint: endpoint, member_id: 'evil', application_token: 't', scope: 'imbot' },
  });
  return [
    { name: 'empty body', body: '', status: 400, code: 'BODY_MALFORMED' },
    { name: 'whitespace body', body: '   ', status: 400, code: 'BODY_MALFORMED' },
    { name: 'a bare word', body: 'garbage', status: 400, code: 'EVENT_INVALID' },
    { name: 'invalid percent escape', body: 'event=%zz', status: 400, code: 'BODY_MALFORMED' },
    { name: 'truncated percent escape', body: 'event=%', status: 400, code: 'BODY_MALFORMED' },
    { name: 'invalid UTF-8 in an escape', body: 'event=%C3%28', status: 400, code: 'BODY_MALFORMED' },
    { name: 'invalid UTF-8 bytes', body: Buffer.from([0x65, 0x3d, 0xff, 0xfe]), status: 400, code: 'BODY_MALFORMED' },
    { name: '2,000 parameters', body: Array.from({ length: 2000 }, (_, i) => `p${i}=1`).join('&'), status: 413, code: 'BODY_TOO_MANY_PARAMS' },
    { name: '40-level nesting', body: `event=X&a${'[b]'.repeat(40)}=1`, status: 400, code: 'BODY_TOO_DEEP' },
    { name: '1 MB body', body: `event=${'x'.repeat(1024 * 1024)}`, status: 413, code: 'BODY_TOO_LARGE' },
    { name: '300 KB value', body: `event=X&data=${'y'.repeat(300 * 1024)}`, status: 413, code: 'BODY_TOO_LARGE' },
    { name: '__proto__ keys', body: '__proto__[polluted]=1&__proto__=1', status: 400, code: 'EVENT_INVALID' },
    { name: 'constructor[prototype] keys', body: `constructor[prototype][polluted]=1&${good({})}`, status: 400 },
    { name: 'toString and hasOwnProperty keys', body: `toString=1&hasOwnProperty=1&valueOf=1`, status: 400, code: 'EVENT_INVALID' },
    { name: 'data[__proto__] keys', body: good({ data: { __proto__x: '1' } }).replace('__proto__x', '__proto__'), status: 400 },
    { name: 'missing event', body: encodePhpForm({ auth: { member_id: memberId, application_token: token } }), status: 400, code: 'EVENT_INVALID' },
    { name: 'empty event', body: encodePhpForm({ ...envelope(memberId, token), event: '' }), status: 400, code: 'EVENT_INVALID' },
    { name: 'event as an array', body: `event[]=ONIMBOTV2MESSAGEADD&${good({}).replace(/^event=[^&]*&/, '')}`, status: 400, code: 'EVENT_INVALID' },
    { name: 'event as a map', body: `event[a]=b`, status: 400, code: 'EVENT_INVALID' },
    { name: 'event given twice', body: `event=A&event=B&auth[member_id]=${memberId}&auth[application_token]=${token}`, status: 400, code: 'EVENT_INVALID' },
    { name: 'no auth', body: 'event=ONIMBOTV2MESSAGEADD', status: 400, code: 'EVENT_INVALID' },
    { name: 'auth as a string', body: 'event=ONIMBOTV2MESSAGEADD&auth=abc', status: 400, code: 'EVENT_INVALID' },
    { name: 'application_token as an array', body: `event=ONIMBOTV2MESSAGEADD&auth[member_id]=${memberId}&auth[application_token][]=x`, status: 400, code: 'EVENT_INVALID' },
    { name: 'member_id as a map', body: `event=ONIMBOTV2MESSAGEADD&auth[member_id][x]=1&auth[application_token]=${token}`, status: 400, code: 'EVENT_INVALID' },
    { name: 'unknown event without a valid token', body: encodePhpForm(envelope(memberId, 'wrong', 'ONSOMETHINGNEW')), status: 401, code: 'EVENT_FORGED' },
    { name: 'unknown event from an unknown portal', body: encodePhpForm(envelope('nobody', token, 'ONSOMETHINGNEW')), status: 401, code: 'EVENT_UNKNOWN_PORTAL' },
    { name: 'known event with a wrong token', body: encodePhpForm(envelope(memberId, 'wrong')), status: 401, code: 'EVENT_FORGED' },
    { name: 'genuine envelope, no data', body: good({}), status: 400, code: 'EVENT_INVALID' },
    { name: 'genuine envelope, data as a string', body: good({ data: 'x' }), status: 400, code: 'EVENT_INVALID' },
    { name: 'genuine envelope, message as a string', body: good({ data: { bot: { id: '1', code: 'echo' }, message: 'x' } }), status: 400, code: 'EVENT_INVALID' },
    { name: 'genuine envelope, bot id not a number', body: good({ data: { bot: { id: 'abc', code: 'echo' } } }), status: 400, code: 'EVENT_INVALID' },
    { name: 'install without auth', body: 'event=ONAPPINSTALL&data[VERSION]=1', status: 400, code: 'EVENT_INVALID' },
    { name: 'install with a javascript: endpoint', body: install('javascript:alert(1)'), status: 403, code: 'INSTALL_HOST_REFUSED' },
    { name: 'install with a metadata-service endpoint', body: install('http://169.254.169.254/rest/'), status: 403, code: 'INSTALL_HOST_REFUSED' },
    { name: 'install with a file: endpoint', body: install('file:///etc/passwd'), status: 403, code: 'INSTALL_HOST_REFUSED' },
    { name: 'install with an https look-alike host', body: install('https://acme.bitrix24.com.evil.io/rest/'), status: 403, code: 'INSTALL_HOST_REFUSED' },
    { name: 'charset koi8-r', body: 'event=X', type: `${FORM}; charset=koi8-r`, status: 415, code: 'BODY_UNSUPPORTED_TYPE' },
    { name: 'text/plain', body: 'event=X', type: 'text/plain', status: 415, code: 'BODY_UNSUPPORTED_TYPE' },
    { name: 'multipart', body: '--x\r\n\r\n--x--', type: 'multipart/form-data; boundary=x', status: 415, code: 'BODY_UNSUPPORTED_TYPE' },
    { name: 'JSON syntax error', body: '{"event":', type: JSON_TYPE, status: 400, code: 'BODY_MALFORMED' },
    { name: 'JSON array', body: '[]', type: JSON_TYPE, status: 400, code: 'BODY_MALFORMED' },
    { name: 'JSON string', body: '"ONIMBOTV2MESSAGEADD"', type: JSON_TYPE, status: 400, code: 'BODY_MALFORMED' },
    { name: 'JSON null', body: 'null', type: JSON_TYPE, status: 400, code: 'BODY_MALFORMED' },
    { name: 'JSON __proto__', body: '{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}}}', type: JSON_TYPE, status: 400, code: 'EVENT_INVALID' },
    { name: 'JSON 100-level nesting', body: `{"event":"X","a":${'['.repeat(100)}${']'.repeat(100)}}`, type: JSON_TYPE, status: 400, code: 'BODY_TOO_DEEP' },
    { name: 'JSON event as a number', body: '{"event":5,"auth":{"member_id":"m","application_token":"t"}}', type: JSON_TYPE, status: 400, code: 'EVENT_INVALID' },
    { name: 'JSON with the wrong shape', body: JSON.stringify({ ...envelope(memberId, token), data: [1, 2, 3] }), type: JSON_TYPE, status: 400, code: 'EVENT_INVALID' },
  ];
}

describe('e2e intake: bad input', function () {
  this.timeout(30_000);
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(async () => stack.close());

  it('answers every input of the corpus with its 4xx and a JSON error, touching nothing', async () => {
    const cases = corpus(stack.emu.portal.memberId, stack.emu.portal.applicationToken);
    expect(cases.length).to.be.at.least(40);
    const requestsBefore = stack.emu.portal.requests().length;
    for (const c of cases) {
      const res = await post(`${stack.url}/events`, c.body, c.type ?? FORM);
      expect(res.status, c.name).to.equal(c.status);
      expect(res.body['error'], c.name).to.be.a('string');
      expect(res.body['message'], c.name).to.be.a('string');
      if (c.code) expect(res.body['error'], c.name).to.equal(c.code);
      expect(({} as Record<string, unknown>)['polluted'], c.name).to.equal(undefined);
    }
    expect(stack.emu.portal.requests().length, 'no REST call was made').to.equal(requestsBefore);
    expect(await stack.kit.store.inboxPending(100)).to.have.length(0);
    const health = await request(`${stack.url}/healthz`);
    expect(health.statusCode).to.equal(200);
    await health.body.dump();
  });

  it('answers unknown routes with 404 JSON', async () => {
    const res = await post(`${stack.url}/nope`, 'x=1');
    expect(res).to.deep.equal({ status: 404, body: { error: 'NOT_FOUND', message: 'no route POST /nope' } });
  });

  it('answers a genuine event of an unknown type with 200 and ignores it', async () => {
    const res = await post(`${stack.url}/events`, encodePhpForm(envelope(stack.emu.portal.memberId, stack.emu.portal.applicationToken, 'ONFUTUREEVENT')));
    expect(res).to.deep.equal({ status: 200, body: { ok: true, ignored: true } });
  });

  it('answers any string body with 2xx or 4xx, never 5xx (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.stringMatching(/^[a-z[\]%=&_0-9]{0,80}$/)), async (body) => {
        const res = await post(`${stack.url}/events`, body);
        return res.status >= 200 && res.status < 500;
      }),
      { numRuns: 150 },
    );
  });
});
