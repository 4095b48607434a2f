import { expect } from 'chai';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/log.js';
import { parsePhpForm, type FormValue } from '../../src/protocol/php-form.js';
import { overriding } from '../helpers/override.js';
import { post, startStack, type Stack } from './harness.js';

/** Every value under a key that names a secret, anywhere in a parsed wire payload. */
function secretsIn(value: FormValue, key = ''): string[] {
  if (typeof value === 'string') return /token|secret/i.test(key) && value.length >= 8 ? [value] : [];
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  return entries.flatMap(([k, v]) => secretsIn(v, k));
}

describe('e2e intake: exactly once', function () {
  this.timeout(30_000);

  it('a pushed event delivered twice gets one reply', async () => {
    const stack = await startStack();
    try {
      await stack.emu.portal.sendMessage({ from: 1, to: 'echo', text: 'only once' });
      await stack.emu.portal.waitForMessages(1, { botCode: 'echo', dialogId: '1' });
      const delivery = stack.emu.portal.deliveries().at(-1);
      expect(delivery?.event).to.equal('ONIMBOTV2MESSAGEADD');
      const again = await post(delivery?.url ?? '', delivery?.body ?? '');
      expect(again).to.deep.equal({ status: 200, body: { ok: true, accepted: 0 } });
      await stack.kit.idle();
      expect(stack.emu.portal.messages({ botCode: 'echo', dialogId: '1' }).map((m) => m.text)).to.deep.equal(['You said: only once']);
    } finally {
      await stack.close();
    }
  });

  it('a fetch page polled twice (crash between inbox and offset) gets one reply', async () => {
    let failOffsetWrites = 1;
    let written!: () => void;
    const offsetWritten = new Promise<void>((resolve) => (written = resolve));
    const stack = await startStack({
      auth: 'webhook',
      wrapStore: (store) => overriding(store, 'setOffset', (setOffset) => async (...args) => {
        if (failOffsetWrites-- > 0) throw new Error('disk full (simulated)');
        await setOffset(...args);
        written();
      }),
    });
    try {
      await stack.emu.portal.sendMessage({ from: 1, to: 'echo', text: 'polled twice' });
      await stack.emu.portal.waitForMessages(1, { botCode: 'echo', dialogId: '1' });
      // The failed offset write made the poller fetch the same page again; that second pass accepted
      // (and deduplicated) the page before it could store the offset, and handlers finish before idle().
      await offsetWritten;
      await stack.kit.idle();
      expect(failOffsetWrites).to.be.below(0);
      expect(stack.emu.portal.messages({ botCode: 'echo', dialogId: '1' }).map((m) => m.text)).to.deep.equal(['You said: polled twice']);
    } finally {
      await stack.close();
    }
  });

  it('no secret of any wire payload reaches the logs at LOG_LEVEL=debug', async () => {
    const lines: string[] = [];
    const stream = new Writable({ write(chunk, _e, cb) { lines.push(String(chunk)); cb(); } });
    const stack = await startStack({ log: createLogger({ level: 'debug', stream }) });
    try {
      const installed = await stack.kit.store.getPortal(stack.emu.portal.memberId);
      const chat = stack.emu.portal.createChat({ title: 'T', userIds: [1] });
      await stack.emu.portal.addBotToChat('echo', chat);
      await stack.emu.portal.sendMessage({ from: 1, to: 'echo', text: 'hello' });
      await stack.emu.portal.sendMessage({ from: 1, to: 'echo', text: '/echo hi' });
      stack.emu.portal.expireAccessTokens();
      await stack.emu.portal.sendMessage({ from: 1, to: 'echo', text: 'after refresh' });
      await stack.emu.portal.waitForMessages(4, { botCode: 'echo' });
      await post(`${stack.url}/events`, 'event=ONIMBOTV2MESSAGEADD&auth[member_id]=x&auth[application_token]=leak-me-please');
      await stack.kit.idle();
      const portal = await stack.kit.store.getPortal(stack.emu.portal.memberId);
      const secrets = new Set<string>([stack.emu.portal.applicationToken, 'leak-me-please']);
      for (const p of [installed, portal]) for (const t of [p?.accessToken, p?.refreshToken]) if (t) secrets.add(t);
      for (const d of stack.emu.portal.deliveries()) for (const s of secretsIn(parsePhpForm(d.body))) secrets.add(s);
      secrets.delete('');
      expect(secrets.size).to.be.greaterThan(5);
      expect(lines.length).to.be.greaterThan(10);
      const output = lines.join('');
      for (const s of secrets) expect(output.includes(s), `secret ${s.slice(0, 4)}… leaked`).to.equal(false);
    } finally {
      await stack.close();
    }
  });
});
