import { expect } from 'chai';
import type { StackOptions } from '../e2e/harness.js';
import { describeChange } from '../../src/registry/plan.js';
import { baseOptions, mutating, redeclare, startSyncStack, type SyncStack } from './sync-rig.js';
import type { BotOptions } from '../../src/router/bot.js';

// Registration sync against the emulator, for both API generations and both auth modes. What the portal
// can be asked: v2 `imbot.v2/bots/bot-list.md`, `bot-update.md`, `commands/command-list.md`,
// `command-update.md`, `command-unregister.md`; classic `outdated/bots/imbot-bot-list.md`, `imbot-update.md`,
// `outdated/commands/imbot-command-update.md`, `imbot-command-unregister.md` (bitrix-tools/b24-rest-docs).

/** The base bots with greeter renamed, /hello retitled in English and /bye removed. */
function edited(): BotOptions[] {
  const [greeter, helper] = baseOptions();
  return [
    {
      ...greeter!, properties: { ...greeter!.properties, name: 'Greeter Bot' },
      commands: [{ name: 'hello', title: { en: 'Hello there', de: 'Hallo sagen' }, params: { en: 'name', de: 'Name' } }],
    },
    helper!,
  ];
}

const VARIANTS: Array<{ name: string; opts: StackOptions; methods: { bot: string; cmd: string; unCmd: string; unBot: string } }> = [
  { name: 'v2, OAuth app, pushed events', opts: {}, methods: v2() },
  { name: 'v2, incoming webhook (botToken), fetched events', opts: { auth: 'webhook' }, methods: v2() },
  { name: 'classic, OAuth app', opts: { api: 'v1' }, methods: v1() },
  { name: 'classic, incoming webhook (CLIENT_ID)', opts: { api: 'v1', auth: 'webhook' }, methods: v1() },
];

function v2(): { bot: string; cmd: string; unCmd: string; unBot: string } {
  return { bot: 'imbot.v2.Bot.update', cmd: 'imbot.v2.Command.update', unCmd: 'imbot.v2.Command.unregister', unBot: 'imbot.v2.Bot.unregister' };
}
function v1(): { bot: string; cmd: string; unCmd: string; unBot: string } {
  return { bot: 'imbot.update', cmd: 'imbot.command.update', unCmd: 'imbot.command.unregister', unBot: 'imbot.unregister' };
}

