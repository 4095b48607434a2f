import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Gauge } from 'prom-client';
import { request } from 'undici';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { parsePhpForm, encodePhpForm, type FormObject } from '../../src/protocol/php-form.js';
import { createBotkit } from '../../src/server.js';
import { echo } from '../../bots/echo/index.js';
import { post, startStack, type Stack } from '../e2e/harness.js';
import { parseExposition, valueOf, type Family } from './exposition.js';

const TOKEN = 'metrics-token-0123456789';
const SEND = 'imbot.v2.Chat.Message.send';

type Scrape = Map<string, Family>;

async function scrape(url: string, token: string | null = TOKEN): Promise<{ text: string; families: Scrape }> {
  const res = await request(`${url}/metrics`, token === null ? {} : { headers: { authorization: `Bearer ${token}` } });
  const text = await res.body.text();
  expect(res.statusCode, text).to.equal(200);
  expect(res.headers['content-type']).to.equal('text/plain; version=0.0.4; charset=utf-8');
  return { text, families: parseExposition(text) };
}

/** The change of one series between two scrapes. */
function delta(before: Scrape, after: Scrape, name: string, labels: Record<string, string> = {}): number {
  return valueOf(after, name, labels) - valueOf(before, name, labels);
}

/** Sends one message to echo and waits for its reply (or, when it is dead-lettered, for the server to go idle). */
async function talk(stack: Stack, text: string, expectReply = true): Promise<void> {
  const replies = stack.emu.portal.messages({ botCode: 'echo', dialogId: '1' }).length;
  await stack.emu.portal.sendMessage({ from: 1, to: 'echo', text });
  if (expectReply) await stack.emu.portal.waitForMessages(replies + 1, { botCode: 'echo', dialogId: '1' });
  await stack.kit.idle();
}

