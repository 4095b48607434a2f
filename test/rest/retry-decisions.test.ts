import { expect } from 'chai';
import { backoffDelay } from '../../src/backoff.js';
import { classifyFailure } from '../../src/outbox/failure.js';
import {
  apiErrorFrom, B24HostRefusedError, B24PortalUnknownError, B24ReinstallRequiredError, B24TimeoutError, B24TransportError,
} from '../../src/rest/errors.js';
import { decideRetry, DEFAULT_RETRY, isRetrySafe } from '../../src/rest/retry.js';

const SEND = 'imbot.v2.Chat.Message.send';
const MARKED = { botId: 1, dialogId: '1', fields: { message: 'hi', templateId: '6f1c2a3b-4d5e-4f60-9a7b-8c9d0e1f2a3b' } };
const UNMARKED = { botId: 1, dialogId: '1', fields: { message: 'hi' } };
const api = (status: number, apiCode: string): Error => apiErrorFrom({ method: SEND, status, apiCode, description: '' });
const net = (maybeExecuted: boolean): Error => new B24TransportError({ method: SEND, maybeExecuted, transportCode: 'ECONNRESET', message: 'reset' });
const ctx = (over: Partial<Parameters<typeof decideRetry>[1]> = {}): Parameters<typeof decideRetry>[1] => ({
  method: SEND, params: MARKED, attempt: 0, limited: 1, refreshed: false, canRefresh: true, opts: DEFAULT_RETRY, ...over,
});

// Each row is one branch of the client's retry policy (src/rest/retry.ts decideRetry); removing or
// loosening a guard flips at least one row.
describe('rest/retry: every decision of the client retry loop', () => {
  const rows: Array<[string, Error, Partial<Parameters<typeof decideRetry>[1]>, string]> = [
    ['expired token, can refresh, not yet refreshed → refresh', api(401, 'expired_token'), {}, 'refresh'],
    ['expired token after one refresh → fail (no loop)', api(401, 'expired_token'), { refreshed: true }, 'fail'],
    ['expired token on a webhook portal (cannot refresh) → fail', api(401, 'expired_token'), { canRefresh: false }, 'fail'],
    ['503 QUERY_LIMIT_EXCEEDED within the rate-limit budget → retry at once (the limiter waits)', api(503, 'QUERY_LIMIT_EXCEEDED'), { limited: 12 }, 'retry'],
    ['503 QUERY_LIMIT_EXCEEDED beyond the budget → fail', api(503, 'QUERY_LIMIT_EXCEEDED'), { limited: 13 }, 'fail'],
    ['429 OPERATION_TIME_LIMIT within the budget → retry', api(429, 'OPERATION_TIME_LIMIT'), { limited: 1 }, 'retry'],
    ['5xx on a call with a templateId → retry', api(502, 'BAD_GATEWAY'), {}, 'retry'],
    ['5xx on an unmarked send → fail (it may have posted)', api(502, 'BAD_GATEWAY'), { params: UNMARKED }, 'fail'],
    ['5xx on a read → retry', api(500, 'INTERNAL'), { method: 'user.get', params: {} }, 'retry'],
    ['reset after sending, unmarked send → fail', net(true), { params: UNMARKED }, 'fail'],
    ['reset after sending, marked send → retry', net(true), {}, 'retry'],
    ['connection refused (never sent), unmarked send → retry', net(false), { params: UNMARKED }, 'retry'],
    ['timeout after sending, unmarked → fail', new B24TimeoutError({ method: SEND, maybeExecuted: true, transportCode: 'UND_ERR_HEADERS_TIMEOUT', message: 't' }), { params: UNMARKED }, 'fail'],
    ['network error on the last attempt → fail', net(false), { attempt: DEFAULT_RETRY.attempts - 1 }, 'fail'],
    ['a 4xx refusal → fail', api(400, 'ACCESS_DENIED'), {}, 'fail'],
    ['MESSAGE_DUPLICATED_BY_UUID → retry with backoff', api(400, 'MESSAGE_DUPLICATED_BY_UUID'), {}, 'retry'],
  ];
  for (const [title, error, over, kind] of rows) {
    it(title, () => {
      expect(decideRetry(error, ctx(over)).kind).to.equal(kind);
    });
  }

  it('backs off exponentially with jitter, capped, for network errors and 5xx', () => {
    const d = (attempt: number, r: number): number => {
      const out = decideRetry(net(false), ctx({ attempt, opts: { ...DEFAULT_RETRY, attempts: 99 } }));
      return out.kind === 'retry' ? backoffDelay({ baseMs: DEFAULT_RETRY.baseDelayMs, maxMs: DEFAULT_RETRY.maxDelayMs }, attempt, { random: () => r }) : -1;
    };
    expect([d(0, 1), d(1, 1), d(2, 1)]).to.deep.equal([500, 1000, 2000]);
    expect(d(0, 0)).to.equal(250);
    expect(d(30, 1)).to.equal(DEFAULT_RETRY.maxDelayMs);
  });

  it('treats reads, platform-deduplicated methods and marked sends as safe to repeat, and nothing else', () => {
    expect(isRetrySafe('user.get', {})).to.equal(true);
    expect(isRetrySafe('imbot.v2.Bot.register', {})).to.equal(true);
    expect(isRetrySafe(SEND, MARKED)).to.equal(true);
    expect(isRetrySafe(SEND, UNMARKED)).to.equal(false);
    expect(isRetrySafe('imbot.message.add', {})).to.equal(false);
    expect(isRetrySafe('imbot.v2.Chat.Message.update', {})).to.equal(false);
  });
});

