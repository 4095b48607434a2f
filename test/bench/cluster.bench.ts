/**
 * Issue 9 cluster section: 3 instances (PostgreSQL + Redis, behind a round-robin proxy) against 1, each
 * measured in the same run: intake throughput through the proxy, how much of one portal's bucket the
 * instances use together under sustained demand (batching off), and how many refresh requests 30
 * concurrent events on an expired token cause.
 */
import autocannon from 'autocannon';
import pg from 'pg';
import { bucketUtilisation, startCluster, type Cluster } from '../cluster/harness.js';
import { benchBody, BENCH_PORTAL } from './intake-body.js';
import { quick, type BenchResult } from './result.js';

const BUCKET = { rate: 20, burst: 50 };
let counter = 0;

async function intakeRps(n: number, seconds: number): Promise<{ rps: number; bad: number }> {
  const c = await startCluster({ n, env: {} });
  try {
    const db = new pg.Client({ connectionString: c.db.url });
    await db.connect();
    const now = Date.now();
    await db.query(`INSERT INTO portals (member_id, domain, client_endpoint, auth_mode, application_token, access_token, refresh_token,
      expires_at, status, rate_limit, installed_at, updated_at) VALUES ($1, $2, $3, 'oauth', $4, 'a', 'r', $5, 'active', NULL, $6, $6)`,
    [BENCH_PORTAL.memberId, BENCH_PORTAL.domain, `https://${BENCH_PORTAL.domain}/rest/`, BENCH_PORTAL.applicationToken, now + 3_600_000, now]);
    await db.end();
    const load = (s: number): Promise<autocannon.Result> => autocannon({
      url: `${c.proxy.url}/events`, method: 'POST', connections: 30, duration: s,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      requests: [{ setupRequest: (req) => ({ ...req, body: benchBody(counter++) }) }],
    });
    await load(1);
    const r = await load(seconds);
    return { rps: r.requests.average, bad: r.non2xx + r.errors };
  } finally {
    await c.close();
  }
}

async function utilisation(n: number, events: number): Promise<{ value: number; limited: number }> {
  const c = await startCluster({ n, emulator: { rateLimit: BUCKET }, env: { B24_RATE_LIMIT: `${BUCKET.rate}/${BUCKET.burst}`, B24_BATCHING: 'off' } });
  try {
    await c.emu.portal.install(`${c.proxy.url}/install`);
    const users = Array.from({ length: 20 }, (_, i) => c.emu.portal.users.add({ name: `U${i}` }));
    const from = c.emu.portal.requests().length;
    const t0 = Date.now();
    const sends: Array<Promise<unknown>> = [];
    for (let i = 0; i < events; i++) {
      const due = t0 + (i * 1000) / 60;
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
      sends.push(c.emu.portal.sendMessage({ from: users[i % 20]!, to: 'echo', text: `u ${i}` }));
    }
    await Promise.all(sends);
    const acked = Date.now();
    await c.emu.portal.waitForMessages(events, { botCode: 'echo' }, 120_000);
    // Sustained load: from the moment every event was accepted (a backlog of replies waits) to the last reply.
    const u = bucketUtilisation(c.emu.portal.requests().slice(from), 'imbot.v2.Chat.Message.send', acked, BUCKET);
    return { value: u.value, limited: c.emu.portal.counters().queryLimitExceeded };
  } finally {
    await c.close();
  }
}

async function refreshes(n: number): Promise<number> {
  const c: Cluster = await startCluster({ n, env: {} });
  try {
    await c.emu.portal.install(`${c.proxy.url}/install`);
    const users = Array.from({ length: 30 }, (_, i) => c.emu.portal.users.add({ name: `R${i}` }));
    c.emu.portal.expireAccessTokens();
    const before = c.emu.portal.counters().oauthRefreshes;
    await Promise.all(users.map((u) => c.emu.portal.sendMessage({ from: u, to: 'echo', text: 'x' })));
    await c.emu.portal.waitForMessages(30, { botCode: 'echo' }, 30_000);
    return c.emu.portal.counters().oauthRefreshes - before;
  } finally {
    await c.close();
  }
}

/** Runs the cluster comparison. */
export async function run(): Promise<BenchResult[]> {
  const seconds = quick() ? 3 : 8;
  const events = quick() ? 200 : 400;
  const one = await intakeRps(1, seconds);
  const three = await intakeRps(3, seconds);
  const u1 = await utilisation(1, events);
  const u3 = await utilisation(3, events);
  const r1 = await refreshes(1);
  const r3 = await refreshes(3);
  const b = 'cluster: 3 instances vs 1';
  return [
    { bench: b, metric: 'intake through the proxy, 1 instance', value: Math.round(one.rps), unit: 'events/s' },
    { bench: b, metric: 'intake through the proxy, 3 instances', value: Math.round(three.rps), unit: 'events/s' },
    { bench: b, metric: 'intake throughput 3 / 1 (2 shared cores)', value: three.rps / one.rps, unit: '×' },
    { bench: b, metric: 'intake refusals (non-2xx + errors), 1 / 3', value: one.bad, unit: `/ ${three.bad}`, target: '0', ok: one.bad + three.bad === 0 },
    { bench: b, metric: `bucket utilisation under sustained load, ${events} replies @60/s into 20/s, 1 instance`, value: u1.value, unit: '', target: '≥ 0.9', ok: u1.value >= 0.9 },
    { bench: b, metric: `bucket utilisation under sustained load, ${events} replies @60/s into 20/s, 3 instances`, value: u3.value, unit: '', target: '≥ 0.9', ok: u3.value >= 0.9 },
    { bench: b, metric: '503s, 1 / 3 instances', value: u1.limited, unit: `/ ${u3.limited}`, target: '≤ 5', ok: u1.limited <= 5 && u3.limited <= 5 },
    { bench: b, metric: 'refresh requests for 30 events on an expired token, 1 instance', value: r1, unit: '', target: '1', ok: r1 === 1 },
    { bench: b, metric: 'refresh requests for 30 events on an expired token, 3 instances', value: r3, unit: '', target: '1', ok: r3 === 1 },
  ];
}
