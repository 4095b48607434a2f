/** The example bots with files, both API generations, against the emulator over loopback. */
import { expect } from 'chai';
import type { SentMessage } from '@b24-botkit/emulator';
import { loadBots } from '../../src/registry/load-bots.js';
import { startStack, type Stack } from './harness.js';

async function nth(stack: Stack, dialogId: string, n: number, botCode: string): Promise<SentMessage> {
  const all = await stack.emu.portal.waitForMessages(n, { dialogId, botCode });
  return all[n - 1] as SentMessage;
}

for (const api of ['v2', 'v1'] as const) {
  describe(`e2e example bots with files (${api})`, function () {
    this.timeout(30_000);
    let stack: Stack;
    before(async () => {
      stack = await startStack({ api, bots: await loadBots('bots') });
    });
    after(async () => stack.close());

    it('echo answers a file with its name and size (v2: read from the download headers)', async () => {
      const user = stack.emu.portal.users.add({ name: 'Fay File' });
      await stack.emu.portal.sendMessage({ from: user, to: 'echo', text: '', files: [{ name: 'shot.png', size: 1536 }] });
      expect((await nth(stack, String(user), 1, 'echo')).text).to.equal('You sent shot.png (1.5 KB)');
      await stack.emu.portal.sendMessage({ from: user, to: 'echo', text: 'two', files: [{ name: 'a.txt', content: 'abc' }, { name: 'b.bin', size: 3 * 1024 * 1024 }] });
      expect((await nth(stack, String(user), 2, 'echo')).text).to.equal('You sent a.txt (3 bytes), b.bin (3 MB) and said: two');
    });

    it('helpdesk takes an optional file at the description step and shows it in the summary', async () => {
      const user = stack.emu.portal.users.add({ name: 'Hal Help' });
      const dlg = String(user);
      await stack.emu.portal.sendMessage({ from: user, to: 'helpdesk', text: '/ticket' });
      await nth(stack, dlg, 1, 'helpdesk');
      await stack.emu.portal.sendMessage({ from: user, to: 'helpdesk', text: 'Printer jam' });
      expect((await nth(stack, dlg, 2, 'helpdesk')).text).to.contain('You may attach a file');
      await stack.emu.portal.sendMessage({ from: user, to: 'helpdesk', text: '', files: [{ name: 'jam.jpg', content: 'x'.repeat(2048) }] });
      const priority = await nth(stack, dlg, 3, 'helpdesk');
      await stack.emu.portal.pressButton({ from: user, messageId: priority.id, button: 'Low' });
      const confirm = await nth(stack, dlg, 4, 'helpdesk');
      await stack.emu.portal.pressButton({ from: user, messageId: confirm.id, button: 'Submit' });
      const summary = JSON.stringify((await nth(stack, dlg, 5, 'helpdesk')).attach);
      expect(summary).to.contain('"NAME":"Attachment","VALUE":"jam.jpg (2 KB)"');
      expect(summary).to.contain('(see the attachment)');
    });

    it('helpdesk still works without a file (no Attachment row)', async () => {
      const user = stack.emu.portal.users.add({ name: 'Nora Nofile' });
      const dlg = String(user);
      for (const [i, text] of [[1, '/ticket'], [2, 'Mouse broken'], [3, 'It clicks twice']] as const) {
        await stack.emu.portal.sendMessage({ from: user, to: 'helpdesk', text });
        await nth(stack, dlg, i, 'helpdesk');
      }
      const priority = await nth(stack, dlg, 3, 'helpdesk');
      await stack.emu.portal.pressButton({ from: user, messageId: priority.id, button: 'High' });
      const confirm = await nth(stack, dlg, 4, 'helpdesk');
      await stack.emu.portal.pressButton({ from: user, messageId: confirm.id, button: 'Submit' });
      const summary = JSON.stringify((await nth(stack, dlg, 5, 'helpdesk')).attach);
      expect(summary).not.to.contain('Attachment');
      expect(summary).to.contain('It clicks twice');
    });
  });
}