describe('metrics: GET /metrics end to end (server + emulator on loopback)', function () {
  this.timeout(30_000);
  let stack: Stack;
  before(async () => {
    stack = await startStack({ env: { METRICS_TOKEN: TOKEN } });
  });
  after(async () => stack.close());

  it('counters move by what crossed the wire: events accepted, duplicate and refused (events and install); REST calls by method and outcome; 503 and 429; a refresh; the outbox', async () => {
    const portal = stack.emu.portal;
    const before = (await scrape(stack.url)).families;

    await talk(stack, 'one');
    await talk(stack, 'two');
    // The same delivery again: a duplicate, acknowledged and not handled twice.
    const last = portal.deliveries().at(-1);
    expect(last?.event).to.equal('ONIMBOTV2MESSAGEADD');
    expect(await post(last?.url ?? '', last?.body ?? '')).to.deep.include({ status: 200 });
    // The same delivery with a wrong application_token: refused EVENT_FORGED.
    const forged = parsePhpForm(last?.body ?? '') as FormObject & { auth: FormObject };
    forged.auth['application_token'] = 'forged-token';
    expect((await post(last?.url ?? '', encodePhpForm(forged))).body['error']).to.equal('EVENT_FORGED');
    // A body that is not an event at all.
    const junk = await post(`${stack.url}/events`, '{"event": 1', 'application/json');
    expect(junk.status).to.equal(400);
    const junkCode = String(junk.body['error']);
    // An install with an access token the portal does not accept (install-verify: app.info refuses it).
    const install = await portal.install(`${stack.url}/install`, { accessToken: 'forged-access-token' });
    expect(install.status).to.equal(401);
    expect(install.body).to.have.property('error', 'INSTALL_VERIFY_FAILED');

    // The portal's rate limit (`limits.md`: 503 QUERY_LIMIT_EXCEEDED; v2 also answers 429): each once, then the retry goes through.
    stack.emu.faults.add({ method: SEND, kind: 'status', status: 503, error: 'QUERY_LIMIT_EXCEEDED', times: 1 });
    await talk(stack, 'three');
    stack.emu.faults.add({ method: SEND, kind: 'status', status: 429, error: 'QUERY_LIMIT_EXCEEDED', times: 1 });
    await talk(stack, 'four');
    // An expired access token: one refresh, then the call is repeated.
    portal.expireAccessTokens();
    await talk(stack, 'five');
    // A permanent refusal: the reply is dead-lettered.
    stack.emu.faults.add({ method: SEND, kind: 'status', status: 400, error: 'WRONG_REQUEST', times: 1 });
    await talk(stack, 'six', false);

    const { text, families: after } = await scrape(stack.url);
    const d = (name: string, labels: Record<string, string> = {}): number => delta(before, after, name, labels);
    expect(d('botkit_events_accepted_total', { source: 'push', type: 'message' })).to.equal(6);
    expect(d('botkit_events_duplicate_total', { source: 'push' })).to.equal(1);
    expect(d('botkit_events_refused_total', { code: 'EVENT_FORGED' })).to.equal(1);
    expect(d('botkit_events_refused_total', { code: junkCode })).to.equal(1);
    expect(d('botkit_events_refused_total', { code: 'INSTALL_VERIFY_FAILED' })).to.equal(1);
    expect(d('botkit_events_refused_total')).to.equal(3);
    expect(d('botkit_handler_duration_seconds_count', { type: 'message', outcome: 'ok' })).to.equal(6);
    expect(d('botkit_event_delivery_lag_seconds_count', { source: 'push' })).to.equal(6);
    expect(d('botkit_event_queue_seconds_count')).to.equal(6);

    expect(d('botkit_rest_calls_total', { method: SEND, outcome: 'ok' })).to.equal(5);
    expect(d('botkit_rest_calls_total', { method: SEND, outcome: 'QUERY_LIMIT_EXCEEDED' })).to.equal(2);
    expect(d('botkit_rest_calls_total', { method: SEND, outcome: 'expired_token' })).to.equal(1);
    expect(d('botkit_rest_calls_total', { method: SEND, outcome: 'WRONG_REQUEST' })).to.equal(1);
    expect(d('botkit_rest_rate_limited_total', { status: '503', code: 'QUERY_LIMIT_EXCEEDED' })).to.equal(1);
    expect(d('botkit_rest_rate_limited_total', { status: '429', code: 'QUERY_LIMIT_EXCEEDED' })).to.equal(1);
    expect(d('botkit_token_refreshes_total', { outcome: 'ok' })).to.equal(1);
    expect(d('botkit_token_refreshes_total', { outcome: 'failed' })).to.equal(0);
    // What the portal saw: every attempt is one request carrying one call, and each call waited in the lane once.
    const sends = portal.requests().filter((r) => r.method.toLowerCase() === SEND.toLowerCase()).length;
    const calls = d('botkit_rest_calls_total');
    expect(calls).to.be.at.least(9);
    expect(d('botkit_rest_calls_total', { method: SEND })).to.equal(9);
    expect(sends).to.be.at.least(9);
    expect(d('botkit_rest_batch_size_sum')).to.equal(calls);
    expect(d('botkit_rest_limiter_wait_seconds_count')).to.equal(calls);

    expect(d('botkit_outbox_delivered_total')).to.equal(5);
    expect(d('botkit_outbox_dead_lettered_total')).to.equal(1);
    expect(d('botkit_outbox_retries_total')).to.equal(0);
    expect(valueOf(after, 'botkit_outbox_pending')).to.equal(0);
    expect(valueOf(after, 'botkit_events_pending')).to.equal(0);
    // Labels are bounded: no member id, no portal domain.
    expect(text).to.not.contain(portal.memberId);
    // The process metrics are there once.
    expect(after.get('process_cpu_user_seconds_total')?.type).to.equal('counter');
    expect(after.get('nodejs_eventloop_lag_seconds')?.type).to.equal('gauge');
  });

  it('a refused refresh (invalid_grant) counts as a failed refresh', async () => {
    const before = (await scrape(stack.url)).families;
    stack.emu.portal.revokeRefreshTokens();
    stack.emu.portal.expireAccessTokens();
    await talk(stack, 'after revocation', false);
    const after = (await scrape(stack.url)).families;
    expect(delta(before, after, 'botkit_token_refreshes_total', { outcome: 'failed' })).to.equal(1);
    expect(delta(before, after, 'botkit_token_refreshes_total', { outcome: 'ok' })).to.equal(0);
    expect(delta(before, after, 'botkit_outbox_dead_lettered_total')).to.equal(1);
    expect((await stack.kit.store.getPortal(stack.emu.portal.memberId))?.status).to.equal('reinstall_required');
  });

  it('with METRICS_TOKEN set, a scrape without the bearer token gets 401 METRICS_AUTH_REQUIRED', async () => {
    for (const authorization of [undefined, 'Bearer wrong-token-0123456789', `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}`, `Bearer ${TOKEN}x`, TOKEN]) {
      const res = await request(`${stack.url}/metrics`, authorization === undefined ? {} : { headers: { authorization } });
      expect(res.statusCode, authorization).to.equal(401);
      expect(res.headers['www-authenticate']).to.equal('Bearer realm="metrics"');
      expect(await res.body.json()).to.deep.equal({ error: 'METRICS_AUTH_REQUIRED', message: 'metrics need the METRICS_TOKEN bearer token' });
    }
    const ok = await request(`${stack.url}/metrics`, { headers: { authorization: `bearer  ${TOKEN}` } });
    expect(ok.statusCode).to.equal(200);
    await ok.body.dump();
  });
});

