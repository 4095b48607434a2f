import { expect } from 'chai';
import type { Harness } from './harness.js';
import { makeBot, makeCommand, makePortal } from './records.js';

const fresh = { accessToken: 'access-2', refreshToken: 'refresh-2', expiresAt: 9_000_000 };

/** Portals, tokens, bots and commands. */
export function portalContract(h: Harness): void {
  describe('portals', () => {
    it('returns null for an unknown portal and the saved record for a known one', async () => {
      expect(await h.store.getPortal('m-1')).to.equal(null);
      await h.store.savePortal(makePortal());
      expect(await h.store.getPortal('m-1')).to.deep.equal(makePortal());
    });

    it('replaces the whole record on save, nulls included', async () => {
      await h.store.savePortal(makePortal());
      const webhook = makePortal({
        authMode: 'webhook', applicationToken: null, accessToken: null, refreshToken: null, expiresAt: null,
        rateLimit: '4/100', clientEndpoint: 'https://one.bitrix24.test/rest/1/code/', status: 'reinstall_required',
      });
      await h.store.savePortal(webhook);
      expect(await h.store.getPortal('m-1')).to.deep.equal(webhook);
      expect(await h.store.listPortals()).to.have.length(1);
    });

    it('lists portals ordered by memberId', async () => {
      for (const id of ['m-b', 'm-c', 'm-a']) await h.store.savePortal(makePortal({ memberId: id }));
      expect((await h.store.listPortals()).map((p) => p.memberId)).to.deep.equal(['m-a', 'm-b', 'm-c']);
    });

    it('copies records in and out, so callers cannot change what is stored', async () => {
      const saved = makePortal();
      await h.store.savePortal(saved);
      saved.accessToken = 'mutated-after-save';
      const read = await h.store.getPortal('m-1');
      if (!read) throw new Error('portal missing');
      read.refreshToken = 'mutated-after-read';
      (await h.store.listPortals())[0]!.domain = 'mutated.test';
      expect(await h.store.getPortal('m-1')).to.deep.equal(makePortal());
    });

    it('updateTokens swaps the pair when the refresh token still matches, stamping updatedAt', async () => {
      await h.store.savePortal(makePortal());
      h.now += 5;
      expect(await h.store.updateTokens('m-1', fresh, 'refresh-1')).to.equal(true);
      expect(await h.store.getPortal('m-1')).to.deep.equal(makePortal({ ...fresh, updatedAt: h.now }));
    });

    it('updateTokens refuses a stale refresh token (another writer rotated first)', async () => {
      await h.store.savePortal(makePortal());
      expect(await h.store.updateTokens('m-1', fresh, 'refresh-1')).to.equal(true);
      const loser = { accessToken: 'access-3', refreshToken: 'refresh-3', expiresAt: 1 };
      expect(await h.store.updateTokens('m-1', loser, 'refresh-1')).to.equal(false);
      expect(await h.store.getPortal('m-1')).to.include(fresh);
    });

    it('lets exactly one of two concurrent refreshes win', async () => {
      await h.store.savePortal(makePortal());
      const a = { accessToken: 'access-a', refreshToken: 'refresh-a', expiresAt: 1 };
      const b = { accessToken: 'access-b', refreshToken: 'refresh-b', expiresAt: 2 };
      const results = await Promise.all([
        h.store.updateTokens('m-1', a, 'refresh-1'),
        h.store.updateTokens('m-1', b, 'refresh-1'),
      ]);
      expect(results.filter(Boolean)).to.have.length(1);
      expect(await h.store.getPortal('m-1')).to.include(results[0] ? a : b);
    });

    it('updateTokens is false for an unknown portal and for a portal without a refresh token', async () => {
      expect(await h.store.updateTokens('nope', fresh, 'refresh-1')).to.equal(false);
      await h.store.savePortal(makePortal({ refreshToken: null }));
      expect(await h.store.updateTokens('m-1', fresh, '')).to.equal(false);
      expect(await h.store.getPortal('m-1')).to.include({ refreshToken: null, accessToken: 'access-1' });
    });

    it('setPortalStatus changes status and updatedAt, and ignores unknown portals', async () => {
      await h.store.savePortal(makePortal());
      h.now += 7;
      await h.store.setPortalStatus('m-1', 'reinstall_required');
      await h.store.setPortalStatus('nope', 'active');
      expect(await h.store.getPortal('m-1')).to.deep.equal(makePortal({ status: 'reinstall_required', updatedAt: h.now }));
      expect(await h.store.getPortal('nope')).to.equal(null);
      // A UI install whose page never called installFinish (src/registry/install-state.ts).
      await h.store.setPortalStatus('m-1', 'install_unfinished');
      expect(await h.store.getPortal('m-1')).to.include({ status: 'install_unfinished' });
      await h.store.savePortal(makePortal({ memberId: 'm-2', status: 'install_unfinished' }));
      expect((await h.store.listPortals()).map((p) => p.status)).to.deep.equal(['install_unfinished', 'install_unfinished']);
    });

    it('deletePortal removes the portal with its bots, commands and offsets, and nothing else', async () => {
      for (const memberId of ['m-1', 'm-2']) {
        await h.store.savePortal(makePortal({ memberId }));
        await h.store.saveBot(makeBot({ memberId }));
        await h.store.saveCommand(makeCommand({ memberId }));
        await h.store.setOffset(memberId, 45, 10);
      }
      await h.store.deletePortal('m-1');
      expect(await h.store.getPortal('m-1')).to.equal(null);
      expect(await h.store.listBots()).to.deep.equal([makeBot({ memberId: 'm-2' })]);
      expect(await h.store.listCommands('m-1')).to.deep.equal([]);
      expect(await h.store.getOffset('m-1', 45)).to.equal(0);
      expect(await h.store.listCommands('m-2')).to.deep.equal([makeCommand({ memberId: 'm-2' })]);
      expect(await h.store.getOffset('m-2', 45)).to.equal(10);
    });
  });

  describe('bots and commands', () => {
    it('lists bots ordered by portal then code, optionally for one portal', async () => {
      await h.store.saveBot(makeBot({ memberId: 'm-2', code: 'a' }));
      await h.store.saveBot(makeBot({ memberId: 'm-1', code: 'z' }));
      await h.store.saveBot(makeBot({ memberId: 'm-1', code: 'b' }));
      const all = await h.store.listBots();
      expect(all.map((b) => `${b.memberId}/${b.code}`)).to.deep.equal(['m-1/b', 'm-1/z', 'm-2/a']);
      expect((await h.store.listBots('m-1')).map((b) => b.code)).to.deep.equal(['b', 'z']);
      expect(await h.store.listBots('m-3')).to.deep.equal([]);
    });

    it('saveBot replaces the bot with the same portal and code', async () => {
      await h.store.saveBot(makeBot());
      const moved = makeBot({ botId: 99, api: 'v1', eventMode: 'fetch', botToken: null, registeredAt: 1 });
      await h.store.saveBot(moved);
      expect(await h.store.listBots()).to.deep.equal([moved]);
    });

    it('deleteBot removes the bot and its commands only', async () => {
      await h.store.saveBot(makeBot({ code: 'echo' }));
      await h.store.saveBot(makeBot({ code: 'desk', botId: 46 }));
      await h.store.saveCommand(makeCommand({ botCode: 'echo' }));
      await h.store.saveCommand(makeCommand({ botCode: 'desk' }));
      await h.store.deleteBot('m-1', 'echo');
      expect((await h.store.listBots()).map((b) => b.code)).to.deep.equal(['desk']);
      expect(await h.store.listCommands('m-1')).to.deep.equal([makeCommand({ botCode: 'desk' })]);
    });

    it('lists commands ordered by bot then command, optionally for one bot; save replaces', async () => {
      await h.store.saveCommand(makeCommand({ botCode: 'echo', command: 'stop', commandId: 1 }));
      await h.store.saveCommand(makeCommand({ botCode: 'desk', command: 'new', commandId: 2 }));
      await h.store.saveCommand(makeCommand({ botCode: 'echo', command: 'help', commandId: 3 }));
      await h.store.saveCommand(makeCommand({ botCode: 'echo', command: 'help', commandId: 4 }));
      await h.store.saveCommand(makeCommand({ memberId: 'm-2', botCode: 'echo', command: 'help', commandId: 5 }));
      const ids = (list: Array<{ commandId: number }>) => list.map((c) => c.commandId);
      expect(ids(await h.store.listCommands('m-1'))).to.deep.equal([2, 4, 1]);
      expect(ids(await h.store.listCommands('m-1', 'echo'))).to.deep.equal([4, 1]);
      expect(ids(await h.store.listCommands('m-2'))).to.deep.equal([5]);
    });

    it('copies bots and commands out', async () => {
      await h.store.saveBot(makeBot());
      await h.store.saveCommand(makeCommand());
      (await h.store.listBots())[0]!.botId = 1;
      (await h.store.listCommands('m-1'))[0]!.commandId = 1;
      expect(await h.store.listBots()).to.deep.equal([makeBot()]);
      expect(await h.store.listCommands('m-1')).to.deep.equal([makeCommand()]);
    });
  });

  describe('registration sync records', () => {
    it('keeps the applied spec of bots and commands; a record saved without one has none', async () => {
      const bot = makeBot({ spec: '{"type":"bot","properties":{"name":"Echo"}}' });
      const cmd = makeCommand({ spec: '{"title":{"en":"Help"}}' });
      await h.store.saveBot(bot);
      await h.store.saveCommand(cmd);
      expect(await h.store.listBots('m-1')).to.deep.equal([bot]);
      expect(await h.store.listCommands('m-1')).to.deep.equal([cmd]);
      await h.store.saveBot(makeBot());
      await h.store.saveCommand(makeCommand());
      expect(await h.store.listBots('m-1')).to.deep.equal([makeBot()]);
      expect((await h.store.listCommands('m-1'))[0]).to.not.have.property('spec');
    });

    it('deleteCommand removes one command of one bot of one portal, and ignores unknown ones', async () => {
      await h.store.saveCommand(makeCommand({ command: 'help', commandId: 1 }));
      await h.store.saveCommand(makeCommand({ command: 'stop', commandId: 2 }));
      await h.store.saveCommand(makeCommand({ botCode: 'desk', command: 'help', commandId: 3 }));
      await h.store.saveCommand(makeCommand({ memberId: 'm-2', command: 'help', commandId: 4 }));
      await h.store.deleteCommand('m-1', 'echo', 'help');
      await h.store.deleteCommand('m-1', 'echo', 'nope');
      expect((await h.store.listCommands('m-1')).map((c) => c.commandId)).to.deep.equal([3, 2]);
      expect((await h.store.listCommands('m-2')).map((c) => c.commandId)).to.deep.equal([4]);
    });

    it('remembers one sync hash per portal, replaced on set and forgotten with the portal', async () => {
      expect(await h.store.getSyncHash('m-1')).to.equal(null);
      await h.store.savePortal(makePortal());
      await h.store.setSyncHash('m-1', 'hash-a');
      await h.store.setSyncHash('m-2', 'hash-b');
      await h.store.setSyncHash('m-1', 'hash-c');
      expect([await h.store.getSyncHash('m-1'), await h.store.getSyncHash('m-2')]).to.deep.equal(['hash-c', 'hash-b']);
      await h.store.deletePortal('m-1');
      expect([await h.store.getSyncHash('m-1'), await h.store.getSyncHash('m-2')]).to.deep.equal([null, 'hash-b']);
    });
  });
}
