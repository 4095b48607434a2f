import { expect } from 'chai';
import { BotkitError } from '../../src/errors.js';
import { classifyFailure } from '../../src/outbox/failure.js';
import { apiErrorFrom } from '../../src/rest/errors.js';
import { decideRetry, DEFAULT_RETRY } from '../../src/rest/retry.js';

const SEND = 'imbot.v2.Chat.Message.send';
const params = { botId: 1, dialogId: '1', fields: { message: 'hi', templateId: '6f1c2a3b-4d5e-4f60-9a7b-8c9d0e1f2a3b' } };

// im module V2\Message\Send\SendingService::checkDuplicateByUuid: MESSAGE_DUPLICATED_BY_UUID means the
// first send with this UUID is still running; a later repeat answers that message's id.
describe('outbox/failure: MESSAGE_DUPLICATED_BY_UUID', () => {
  const inFlight = apiErrorFrom({ method: SEND, status: 400, apiCode: 'MESSAGE_DUPLICATED_BY_UUID', description: '' });

  it('is retried without an attempt limit by the outbox, never dead-lettered', () => {
    expect(classifyFailure(inFlight, SEND, params)).to.include({ kind: 'retry', untilDelivered: true });
  });

  it('is retried with backoff by the client', () => {
    const d = decideRetry(inFlight, { method: SEND, params, attempt: 0, limited: 0, refreshed: false, canRefresh: true, opts: DEFAULT_RETRY });
    expect(d.kind).to.equal('retry');
  });

  it('a templateId the platform drops is no idempotency marker: an ambiguous failure is dead-lettered', () => {
    const reset = apiErrorFrom({ method: SEND, status: 502, apiCode: 'BAD_GATEWAY', description: '' });
    const sha = { ...params, fields: { message: 'hi', templateId: '2c26b46b-68ff-c68f-ff99-b453c1d30413' } };
    expect(classifyFailure(reset, SEND, sha).kind).to.equal('dead');
    expect(classifyFailure(reset, SEND, params).kind).to.equal('retry');
  });
});

describe('outbox/failure: our own store unavailable', () => {
  it('STORE_UNAVAILABLE (nothing was sent) is retried without an attempt limit, for unmarked sends too', () => {
    const down = new BotkitError('STORE_UNAVAILABLE', 'database unreachable');
    expect(classifyFailure(down, SEND, params)).to.include({ kind: 'retry', untilDelivered: true });
    expect(classifyFailure(down, 'imbot.message.add', { BOT_ID: 1, DIALOG_ID: '1', MESSAGE: 'hi' })).to.include({ kind: 'retry', untilDelivered: true });
    expect(classifyFailure(new BotkitError('B24_REINSTALL_REQUIRED', 'gone'), SEND, params).kind).to.equal('dead');
  });
});
