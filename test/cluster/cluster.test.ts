import { expect } from 'chai';
import { request } from 'undici';
import type { SentMessage } from '../../src/emulator/index.js';
import { encodePhpForm, parsePhpForm, type FormObject } from '../../src/protocol/php-form.js';
import { startCluster, type Cluster } from './harness.js';


/** Message ids renumbered (as in test/e2e/intake-forged): the body is a new event, still genuinely authenticated. */
function renumbered(body: string, prefix: string): string {
  const parsed = parsePhpForm(body) as FormObject & { data: FormObject };
  const walk = (value: FormObject): void => {
    for (const [key, v] of Object.entries(value)) {
      if (typeof v === 'object' && !Array.isArray(v)) walk(v);
      else if (typeof v === 'string' && /^(id|ID|MESSAGE_ID|messageId)$/.test(key) && /^\d+$/.test(v)) value[key] = `${prefix}${v}`;
    }
  };
  walk(parsed.data);
  return encodePhpForm(parsed);
}

async function postRaw(url: string, body: string): Promise<number> {
  const res = await request(`${url}/events`, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  await res.body.dump();
  return res.statusCode;
}

/** REST methods the portal served from request number `from` on (batched calls count as `batch`). */
function methodsSince(c: Cluster, from: number): string[] {
  return [...new Set(c.emu.portal.requests().slice(from).map((r) => r.method))];
}

describe('cluster: 3 instances behind one address (PostgreSQL + Redis)', function () {
  this.timeout(120_000);
  let c: Cluster;
  before(async () => {
    c = await startCluster({ n: 3 });
  });
  after(async () => c?.close());

  const waitFor = (n: number, dialogId: string, botCode = 'echo', ms = 30_000): Promise<SentMessage[]> =>
    c.emu.portal.waitForMessages(n, { dialogId, botCode }, ms);

  it('an install through the proxy is known to every instance; each bot is registered once', async () => {
    const answer = await c.emu.portal.install(`${c.proxy.url}/install`);
    expect(answer.status).to.equal(200);
    const codes = c.emu.portal.bots().map((b) => b.code);
    expect(codes).to.include.members(['echo', 'helpdesk']);
    expect(new Set(codes).size, 'one bot per code').to.equal(codes.length);
    // every instance accepts (authenticates) this portal's events: the install is in the shared store
    const user = c.emu.portal.users.add({ name: 'Every Instance' });
    const before = [...c.proxy.counts];
    for (let i = 0; i < 3; i++) await c.emu.portal.sendMessage({ from: user, to: 'echo', text: `to each ${i}` });
    expect(c.proxy.counts.map((n, i) => n - (before[i] ?? 0))).to.deep.equal([1, 1, 1]);
    const replies = await waitFor(3, String(user));
    expect(replies.map((m) => m.text)).to.deep.equal([0, 1, 2].map((i) => `You said: to each ${i}`));
  });

  it('one event delivered to two instances, one after the other and at once, is handled once', async () => {
    const user = c.emu.portal.users.add({ name: 'Twice' });
    await c.emu.portal.sendMessage({ from: user, to: 'echo', text: 'twice' });
    await waitFor(1, String(user));
    const delivered = c.emu.portal.deliveries().filter((d) => d.body.includes('twice')).at(-1)!;
    // the same genuine event again, directly to two instances in turn
    expect(await postRaw(c.instances[0]!.url, delivered.body)).to.equal(200);
    expect(await postRaw(c.instances[1]!.url, delivered.body)).to.equal(200);
    // a new event (fresh message id) sent to two instances at the same moment
    const fresh = renumbered(delivered.body, '77');
    const statuses = await Promise.all([postRaw(c.instances[1]!.url, fresh), postRaw(c.instances[2]!.url, fresh)]);
    expect(statuses).to.deep.equal([200, 200]);
    await waitFor(2, String(user));
    await new Promise((r) => setTimeout(r, 1500)); // a duplicate would have been answered by now
    expect(c.emu.portal.messages({ dialogId: String(user), botCode: 'echo' }).map((m) => m.text)).to.deep.equal(['You said: twice', 'You said: twice']);
  });

  it('20 messages of one dialogue, round-robin over 3 instances → 20 replies in order', async () => {
    const user = c.emu.portal.users.add({ name: 'Order' });
    const texts = Array.from({ length: 20 }, (_, i) => `n${i}`);
    for (const text of texts) await c.emu.portal.sendMessage({ from: user, to: 'echo', text });
    const replies = await waitFor(20, String(user));
    expect(replies.map((m) => m.text)).to.deep.equal(texts.map((t) => `You said: ${t}`));
  });

  it('the helpdesk dialogue completes with each step on another instance', async () => {
    const user = c.emu.portal.users.add({ name: 'Anna Smith' });
    const dlg = String(user);
    const say = async (text: string): Promise<void> => void (await c.emu.portal.sendMessage({ from: user, to: 'helpdesk', text }));
    const nth = async (n: number): Promise<SentMessage> => (await waitFor(n, dlg, 'helpdesk'))[n - 1]!;
    const before = [...c.proxy.counts];
    await say('/ticket');
    expect((await nth(1)).text).to.contain('What is the subject?');
    await say('VPN is down');
    expect((await nth(2)).text).to.contain('Describe the problem');
    await say('It does not connect since this morning');
    const priority = await nth(3);
    expect(priority.text).to.contain('How urgent');
    await c.emu.portal.pressButton({ from: user, messageId: priority.id, button: 'High' });
    const confirm = await nth(4);
    expect(confirm.text).to.contain('Submit this ticket?');
    await c.emu.portal.pressButton({ from: user, messageId: confirm.id, button: 'Submit' });
    expect((await nth(5)).text).to.equal(`Ticket HD-${user}-1 submitted. We will get back to you.`);
    // five steps, round-robin: every instance served some of them
    for (const [i, n] of c.proxy.counts.entries()) expect(n - (before[i] ?? 0), `instance ${i}`).to.be.at.least(1);
  });

  it('30 concurrent events on an expired token over 3 instances → exactly one refresh request', async () => {
    const users = Array.from({ length: 30 }, (_, i) => c.emu.portal.users.add({ name: `R${i}` }));
    c.emu.portal.expireAccessTokens();
    const before = c.emu.portal.counters();
    await Promise.all(users.map((u) => c.emu.portal.sendMessage({ from: u, to: 'echo', text: 'expired' })));
    for (const u of users) await waitFor(1, String(u));
    const after = c.emu.portal.counters();
    expect(after.oauthRefreshes - before.oauthRefreshes).to.equal(1);
    expect(after.oauthErrors - before.oauthErrors).to.equal(0);
  });

  it('12 events 60 ms apart during an 800 ms refresh → exactly one; the rotated refresh token is never sent again', async () => {
    const users = Array.from({ length: 12 }, (_, i) => c.emu.portal.users.add({ name: `S${i}` }));
    c.emu.faults.add({ method: 'oauth.token', kind: 'slow', delayMs: 800, times: 1 });
    c.emu.portal.expireAccessTokens();
    const before = c.emu.portal.counters();
    const sends: Array<Promise<unknown>> = [];
    for (const u of users) {
      sends.push(c.emu.portal.sendMessage({ from: u, to: 'echo', text: 'spaced' }));
      await new Promise((r) => setTimeout(r, 60));
    }
    await Promise.all(sends);
    for (const u of users) await waitFor(1, String(u));
    const after = c.emu.portal.counters();
    expect(after.oauthRefreshes - before.oauthRefreshes).to.equal(1);
    expect(after.oauthErrors - before.oauthErrors, 'a rotated refresh token sent again is refused').to.equal(0);
  });

  it('restarting all instances registers nothing again', async () => {
    const bots = JSON.stringify(c.emu.portal.bots().map((b) => [b.code, b.id]));
    const from = c.emu.portal.requests().length;
    await Promise.all(c.instances.map(async (inst) => {
      inst.child.kill('SIGTERM');
      await new Promise((r) => inst.child.once('exit', r));
    }));
    await Promise.all([0, 1, 2].map((i) => c.restart(i)));
    const user = c.emu.portal.users.add({ name: 'After restart' });
    await c.emu.portal.sendMessage({ from: user, to: 'echo', text: 'still here' });
    await waitFor(1, String(user));
    // the request log entry is written after the answer; the message is stored before it
    for (let i = 0; i < 50 && c.emu.portal.requests().length === from; i++) await new Promise((r) => setTimeout(r, 20));
    expect(methodsSince(c, from)).to.deep.equal(['imbot.v2.Chat.Message.send']);
    expect(JSON.stringify(c.emu.portal.bots().map((b) => [b.code, b.id]))).to.equal(bots);
  });
});
