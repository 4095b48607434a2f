import { expect } from 'chai';
import { describeChange, TYPE_NOTE, COMMON_NOTE } from '../../src/registry/plan.js';
import type { BotOptions } from '../../src/router/bot.js';
import { baseOptions, mutating, startSyncStack, type SyncStack } from './sync-rig.js';

// Registration sync beyond the happy path: what the platform cannot update in place, failures, drift made
// on the portal, paging. Docs: `chat-bots-v2/imbot.v2/bots/bot-update.md` (no `type` field),
// `outdated/commands/imbot-command-update.md` (no `COMMON`), `imbot.v2/bots/bot-list.md` (limit/offset).

const [GREETER, HELPER] = baseOptions() as [BotOptions, BotOptions];

describe('registration sync: what cannot be updated in place, and failures (v2, OAuth)', function () {
  this.timeout(30_000);
  let s: SyncStack;
  beforeEach(async () => {
    s = await startSyncStack();
  });
  afterEach(async () => s.close());

  it('a type change is planned with a note and reported as failed; the rest of the update is applied (bot-update.md has no type)', async () => {
    const hash = await s.stack.kit.store.getSyncHash(s.memberId);
    const kit = await s.deploy([{ ...GREETER, type: 'supervisor', properties: { name: 'Watcher' } }, HELPER]);
    const greeterId = s.stack.emu.portal.bots().find((b) => b.code === 'greeter')?.id;
    const plan = await kit.planSync(s.memberId);
    expect(plan.changes).to.deep.equal([{
      action: 'update-bot', bot: 'greeter', botId: greeterId, fields: ['type', 'properties.name', 'properties.workPosition'], note: TYPE_NOTE,
    }]);
    expect(describeChange(plan.changes[0]!)).to.match(/^update bot greeter \(#\d+\): type, properties.name, properties.workPosition \(the type cannot be changed in place/);
    const mark = s.mark();
    const report = await kit.syncPortal(s.memberId);
    expect(report.changes.map((c) => [c.action, c.ok, c.error])).to.deep.equal([['update-bot', false, TYPE_NOTE]]);
    expect(mutating(s.since(mark))).to.deep.equal(['imbot.v2.Bot.update']);
    const sent = JSON.parse(s.since(mark).find((r) => r.method === 'imbot.v2.Bot.update')?.params ?? '{}') as { fields: Record<string, unknown> };
    expect(sent.fields, 'the dropped workPosition is cleared, no type is sent').to.deep.equal({ properties: { name: 'Watcher', workPosition: '' } });
    const greeter = s.stack.emu.portal.bots().find((b) => b.code === 'greeter');
    expect([greeter?.name, greeter?.type]).to.deep.equal(['Watcher', 'bot']);
    expect(await kit.store.getSyncHash(s.memberId), 'an incomplete sync stores no hash').to.equal(hash);

    const again = s.mark();
    const second = await kit.syncPortal(s.memberId);
    expect(second.changes.map((c) => [c.action, c.ok, 'fields' in c ? c.fields : null])).to.deep.equal([['update-bot', false, ['type']]]);
    expect(mutating(s.since(again)), 'still reported, nothing re-sent').to.deep.equal([]);
  });

  it('the start-up sync runs in the background: start() resolves and the server answers while the portal is slow', async () => {
    const kit = await s.deploy([{ ...GREETER, properties: { name: 'Renamed' } }, HELPER]);
    const off = s.stack.emu.faults.add({ method: 'imbot.v2.Bot.list', kind: 'slow', delayMs: 8000, times: 1 });
    const mark = s.mark();
    const url = await kit.start();
    const health = await fetch(`${url}/healthz`);
    // The emulator logs a request once it answered it: the slow Bot.list has not been answered yet.
    expect([health.status, s.since(mark).map((r) => r.method)]).to.deep.equal([200, []]);
    await kit.idle();
    off();
    expect(mutating(s.since(mark))).to.deep.equal(['imbot.v2.Bot.update']);
    expect(s.stack.emu.portal.bots().find((b) => b.code === 'greeter')?.name).to.equal('Renamed');
  });

  it('a change the portal refuses is reported, the hash is not stored, and the next sync applies it', async () => {
    const before = await s.stack.kit.store.getSyncHash(s.memberId);
    const kit = await s.deploy([{ ...GREETER, commands: [{ name: 'hello', title: 'Hi' }, { name: 'bye', title: 'Say bye' }] }, HELPER]);
    const off = s.stack.emu.faults.add({ method: 'imbot.v2.Command.update', kind: 'status', status: 400, error: 'COMMAND_NOT_FOUND', errorDescription: 'Command not found', times: 1 });
    const first = await kit.syncPortal(s.memberId);
    off();
    const refused = 'imbot.v2.Command.update: COMMAND_NOT_FOUND (Command not found) [HTTP 400]';
    expect(first.changes.map((c) => [c.action, c.ok, c.error])).to.deep.equal([['update-command', false, refused]]);
    expect(first.bots.find((b) => b.code === 'greeter')?.error).to.equal(refused);
    expect(await kit.store.getSyncHash(s.memberId)).to.equal(before);
    const second = await kit.syncPortal(s.memberId);
    expect(second.changes.map((c) => [c.action, c.ok, 'fields' in c ? c.fields : null])).to.deep.equal([['update-command', true, ['title.de', 'title.en', 'params.de', 'params.en']]]);
    expect(s.stack.emu.portal.bots().find((b) => b.code === 'greeter')?.commands.find((c) => c.command === 'hello')?.title).to.deep.equal({ en: 'Hi' });
    expect(await kit.store.getSyncHash(s.memberId)).to.be.a('string').and.not.equal(before);
  });

  it('ONAPPUPDATE re-syncs: a bot renamed on the portal gets its declared name back', async () => {
    const greeter = s.stack.emu.portal.bots().find((b) => b.code === 'greeter');
    await s.stack.kit.client.call(s.memberId, 'imbot.v2.Bot.update', { botId: greeter?.id, fields: { properties: { name: 'Renamed by an admin' } } });
    expect((await s.stack.kit.planSync(s.memberId)).changes.map(describeChange)).to.deep.equal([`update bot greeter (#${greeter?.id}): properties.name`]);
    const mark = s.mark();
    const answer = await s.stack.emu.portal.install(`${s.stack.url}/install`, { event: 'ONAPPUPDATE' });
    expect(answer.status).to.equal(200);
    expect(mutating(s.since(mark))).to.deep.equal(['imbot.v2.Bot.update']);
    expect(s.stack.emu.portal.bots().find((b) => b.code === 'greeter')?.name).to.equal('Greeter');
  });

  it('a bot the store forgot is adopted from the app\'s own listing (Bot.list), not registered twice', async () => {
    await s.stack.kit.store.deleteBot(s.memberId, 'helper');
    const helperId = s.stack.emu.portal.bots().find((b) => b.code === 'helper')?.id;
    const commandId = s.stack.emu.portal.bots().find((b) => b.code === 'helper')?.commands[0]?.id;
    expect((await s.stack.kit.planSync(s.memberId)).changes).to.deep.equal([
      { action: 'update-bot', bot: 'helper', botId: helperId, fields: ['properties.name', 'eventMode', 'handlerUrl'] },
      { action: 'update-command', bot: 'helper', command: 'help', commandId, fields: ['title.en', 'common', 'hidden'] },
    ]);
    const mark = s.mark();
    await s.stack.kit.syncPortal(s.memberId);
    expect(mutating(s.since(mark))).to.deep.equal(['imbot.v2.Bot.update', 'imbot.v2.Command.update']);
    expect((await s.stack.kit.store.listBots(s.memberId)).find((b) => b.code === 'helper')?.botId).to.equal(helperId);
    expect((await s.stack.kit.planSync(s.memberId)).changes).to.deep.equal([]);
  });
});

describe('registration sync: webhook auth keeps the botToken of a failed registration (v2)', function () {
  this.timeout(30_000);
  let s: SyncStack;
  before(async () => {
    s = await startSyncStack({ auth: 'webhook' }, [GREETER]);
  });
  after(async () => s.close());

  it('the token is stored before the register call; the next sync registers with the same token', async () => {
    const kit = await s.deploy([GREETER, HELPER]);
    const off = s.stack.emu.faults.add({ method: 'imbot.v2.Bot.register', kind: 'status', status: 400, error: 'BOT_REGISTER_FAILED', times: 1 });
    const first = await kit.syncPortal(s.memberId);
    off();
    expect(first.changes.map((c) => [c.action, c.bot, c.ok])).to.deep.equal([['register-bot', 'helper', false], ['register-command', 'helper', false]]);
    const pending = (await kit.store.listBots(s.memberId)).find((b) => b.code === 'helper');
    expect([pending?.botId, pending?.botToken?.length]).to.deep.equal([0, 40]);
    await kit.syncPortal(s.memberId);
    const registered = (await kit.store.listBots(s.memberId)).find((b) => b.code === 'helper');
    expect(registered?.botToken).to.equal(pending?.botToken);
    expect(registered?.botId).to.equal(s.stack.emu.portal.bots().find((b) => b.code === 'helper')?.id);
    expect((await kit.planSync(s.memberId)).changes).to.deep.equal([]);
  });
});

describe('registration sync: classic COMMON is not updatable, so the command is registered again', function () {
  this.timeout(30_000);
  let s: SyncStack;
  before(async () => {
    s = await startSyncStack({ api: 'v1' });
  });
  after(async () => s.close());

  it('plans and applies unregister + register, with a note (outdated/commands/imbot-command-update.md)', async () => {
    const kit = await s.deploy([GREETER, { ...HELPER, commands: [{ name: 'help', title: 'Help', common: true }] }]);
    const old = s.stack.emu.portal.bots().find((b) => b.code === 'helper')?.commands[0];
    expect((await kit.planSync(s.memberId)).changes).to.deep.equal([
      { action: 'unregister-command', bot: 'helper', command: 'help', commandId: old?.id, note: COMMON_NOTE },
      { action: 'register-command', bot: 'helper', command: 'help', note: COMMON_NOTE },
    ]);
    const mark = s.mark();
    await kit.syncPortal(s.memberId);
    expect(mutating(s.since(mark))).to.deep.equal(['imbot.command.unregister', 'imbot.command.register']);
    const now = s.stack.emu.portal.bots().find((b) => b.code === 'helper')?.commands[0];
    expect([now?.command, now?.common, now?.id === old?.id]).to.deep.equal(['help', true, false]);
    expect((await kit.planSync(s.memberId)).changes).to.deep.equal([]);
  });
});

describe('registration sync: Bot.list is read page by page', function () {
  this.timeout(60_000);
  let s: SyncStack;
  const many: BotOptions[] = Array.from({ length: 55 }, (_, i) => ({ code: `bot${String(i).padStart(2, '0')}`, properties: { name: `Bot ${i}` } }));
  before(async () => {
    // 55 registrations and updates at once: a bucket the size of an enterprise plan's keeps this quick.
    s = await startSyncStack({ env: { B24_RATE_LIMIT: 'enterprise' } }, many);
  });
  after(async () => s.close());

  it('55 bots: two pages of 50, and nothing to change (bots/bot-list.md: limit 50 by default, offset)', async () => {
    expect(s.stack.emu.portal.bots()).to.have.length(55);
    const mark = s.mark();
    const report = await s.stack.kit.syncPortal(s.memberId);
    expect(report.changes).to.deep.equal([]);
    expect(report.bots.filter((b) => b.botId !== null)).to.have.length(55);
    const pages = s.since(mark).filter((r) => r.method === 'imbot.v2.Bot.list').map((r) => (JSON.parse(r.params ?? '{}') as { offset: number }).offset);
    expect(pages).to.deep.equal([0, 50]);
    expect(mutating(s.since(mark))).to.deep.equal([]);
  });
});
