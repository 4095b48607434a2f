import { expect } from 'chai';
import { PromMetrics } from '../../src/metrics/prometheus.js';
import { B24ApiError, B24QueryLimitError, B24TimeoutError } from '../../src/rest/errors.js';
import { parseExposition, valueOf } from './exposition.js';

async function scrape(m: PromMetrics): Promise<ReturnType<typeof parseExposition>> {
  return parseExposition(await m.render());
}

const apiError = (apiCode: string, status = 400): B24ApiError => new B24ApiError({ method: 'x.y', status, apiCode, description: 'a message with a portal 42 in it' });

describe('PromMetrics (the prom-client implementation of the metrics seam)', () => {
  it('labels REST calls with the documented method name, `other` for methods outside the table, and the error code, never the message', async () => {
    const m = new PromMetrics({ processMetrics: false });
    m.restCall('IMBOT.V2.CHAT.MESSAGE.SEND', null);
    m.restCall('imbot.v2.Chat.Message.send', apiError('BOT_ID_ERROR'));
    m.restCall('crm.deal.list', null);
    m.restCall('some.method.typed.by.a.bot.author', null);
    m.restCall('user.get', new B24TimeoutError({ method: 'user.get', maybeExecuted: true, transportCode: 'UND_ERR_HEADERS_TIMEOUT', message: 'timeout' }));
    m.restCall('user.get', new Error('not coded'));
    const text = await m.render();
    const f = parseExposition(text);
    expect(valueOf(f, 'botkit_rest_calls_total', { method: 'imbot.v2.Chat.Message.send', outcome: 'ok' })).to.equal(1);
    expect(valueOf(f, 'botkit_rest_calls_total', { method: 'imbot.v2.Chat.Message.send', outcome: 'BOT_ID_ERROR' })).to.equal(1);
    expect(valueOf(f, 'botkit_rest_calls_total', { method: 'other', outcome: 'ok' })).to.equal(2);
    expect(valueOf(f, 'botkit_rest_calls_total', { method: 'user.get', outcome: 'B24_TIMEOUT' })).to.equal(1);
    expect(valueOf(f, 'botkit_rest_calls_total', { method: 'user.get', outcome: 'error' })).to.equal(1);
    expect(text).to.not.contain('crm.deal.list');
    expect(text).to.not.contain('portal 42');
  });

  it('admits at most 64 distinct portal error codes as labels, and nothing not shaped like a code', async () => {
    const m = new PromMetrics({ processMetrics: false });
    for (let i = 0; i < 100; i++) m.restCall('user.get', apiError(`CODE_${i}`));
    m.restCall('user.get', apiError('CODE_3'));
    m.eventRefused('has spaces <script>');
    const f = await scrape(m);
    const outcomes = f.get('botkit_rest_calls_total')?.samples.map((s) => s.labels['outcome']) ?? [];
    expect(outcomes).to.have.length(65);
    expect(valueOf(f, 'botkit_rest_calls_total', { outcome: 'other' })).to.equal(36);
    expect(valueOf(f, 'botkit_rest_calls_total', { outcome: 'CODE_3' })).to.equal(2);
    expect(valueOf(f, 'botkit_events_refused_total', { code: 'other' })).to.equal(1);
  });

  it('counts 503 and 429 refusals by status (inside a batch answer: `batch`) and ignores other errors', async () => {
    const m = new PromMetrics({ processMetrics: false });
    const limit = (status: number): B24QueryLimitError => new B24QueryLimitError({ method: 'x.y', status, apiCode: 'QUERY_LIMIT_EXCEEDED', description: '' });
    m.restLimited(limit(503));
    m.restLimited(limit(503));
    m.restLimited(limit(429));
    m.restLimited(limit(0));
    m.restLimited(new Error('not an API error'));
    const f = await scrape(m);
    expect(valueOf(f, 'botkit_rest_rate_limited_total', { status: '503', code: 'QUERY_LIMIT_EXCEEDED' })).to.equal(2);
    expect(valueOf(f, 'botkit_rest_rate_limited_total', { status: '429' })).to.equal(1);
    expect(valueOf(f, 'botkit_rest_rate_limited_total', { status: 'batch' })).to.equal(1);
    expect(valueOf(f, 'botkit_rest_rate_limited_total')).to.equal(4);
  });

  it('poller lag: per bot, the worst time since a successful poll across portals, on the injected clock; stopped pollers drop out', async () => {
    let now = 1_000_000;
    const m = new PromMetrics({ processMetrics: false, clock: () => now });
    m.pollerStarted('portal-a', 'echo');
    m.pollerStarted('portal-b', 'echo');
    m.pollerStarted('portal-a', 'helpdesk');
    now += 30_000;
    m.pollerPolled('portal-a', 'echo', true, 3, true);
    m.pollerPolled('portal-a', 'helpdesk', false, 0, false);
    now += 15_000;
    let f = await scrape(m);
    expect(valueOf(f, 'botkit_poller_seconds_since_success', { bot: 'echo' })).to.equal(45); // portal-b never polled
    expect(valueOf(f, 'botkit_poller_seconds_since_success', { bot: 'helpdesk' })).to.equal(45); // its poll failed
    expect(valueOf(f, 'botkit_poller_behind', { bot: 'echo' })).to.equal(1);
    expect(valueOf(f, 'botkit_poller_polls_total', { bot: 'helpdesk', outcome: 'error' })).to.equal(1);
    m.pollerStopped('portal-b', 'echo');
    m.pollerStopped('portal-a', 'helpdesk');
    f = await scrape(m);
    expect(valueOf(f, 'botkit_poller_seconds_since_success', { bot: 'echo' })).to.equal(15);
    expect(f.get('botkit_poller_seconds_since_success')?.samples.map((s) => s.labels['bot'])).to.deep.equal(['echo']);
    expect(await m.render()).to.not.contain('portal-a');
  });

  it('reads the outbox and the dispatcher at scrape time, as gauges and counters', async () => {
    const m = new PromMetrics({ processMetrics: false });
    let stats = { pending: 3, delivered: 10, dead: 1, retries: 2 };
    m.watch({ outbox: () => stats, pendingEvents: () => 7 });
    let f = await scrape(m);
    expect(valueOf(f, 'botkit_outbox_pending')).to.equal(3);
    expect(valueOf(f, 'botkit_outbox_delivered_total')).to.equal(10);
    expect(valueOf(f, 'botkit_outbox_dead_lettered_total')).to.equal(1);
    expect(valueOf(f, 'botkit_outbox_retries_total')).to.equal(2);
    expect(valueOf(f, 'botkit_events_pending')).to.equal(7);
    stats = { pending: 0, delivered: 13, dead: 1, retries: 2 };
    f = await scrape(m);
    expect(valueOf(f, 'botkit_outbox_pending')).to.equal(0);
    expect(valueOf(f, 'botkit_outbox_delivered_total')).to.equal(13);
  });

  it('one registry per instance: two instances count apart, and the process metrics appear in each scrape', async () => {
    const a = new PromMetrics();
    const b = new PromMetrics();
    a.eventAccepted('push', 'message', 1500);
    a.handlerStarted('message', 20);
    a.handlerFinished('message', false, 250);
    const fa = await scrape(a);
    const fb = await scrape(b);
    expect(valueOf(fa, 'botkit_events_accepted_total', { source: 'push', type: 'message' })).to.equal(1);
    expect(valueOf(fa, 'botkit_event_delivery_lag_seconds_sum', { source: 'push' })).to.equal(1.5);
    expect(valueOf(fa, 'botkit_event_queue_seconds_sum')).to.equal(0.02);
    expect(valueOf(fa, 'botkit_handler_duration_seconds_bucket', { type: 'message', outcome: 'error', le: '0.25' })).to.equal(1);
    expect(valueOf(fa, 'botkit_handler_duration_seconds_bucket', { type: 'message', outcome: 'error', le: '0.1' })).to.equal(0);
    expect(valueOf(fb, 'botkit_events_accepted_total')).to.equal(0);
    for (const f of [fa, fb]) expect(f.get('process_resident_memory_bytes')?.type).to.equal('gauge');
  });
});