for (const variant of VARIANTS) {
  describe(`registration sync (${variant.name})`, function () {
    this.timeout(30_000);
    let s: SyncStack;
    before(async () => {
      s = await startSyncStack(variant.opts);
    });
    after(async () => s.close());

    const greeter = () => s.stack.emu.portal.bots().find((b) => b.code === 'greeter');

    it('after registration, syncing twice changes nothing and plans nothing', async () => {
      expect(greeter()?.commands.map((c) => c.command).sort()).to.deep.equal(['bye', 'hello']);
      const mark = s.mark();
      for (let i = 0; i < 2; i++) {
        const report = await s.stack.kit.syncPortal(s.memberId);
        expect(report.changes).to.deep.equal([]);
        expect(report.bots.map((b) => [b.code, b.error])).to.deep.equal([['greeter', undefined], ['helper', undefined]]);
      }
      expect((await s.stack.kit.planSync(s.memberId)).changes).to.deep.equal([]);
      expect(mutating(s.since(mark)), 'no mutating call crossed the wire').to.deep.equal([]);
      expect(s.since(mark).length, 'but the portal was read').to.be.greaterThan(0);
    });

    it('a rename, a retitled command and a removed command: the dry run lists exactly those and changes nothing', async () => {
      const kit = await s.deploy(edited());
      const helperId = s.stack.emu.portal.bots().find((b) => b.code === 'helper')?.id;
      const hello = greeter()?.commands.find((c) => c.command === 'hello');
      const bye = greeter()?.commands.find((c) => c.command === 'bye');
      const mark = s.mark();
      const plan = await kit.planSync(s.memberId);
      expect(plan.changes.map(describeChange)).to.deep.equal([
        `update bot greeter (#${greeter()?.id}): properties.name`,
        `unregister command /bye of greeter (#${bye?.id})`,
        `update command /hello of greeter (#${hello?.id}): title.en`,
      ]);
      expect(mutating(s.since(mark)), 'the dry run changed nothing').to.deep.equal([]);
      expect(greeter()?.name).to.equal('Greeter');

      const report = await kit.syncPortal(s.memberId);
      expect(report.changes.map((c) => [c.action, c.ok])).to.deep.equal([['update-bot', true], ['unregister-command', true], ['update-command', true]]);
      expect(mutating(s.since(mark)), 'exactly those three changes crossed the wire').to.deep.equal([variant.methods.bot, variant.methods.unCmd, variant.methods.cmd]);
      expect(greeter()?.name).to.equal('Greeter Bot');
      expect(greeter()?.commands.map((c) => [c.id, c.command, c.title])).to.deep.equal([[hello?.id, 'hello', { en: 'Hello there', de: 'Hallo sagen' }]]);
      expect(greeter()?.commands[0]?.params).to.deep.equal({ en: 'name', de: 'Name' });
      const helper = s.stack.emu.portal.bots().find((b) => b.code === 'helper');
      expect([helper?.id, helper?.name, helper?.commands.map((c) => c.command)]).to.deep.equal([helperId, 'Helper', ['help']]);
      expect((await kit.store.listCommands(s.memberId, 'greeter')).map((c) => c.command)).to.deep.equal(['hello']);

      const again = s.mark();
      expect((await kit.syncPortal(s.memberId)).changes).to.deep.equal([]);
      expect(mutating(s.since(again)), 'the second sync changed nothing').to.deep.equal([]);
    });

    it('a bot module removed from bots/ is unregistered on the portal and forgotten', async () => {
      const kit = await s.deploy(edited().slice(0, 1));
      const helperId = s.stack.emu.portal.bots().find((b) => b.code === 'helper')?.id;
      expect((await kit.planSync(s.memberId)).changes).to.deep.equal([{ action: 'unregister-bot', bot: 'helper', botId: helperId }]);
      const mark = s.mark();
      const report = await kit.syncPortal(s.memberId);
      expect(report.changes).to.deep.equal([{ action: 'unregister-bot', bot: 'helper', botId: helperId, ok: true }]);
      expect(mutating(s.since(mark))).to.deep.equal([variant.methods.unBot]);
      expect(s.stack.emu.portal.bots().map((b) => b.code)).to.deep.equal(['greeter']);
      expect((await kit.store.listBots(s.memberId)).map((b) => b.code)).to.deep.equal(['greeter']);
      expect(await kit.store.listCommands(s.memberId, 'helper')).to.deep.equal([]);
    });

    it('at start, syncs only when the declared bots changed since the last sync (stored hash)', async () => {
      const portalCalls = (mark: number) => s.since(mark).filter((r) => /^imbot\./.test(r.method) && !r.method.endsWith('Event.get')).map((r) => r.method);
      redeclare(s.bots, edited().slice(0, 1)); // what the last deploy synced
      const hash = await s.stack.kit.store.getSyncHash(s.memberId);
      let mark = s.mark();
      await s.stack.restart();
      await s.stack.kit.idle(); // the start-up sync runs in the background
      expect(portalCalls(mark), 'unchanged: the portal is not even read').to.deep.equal([]);

      redeclare(s.bots, [{ ...edited()[0]!, properties: { name: 'Greeter', lastName: 'Three' } }]);
      mark = s.mark();
      await s.stack.restart();
      await s.stack.kit.idle(); // the start-up sync runs in the background
      expect(mutating(s.since(mark))).to.deep.equal([variant.methods.bot]);
      expect(greeter()?.name).to.equal('Greeter Three');
      const synced = await s.stack.kit.store.getSyncHash(s.memberId);
      expect(synced).to.be.a('string').and.not.equal(hash);

      mark = s.mark();
      await s.stack.restart();
      await s.stack.kit.idle(); // the start-up sync runs in the background
      expect(portalCalls(mark)).to.deep.equal([]);
      expect(await s.stack.kit.store.getSyncHash(s.memberId)).to.equal(synced);
    });
  });
}

describe('registration sync: one sync per portal at a time', function () {
  this.timeout(30_000);
  let s: SyncStack;
  before(async () => {
    s = await startSyncStack();
  });
  after(async () => s.close());

  it('two concurrent syncs of one portal run one after the other: the second finds nothing to do', async () => {
    const kit = await s.deploy(edited());
    const mark = s.mark();
    const [first, second] = await Promise.all([kit.syncPortal(s.memberId), kit.syncPortal(s.memberId)]);
    expect(first.changes.map((c) => c.action)).to.deep.equal(['update-bot', 'unregister-command', 'update-command']);
    expect(second.changes).to.deep.equal([]);
    expect(mutating(s.since(mark))).to.deep.equal(['imbot.v2.Bot.update', 'imbot.v2.Command.unregister', 'imbot.v2.Command.update']);
    // The second read the portal only after the first had finished changing it.
    const log = s.since(mark).map((r) => r.method);
    expect(log.lastIndexOf('imbot.v2.Command.update')).to.be.lessThan(log.lastIndexOf('imbot.v2.Bot.list'));
  });
});