describe('metrics: fetch mode (imbot.v2.Event.get pollers)', function () {
  this.timeout(30_000);
  let stack: Stack;
  before(async () => {
    // One bot, so its polls go alone: polls of several bots in the same turn are coalesced into a `batch`,
    // which a fault rule for `imbot.v2.Event.get` does not match.
    stack = await startStack({ auth: 'webhook', bots: new Map([['echo', echo]]) });
  });
  after(async () => stack.close());

  it('counts fetched events, polls by outcome, and shows each polling bot\'s time since its last good poll', async () => {
    const before = (await scrape(stack.url, null)).families;
    // One poll refused (a 4xx is not retried by the client: the poller counts a failed poll and backs off).
    const faulted = new Promise<void>((resolve) => {
      const off = stack.emu.portal.onRequest((r) => {
        if (r.fault === undefined || r.method !== 'imbot.v2.Event.get') return;
        off();
        resolve();
      });
    });
    stack.emu.faults.add({ method: 'imbot.v2.Event.get', kind: 'status', status: 400, error: 'WRONG_REQUEST', times: 1 });
    await faulted;
    await talk(stack, 'polled');
    const after = (await scrape(stack.url, null)).families;
    expect(delta(before, after, 'botkit_events_accepted_total', { source: 'fetch', type: 'message' })).to.equal(1);
    expect(delta(before, after, 'botkit_events_accepted_total', { source: 'push' })).to.equal(0);
    expect(delta(before, after, 'botkit_poller_polls_total', { outcome: 'error' })).to.equal(1);
    expect(delta(before, after, 'botkit_poller_polls_total', { bot: 'echo', outcome: 'ok' })).to.be.at.least(1);
    expect(delta(before, after, 'botkit_rest_calls_total', { method: 'imbot.v2.Event.get', outcome: 'WRONG_REQUEST' })).to.equal(1);
    expect(after.get('botkit_poller_seconds_since_success')?.samples.map((s) => s.labels['bot'])).to.deep.equal(['echo']);
    expect(after.get('botkit_poller_behind')?.samples.map((s) => s.labels['bot'])).to.deep.equal(['echo']);
  });
});

describe('metrics: METRICS_TOKEN configuration', () => {
  it('is at least 16 characters without spaces; unset means null', () => {
    expect(loadConfig({}).metricsToken).to.equal(null);
    expect(loadConfig({ METRICS_TOKEN: TOKEN }).metricsToken).to.equal(TOKEN);
    for (const bad of ['short', 'has spaces in the token 0123']) {
      expect(() => loadConfig({ METRICS_TOKEN: bad })).to.throw(/METRICS_TOKEN: must be at least 16 characters without spaces/);
    }
  });

  it('GET /metrics is open and parses, with a metric the application registered on kit.metrics.registry', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'botkit-metrics-'));
    const kit = await createBotkit({
      config: loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir }), log: createLogger({ silent: true }), bots: new Map(),
    });
    try {
      new Gauge({ name: 'app_tickets_open', help: 'Tickets open.', registers: [kit.metrics.registry] }).set(4);
      const url = await kit.start();
      const { families } = await scrape(url, null);
      expect(valueOf(families, 'app_tickets_open')).to.equal(4);
      expect(families.get('botkit_events_accepted_total')?.type).to.equal('counter');
      expect(families.get('botkit_handler_duration_seconds')?.type).to.equal('histogram');
      expect(valueOf(families, 'botkit_outbox_pending')).to.equal(0);
    } finally {
      await kit.stop(1000);
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
