import { expect } from 'chai';
import { EVENT_TABLE } from '../../src/protocol/event-table.js';
import { encodePhpForm, parsePhpForm, type FormObject } from '../../src/protocol/php-form.js';
import { post, postForm, startStack, type Stack } from './harness.js';

/** Message and command ids, renumbered so that a replay is new work, not a duplicate the inbox would drop. */
function renumber(value: FormObject): void {
  for (const [key, v] of Object.entries(value)) {
    if (typeof v === 'object' && !Array.isArray(v)) renumber(v);
    else if (typeof v === 'string' && /^(id|ID|MESSAGE_ID|messageId|COMMAND_ID)$/.test(key) && /^\d+$/.test(v)) value[key] = `9${v}`;
  }
}

/** A delivered wire body with fresh ids and `auth[application_token]` replaced. */
function tamper(body: string, token: string): string {
  const parsed = parsePhpForm(body) as FormObject & { auth: FormObject; data: FormObject };
  renumber(parsed.data);
  parsed.auth['application_token'] = token;
  return encodePhpForm(parsed);
}

/** Produces genuine events of every kind the portal can send to a bot. */
async function generateTraffic(stack: Stack): Promise<void> {
  const p = stack.emu.portal;
  const chat = p.createChat({ title: 'Forgery', userIds: [1] });
  await p.addBotToChat('echo', chat);
  const { messageId } = await p.sendMessage({ from: 1, to: 'echo', text: 'genuine' });
  await p.sendMessage({ from: 1, to: 'echo', text: '/echo genuine' });
  const [reply] = await p.waitForMessages(2, { botCode: 'echo', dialogId: '1' });
  await p.editMessage({ from: 1, messageId, text: 'edited' });
  await p.react({ from: 1, messageId: reply?.id ?? 0, reaction: 'like' });
  await p.deleteMessage({ from: 1, messageId });
  await stack.kit.idle();
}

for (const api of ['v2', 'v1'] as const) {
  describe(`e2e intake: forged events (${api})`, function () {
    this.timeout(30_000);
    let stack: Stack;
    before(async () => {
      stack = await startStack({ api });
      await generateTraffic(stack);
    });
    after(async () => stack.close());

    it('refuses every genuine delivery replayed with fresh ids and a wrong token: 401, no inbox row, no REST call', async () => {
      const deliveries = stack.emu.portal.deliveries().filter((d) => d.event !== 'ONAPPINSTALL');
      // v1 bots of type B get no edit/delete events (the platform binds those only for open-line bots).
      expect(new Set(deliveries.map((d) => d.event)).size).to.be.at.least(api === 'v2' ? 5 : 3);
      const before = stack.emu.portal.requests().length;
      const messages = stack.emu.portal.messages().length;
      for (const d of deliveries) {
        const res = await post(d.url, tamper(d.body, 'forged-token'));
        expect(res.status, d.event).to.equal(401);
        expect(res.body['error'], d.event).to.equal('EVENT_FORGED');
      }
      await stack.kit.idle();
      expect(await stack.kit.store.inboxPending(100)).to.have.length(0);
      expect(stack.emu.portal.requests().length).to.equal(before);
      expect(stack.emu.portal.messages().length).to.equal(messages);
    });

    it('refuses every event type of the table with a wrong token or from an unknown portal', async () => {
      const before = stack.emu.portal.requests().length;
      for (const name of Object.keys(EVENT_TABLE)) {
        if (name === 'ONAPPINSTALL' || name === 'ONAPPUPDATE') continue;
        for (const [memberId, code] of [[stack.emu.portal.memberId, 'EVENT_FORGED'], ['someone-else', 'EVENT_UNKNOWN_PORTAL']] as const) {
          const res = await postForm(`${stack.url}/events`, {
            event: name, ts: '1772097308', data: { BOT: { 1: { BOT_ID: '1', BOT_CODE: 'echo' } }, bot: { id: '1', code: 'echo' } },
            auth: { member_id: memberId, application_token: 'forged', domain: '127.0.0.1' },
          });
          expect([res.status, res.body['error']], `${name} ${memberId}`).to.deep.equal([401, code]);
        }
      }
      expect(stack.emu.portal.requests().length).to.equal(before);
    });

    it('refuses an uninstall with a wrong token and keeps the portal', async () => {
      const res = await stack.emu.portal.uninstall(`${stack.url}/events`, { applicationToken: 'forged' });
      expect(res.status).to.equal(401);
      expect(res.body).to.have.property('error', 'EVENT_FORGED');
      expect(await stack.kit.store.getPortal(stack.emu.portal.memberId)).to.not.equal(null);
    });

    it('refuses a replayed install with a bad access token and keeps the stored tokens', async () => {
      const stored = await stack.kit.store.getPortal(stack.emu.portal.memberId);
      const res = await stack.emu.portal.install(`${stack.url}/install`, { accessToken: 'stolen-or-made-up' });
      expect(res.status).to.equal(401);
      expect(res.body).to.have.property('error', 'INSTALL_VERIFY_FAILED');
      const after = await stack.kit.store.getPortal(stack.emu.portal.memberId);
      expect(after?.accessToken).to.equal(stored?.accessToken);
      expect(after?.refreshToken).to.equal(stored?.refreshToken);
    });

    it('honours a genuine uninstall: the portal and its bots are forgotten', async () => {
      const res = await stack.emu.portal.uninstall(`${stack.url}/events`);
      expect(res.status).to.equal(200);
      expect(await stack.kit.store.getPortal(stack.emu.portal.memberId)).to.equal(null);
      expect(await stack.kit.store.listBots(stack.emu.portal.memberId)).to.have.length(0);
    });
  });
}

