import { expect } from 'chai';
import {
  B24ApiError, B24AuthError, B24OperationTimeLimitError, B24QueryLimitError, B24TransportError,
} from '../../src/rest/errors.js';
import { DEFAULT_RETRY, backoffMs, decideRetry, idempotencyMarker, isRetrySafe } from '../../src/rest/retry.js';

const UUID = '0f8fad5b-d9cb-469f-a165-70867728950e';
const send = (fields: unknown): Record<string, unknown> => ({ botId: 1, dialogId: '1', fields });

// The retry policy is pure: every decision is a table row here (no network, no clock).
describe('rest/retry policy', () => {
  it('treats reads, platform-deduplicated methods and marked v2 sends as safe to repeat, in any case', () => {
    const safe = [
      'user.get', 'crm.lead.LIST', 'crm.lead.fields', 'entity.search', 'app.info', 'user.current', 'crm.lead.count',
      'im.dialog.getcontext', 'im.revision.get', 'profile', 'methods', 'scope', 'server.time', 'imbot.bot.list', 'imbot.dialog.get',
      'imbot.v2.Bot.register', 'imbot.v2.Command.register', 'imbot.v2.Chat.InputAction.notify', 'imbot.chat.sendTyping',
      'imbot.v2.Chat.Message.read', 'imbot.v2.Chat.TextField.enabled',
    ];
    expect(safe.filter((m) => !isRetrySafe(m, {}))).to.deep.equal([]);
    const unsafe = ['imbot.message.add', 'imbot.v2.Chat.Message.update', 'crm.lead.add', 'im.getter', 'x.get.more', 'app.information'];
    expect(unsafe.filter((m) => isRetrySafe(m, {}))).to.deep.equal([]);
    expect(isRetrySafe('imbot.v2.Chat.Message.send', send({ message: 'x', templateId: UUID }))).to.equal(true);
    expect(isRetrySafe('imbot.v2.Chat.Message.send', send({ message: 'x' }))).to.equal(false);
  });

  it('marks only v2 sends with a platform-valid templateId that are not system messages', () => {
    expect(idempotencyMarker('imbot.v2.Chat.Message.send', send({ templateId: UUID }))).to.equal(UUID);
    expect(idempotencyMarker('IMBOT.V2.CHAT.MESSAGE.SEND', send({ templateId: UUID }))).to.equal(UUID);
    const none = [
      idempotencyMarker('imbot.v2.Chat.Message.update', send({ templateId: UUID })),
      idempotencyMarker('imbot.v2.Chat.Message.send', { fields: null }),
      idempotencyMarker('imbot.v2.Chat.Message.send', { fields: 'x' }),
      idempotencyMarker('imbot.v2.Chat.Message.send', { fields: UUID }),
      idempotencyMarker('imbot.v2.Chat.Message.send', send({ templateId: UUID, system: true })),
      idempotencyMarker('imbot.v2.Chat.Message.send', send({ templateId: UUID, system: 'Y' })),
      idempotencyMarker('imbot.v2.Chat.Message.send', send({ templateId: UUID.toUpperCase() })),
      idempotencyMarker('imbot.v2.Chat.Message.send', send({ templateId: `x${UUID}` })),
      idempotencyMarker('imbot.v2.Chat.Message.send', send({ templateId: `${UUID}x` })),
      idempotencyMarker('imbot.v2.Chat.Message.send', send({ templateId: 42 })),
      idempotencyMarker('imbot.v2.Chat.Message.send', send({ templateId: { toString: () => UUID } })),
    ];
    expect(none).to.deep.equal(none.map(() => null));
    expect(idempotencyMarker('imbot.v2.Chat.Message.send', send({ templateId: UUID, system: false }))).to.equal(UUID);
  });

  const ctx = (over: Partial<Parameters<typeof decideRetry>[1]> = {}): Parameters<typeof decideRetry>[1] => ({
    method: 'imbot.message.add', params: {}, attempt: 0, limited: 0, refreshed: false, canRefresh: true, opts: DEFAULT_RETRY, ...over,
  });
  const api = (status: number, apiCode: string) => new B24ApiError({ method: 'm', status, apiCode, description: '' });
  const reset = (maybeExecuted: boolean) => new B24TransportError({ method: 'm', maybeExecuted, transportCode: 'ECONNRESET', message: 'reset' });

  it('refreshes an expired token once, then fails', () => {
    const expired = new B24AuthError({ method: 'm', status: 401, apiCode: 'expired_token', description: '' });
    expect(decideRetry(expired, ctx())).to.deep.equal({ kind: 'refresh' });
    expect(decideRetry(expired, ctx({ refreshed: true }))).to.deep.equal({ kind: 'fail' });
    expect(decideRetry(expired, ctx({ canRefresh: false }))).to.deep.equal({ kind: 'fail' });
  });

  it('retries rate limits without its own delay up to rateLimitRetries, whatever the attempt count', () => {
    const opts = { ...DEFAULT_RETRY, rateLimitRetries: 2, attempts: 1 };
    for (const e of [new B24QueryLimitError({ method: 'm', status: 503, apiCode: 'QUERY_LIMIT_EXCEEDED', description: '' }),
      new B24OperationTimeLimitError({ method: 'm', status: 429, apiCode: 'OPERATION_TIME_LIMIT', description: '' })]) {
      expect(decideRetry(e, ctx({ opts, limited: 1 }))).to.deep.equal({ kind: 'retry', delayMs: 0 });
      expect(decideRetry(e, ctx({ opts, limited: 2 }))).to.deep.equal({ kind: 'retry', delayMs: 0 });
      expect(decideRetry(e, ctx({ opts, limited: 3 }))).to.deep.equal({ kind: 'fail' });
    }
  });

  it('retries 5xx and resets with backoff only while attempts remain and a repeat cannot post twice', () => {
    const opts = { ...DEFAULT_RETRY, attempts: 3, baseDelayMs: 100, maxDelayMs: 1000 };
    const retried = decideRetry(reset(false), ctx({ opts, attempt: 1 }));
    expect(retried.kind).to.equal('retry');
    expect(retried.kind === 'retry' && retried.delayMs).to.be.within(100, 200);
    expect(decideRetry(reset(false), ctx({ opts, attempt: 2 }))).to.deep.equal({ kind: 'fail' });
    expect(decideRetry(reset(true), ctx({ opts }))).to.deep.equal({ kind: 'fail' });
    expect(decideRetry(reset(true), ctx({ opts, method: 'user.get' })).kind).to.equal('retry');
    expect(decideRetry(api(500, 'INTERNAL'), ctx({ opts, method: 'user.get' })).kind).to.equal('retry');
    expect(decideRetry(api(500, 'INTERNAL'), ctx({ opts }))).to.deep.equal({ kind: 'fail' });
    expect(decideRetry(api(499, 'X'), ctx({ opts, method: 'user.get' }))).to.deep.equal({ kind: 'fail' });
    expect(decideRetry(new Error('boom'), ctx({ opts, method: 'user.get' }))).to.deep.equal({ kind: 'fail' });
  });

  it('retries MESSAGE_DUPLICATED_BY_UUID with backoff (the first send is still running)', () => {
    const d = decideRetry(api(400, 'MESSAGE_DUPLICATED_BY_UUID'), ctx({ opts: { ...DEFAULT_RETRY, baseDelayMs: 100, maxDelayMs: 100 } }));
    expect(d.kind).to.equal('retry');
    expect(d.kind === 'retry' && d.delayMs).to.be.within(50, 100);
    expect(decideRetry(api(400, 'OTHER'), ctx())).to.deep.equal({ kind: 'fail' });
  });

  it('backs off exponentially with jitter between half and all of the step, capped', () => {
    const opts = { ...DEFAULT_RETRY, baseDelayMs: 100, maxDelayMs: 1000 };
    expect([0, 1, 2, 5].map((a) => backoffMs(a, opts, () => 1))).to.deep.equal([100, 200, 400, 1000]);
    expect([0, 1, 2, 5].map((a) => backoffMs(a, opts, () => 0))).to.deep.equal([50, 100, 200, 500]);
  });
});
