import { expect } from 'chai';
import type { MockAgent } from 'undici';
import { parsePhpForm } from '../../src/protocol/php-form.js';
import { decodeBatch, encodeBatch, isBatchable } from '../../src/rest/batch.js';
import { mockAgent, ok, oauthPortal, ORIGIN, rejection, rig, sent } from './helpers.js';

/** Answers a batch like the platform: odd-numbered messages fail, the rest return their text. */
function batchPortal(agent: MockAgent): void {
  agent.get(ORIGIN).intercept({ path: '/rest/batch', method: 'POST' }).reply(({ body }) => {
    const cmd = (JSON.parse(String(body)) as { cmd: Record<string, string> }).cmd;
    const result: Record<string, unknown> = {};
    const errors: Record<string, unknown> = {};
    for (const [key, command] of Object.entries(cmd)) {
      const message = String(parsePhpForm(command.split('?')[1] ?? '')['MESSAGE']);
      if (Number(message) % 2 === 1) errors[key] = { error: 'MESSAGE_EMPTY', error_description: `odd ${message}` };
      else result[key] = `sent ${message}`;
    }
    return { statusCode: 200, data: ok({ result, result_error: Object.keys(errors).length ? errors : [], result_total: [], result_next: [], result_time: [] }) };
  }).persist();
}