describe('e2e intake: a portal claiming another portal\'s member_id', function () {
  this.timeout(30_000);
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(async () => stack.close());

  it('is refused by the OAuth member check, and the victim\'s record is untouched', async () => {
    const victim = stack.emu.portal;
    const before = await stack.kit.store.getPortal(victim.memberId);
    const attacker = stack.emu.createPortal();
    const tokens = attacker.issueTokens(1);
    const res = await postForm(`${stack.url}/install`, {
      event: 'ONAPPINSTALL', data: { VERSION: '1', ACTIVE: 'Y', INSTALLED: 'Y', LANGUAGE_ID: 'en' }, ts: String(Math.floor(Date.now() / 1000)),
      auth: {
        access_token: tokens.accessToken, refresh_token: tokens.refreshToken, expires_in: '3600', scope: 'imbot',
        domain: attacker.domain, client_endpoint: attacker.clientEndpoint, server_endpoint: `${stack.emu.url}/rest/`,
        member_id: victim.memberId, application_token: 'attacker-app-token', status: 'L', user_id: '1',
      },
    });
    expect([res.status, res.body['error']]).to.deep.equal([403, 'INSTALL_MEMBER_MISMATCH']);
    expect(await stack.kit.store.getPortal(victim.memberId)).to.deep.equal(before);
    await victim.sendMessage({ from: 1, to: 'echo', text: 'still mine' });
    const [reply] = await victim.waitForMessages(1, { botCode: 'echo', dialogId: '1' });
    expect(reply?.text).to.equal('You said: still mine');
  });

  it('a genuine reinstall stores the rotated pair from the OAuth check', async () => {
    const before = await stack.kit.store.getPortal(stack.emu.portal.memberId);
    const refreshes = stack.emu.portal.counters().oauthRefreshes;
    expect((await stack.emu.portal.install(`${stack.url}/install`)).status).to.equal(200);
    const after = await stack.kit.store.getPortal(stack.emu.portal.memberId);
    expect(stack.emu.portal.counters().oauthRefreshes).to.equal(refreshes + 1);
    expect(after?.refreshToken).to.not.equal(before?.refreshToken);
    await stack.emu.portal.sendMessage({ from: 1, to: 'echo', text: 'after reinstall' });
    await stack.emu.portal.waitForMessages(2, { botCode: 'echo', dialogId: '1' });
  });
});
