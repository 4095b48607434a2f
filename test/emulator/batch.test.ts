import { expect } from 'chai';
import type { Emulator } from '../../src/emulator/index.js';
import { call, emulator, result, type Encoding } from './helpers.js';

describe('emulator batch', () => {
  let emu: Emulator;
  let hook: string;

  beforeEach(async () => {
    emu = await emulator({ rateLimit: null });
    hook = emu.portal.createWebhook();
  });
  afterEach(() => emu.close());

  for (const encoding of ['json', 'form'] as Encoding[]) {
    it(`runs commands (${encoding}) and reports results, errors and times per key`, async () => {
      const res = await call(hook, 'batch', {
        cmd: {
          me: 'user.current',
          reg: 'imbot.v2.Bot.register?fields[code]=b1&fields[botToken]=t&fields[properties][name]=B1',
          bad: 'imbot.v2.Bot.get?botToken=t&botId=999',
          get: 'imbot.v2.Bot.get?botToken=t&code=b1',
        },
      }, encoding);
      expect(res.status).to.equal(200);
      const r = result(res);
      expect(Object.keys(r['result'] as object)).to.deep.equal(['me', 'reg', 'get']);
      expect(r['result_error']).to.deep.equal({ bad: { error: 'BOT_NOT_FOUND', error_description: 'Bot not found' } });
      expect(Object.keys(r['result_time'] as object)).to.deep.equal(['me', 'reg', 'get']);
      expect(r['result_total']).to.deep.equal([]);
      expect(r['result_next']).to.deep.equal([]);
      expect(emu.portal.requests().at(-1)).to.include({ method: 'batch', batchSize: 4, status: 200 });
      expect(emu.portal.counters().batchCommands).to.equal(4);
    });
  }

  it('stops at the first error with halt and serializes empty maps as []', async () => {
    const res = await call(hook, 'batch', { halt: 1, cmd: ['nope.method', 'user.current'] });
    expect(result(res)).to.deep.equal({
      result: [], result_error: { 0: { error: 'ERROR_METHOD_NOT_FOUND', error_description: 'Method not found!' } },
      result_total: [], result_next: [], result_time: [],
    });
  });

  // settings/how-to-call-rest-api/batch.md: over 50, only the sub-requests past the limit fail.
  it('runs the first 50 commands and fails only the excess with ERROR_BATCH_LENGTH_EXCEEDED; refuses nested batches', async () => {
    const cmd = Array.from({ length: 52 }, () => 'user.current');
    const tooMany = await call(hook, 'batch', { cmd });
    expect(tooMany.status).to.equal(200);
    const body = result(tooMany);
    expect(Object.keys(body['result'] as Record<string, unknown>)).to.have.length(50);
    expect(body['result_error']).to.deep.equal({
      50: { error: 'ERROR_BATCH_LENGTH_EXCEEDED', error_description: 'Max batch length exceeded' },
      51: { error: 'ERROR_BATCH_LENGTH_EXCEEDED', error_description: 'Max batch length exceeded' },
    });
    expect(emu.portal.counters().batchCommands, 'the excess never ran').to.equal(50);
    const nested = await call(hook, 'batch', { cmd: { inner: 'batch?cmd[a]=user.current' } });
    expect((result(nested)['result_error'] as Record<string, { error: string }>)['inner']?.error).to.equal('ERROR_BATCH_METHOD_NOT_ALLOWED');
  });

  it('substitutes $result references of earlier commands', async () => {
    const res = await call(hook, 'batch', {
      cmd: {
        reg: 'imbot.v2.Bot.register?fields[code]=chain&fields[botToken]=t&fields[properties][name]=Chain',
        get: 'imbot.v2.Bot.get?botToken=t&botId=$result[reg][bot][id]',
      },
    });
    const got = (result(res)['result'] as Record<string, { bot: { code: string } }>)['get'];
    expect(got?.bot.code).to.equal('chain');
  });

  it('applies the caller\'s auth to every command (an expired token fails the whole batch)', async () => {
    const { accessToken } = emu.portal.issueTokens();
    const ok = await call(emu.portal.clientEndpoint, 'batch', { auth: accessToken, cmd: { i: 'app.info' } });
    expect((result(ok)['result'] as Record<string, { CODE: string }>)['i']?.CODE).to.equal('local.emulator.app');
    emu.portal.expireAccessTokens();
    const expired = await call(emu.portal.clientEndpoint, 'batch', { auth: accessToken, cmd: { i: 'app.info' } });
    expect(expired.status).to.equal(401);
    expect(expired.body['error']).to.equal('expired_token');
  });
});