describe('rest batching', () => {
  it('encodes commands in order as method?php-form with halt=0', () => {
    const b = encodeBatch([
      { method: 'imbot.message.add', params: { DIALOG_ID: 'chat1', MESSAGE: 'a&b', KEYBOARD: [{ TEXT: 'x' }] } },
      { method: 'app.info', params: {} },
    ]);
    expect(b.halt).to.equal(0);
    expect(Object.keys(b.cmd)).to.deep.equal(['c0', 'c1']);
    expect(b.cmd['c1']).to.equal('app.info');
    const [method, query] = (b.cmd['c0'] ?? '').split('?');
    expect(method).to.equal('imbot.message.add');
    expect(JSON.parse(JSON.stringify(parsePhpForm(query ?? '')))).to.deep.equal({ DIALOG_ID: 'chat1', MESSAGE: 'a&b', KEYBOARD: { 0: { TEXT: 'x' } } });
  });

  it('decodes results, totals, next, time and per-command errors (PHP [] for empty tables)', () => {
    const calls = [{ method: 'user.get', params: {} }, { method: 'imbot.message.add', params: {} }, { method: 'app.info', params: {} }];
    const out = decodeBatch({ result: {
      result: { c0: [1, 2], c2: false },
      result_error: { c1: { error: 'CANT_EDIT_MESSAGE', error_description: 'old' } },
      result_total: { c0: 60 }, result_next: { c0: '50' }, result_time: { c0: { operating: 1.5, operating_reset_at: 10 } },
    } }, calls);
    expect(out[0]).to.deep.equal({ ok: true, response: { result: [1, 2], total: 60, next: 50, time: { operating: 1.5, operating_reset_at: 10 } } });
    expect(out[1]?.ok).to.equal(false);
    expect(!out[1]?.ok && out[1]?.error).to.include({ code: 'B24_API_ERROR', apiCode: 'CANT_EDIT_MESSAGE', method: 'imbot.message.add' });
    expect(out[2]).to.deep.equal({ ok: true, response: { result: false } });
    const missing = decodeBatch({ result: { result: [], result_error: [] } }, calls.slice(0, 1));
    expect(!missing[0]?.ok && missing[0]?.error).to.include({ code: 'B24_BAD_RESPONSE' });
  });

  it('never batches file methods or batch itself', () => {
    for (const m of ['imbot.v2.File.upload', 'imbot.v2.File.download', 'disk.folder.uploadfile', 'im.disk.file.commit', 'batch']) {
      expect(isBatchable(m), m).to.equal(false);
    }
    for (const m of ['imbot.message.add', 'imbot.v2.Chat.Message.send', 'user.get', 'profile']) expect(isBatchable(m), m).to.equal(true);
  });

  describe('coalescing (MockAgent)', () => {
    let agent: MockAgent;
    beforeEach(() => {
      agent = mockAgent();
    });
    afterEach(async () => {
      await agent.close();
    });

    it('coalesces queued calls into batches of at most 50 and maps results and errors back', async () => {
      batchPortal(agent);
      const { client } = await rig(agent, [oauthPortal()], { rateLimit: { rate: 1000, burst: 2 } });
      const outcomes = await Promise.allSettled(Array.from({ length: 120 }, (_, i) =>
        client.call('m1', 'imbot.message.add', { DIALOG_ID: 'chat1', MESSAGE: String(i) })));
      outcomes.forEach((o, i) => {
        if (i % 2 === 0) expect(o).to.deep.equal({ status: 'fulfilled', value: `sent ${i}` });
        else expect(o.status === 'rejected' && o.reason).to.include({ apiCode: 'MESSAGE_EMPTY', description: `odd ${i}` });
      });
      const sizes = sent(agent).map((r) => Object.keys((r.json?.['cmd'] as object | undefined) ?? {}).length);
      expect(sizes).to.deep.equal([50, 50, 20]);
      expect(sent(agent).every((r) => r.json?.['auth'] === 'access-1' && r.json['halt'] === 0)).to.equal(true);
      await client.close();
    });

    it('sends file methods and noBatch calls alone, in queue order, while others batch', async () => {
      batchPortal(agent);
      const pool = agent.get(ORIGIN);
      pool.intercept({ path: '/rest/imbot.v2.File.upload', method: 'POST' }).reply(200, ok({ messageId: 1 }));
      pool.intercept({ path: '/rest/imbot.message.add', method: 'POST' })
        .reply(({ body }) => ({ statusCode: 200, data: ok(`alone ${(JSON.parse(String(body)) as { MESSAGE: string }).MESSAGE}`) })).persist();
      const { client } = await rig(agent, [oauthPortal()]);
      const results = await Promise.all([
        client.call('m1', 'imbot.message.add', { MESSAGE: '0' }),
        client.call('m1', 'imbot.message.add', { MESSAGE: '2' }),
        client.call('m1', 'imbot.v2.File.upload', { botId: 1, fields: { name: 'a.txt', content: 'eA==' } }),
        client.call('m1', 'imbot.message.add', { MESSAGE: '4' }, { noBatch: true }),
        client.call('m1', 'imbot.message.add', { MESSAGE: '6' }),
      ]);
      // The lone call after the file upload is a group of one: it goes without a batch wrapper.
      expect(results).to.deep.equal(['sent 0', 'sent 2', { messageId: 1 }, 'alone 4', 'alone 6']);
      expect(sent(agent).map((r) => r.path)).to.have.members(['/rest/batch', '/rest/imbot.v2.File.upload', '/rest/imbot.message.add', '/rest/imbot.message.add']);
      await client.close();
    });

    it('sends calls made one after another alone (no batch, no waiting)', async () => {
      agent.get(ORIGIN).intercept({ path: '/rest/imbot.message.add', method: 'POST' }).reply(200, ok(1)).persist();
      const { client } = await rig(agent, [oauthPortal()]);
      for (let i = 0; i < 5; i++) await client.call('m1', 'imbot.message.add', { MESSAGE: String(i) });
      expect(sent(agent).map((r) => r.path)).to.deep.equal(Array(5).fill('/rest/imbot.message.add'));
      await client.close();
    });

    it('rejects every call of a batch whose request failed, with the coded error', async () => {
      agent.get(ORIGIN).intercept({ path: '/rest/batch', method: 'POST' }).reply(400, { error: 'ERROR_BATCH_LENGTH_EXCEEDED', error_description: 'Max batch length exceeded' });
      const { client } = await rig(agent, [oauthPortal()]);
      const errors = await Promise.all([1, 2, 3].map((i) => rejection(client.call('m1', 'imbot.message.add', { MESSAGE: String(i) }))));
      expect(errors.map((e) => e.code)).to.deep.equal(['B24_API_ERROR', 'B24_API_ERROR', 'B24_API_ERROR']);
      expect(sent(agent)).to.have.length(1);
      await client.close();
    });
  });
});