describe('outbox/failure: every decision of the outbox', () => {
  const rows: Array<[string, unknown, Record<string, unknown>, 'retry' | 'dead']> = [
    ['429 time limit → retry later', api(429, 'OPERATION_TIME_LIMIT'), MARKED, 'retry'],
    ['503 rate limit → retry later', api(503, 'QUERY_LIMIT_EXCEEDED'), MARKED, 'retry'],
    ['5xx, marked → retry', api(502, 'BAD_GATEWAY'), MARKED, 'retry'],
    ['5xx, unmarked → dead (delivery unknown)', api(502, 'BAD_GATEWAY'), UNMARKED, 'dead'],
    ['reset after sending, unmarked → dead', net(true), UNMARKED, 'dead'],
    ['never sent → retry', net(false), UNMARKED, 'retry'],
    ['portal refusal → dead', api(400, 'ACCESS_DENIED'), MARKED, 'dead'],
    ['reinstall required → dead', new B24ReinstallRequiredError('m1'), MARKED, 'dead'],
    ['unknown portal → dead', new B24PortalUnknownError('m1'), MARKED, 'dead'],
    ['refused host → dead', new B24HostRefusedError('evil.example'), MARKED, 'dead'],
    ['an uncoded error (a bug, a store hiccup) → retry', new Error('boom'), MARKED, 'retry'],
  ];
  for (const [title, error, params, kind] of rows) {
    it(title, () => {
      expect(classifyFailure(error, SEND, params).kind).to.equal(kind);
    });
  }

  it('a reset time named by the portal wins over the computed step', () => {
    const e = apiErrorFrom({ method: SEND, status: 429, apiCode: 'OPERATION_TIME_LIMIT', description: '', resetAt: 1_000_000 });
    const a = classifyFailure(e, SEND, MARKED);
    expect(a.kind === 'retry' && a.notBefore).to.equal(1_000_000);
    expect(backoffDelay({ baseMs: 1000, maxMs: 300_000 }, 0, { retryAfterMs: 30_000 })).to.equal(30_000);
    expect(backoffDelay({ baseMs: 1000, maxMs: 300_000, maxRetryAfterMs: 60_000 }, 0, { retryAfterMs: 600_000 })).to.equal(60_000);
  });
});
