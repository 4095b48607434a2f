import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { expect } from 'chai';
import type { Emulator } from '../src/index.js';
import { runReplCommand } from '../src/repl.js';
import { call, emulator, receiver, result } from './helpers.js';

describe('emulator CLI and REPL', () => {
  it('npm run emulator prints one ready line with the endpoints and credentials, and stops on SIGTERM', async function () {
    this.timeout(20_000);
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../src/cli.ts', import.meta.url))], {
      env: { ...process.env, EMULATOR_PORT: '0', LOG_LEVEL: 'error' }, stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      const first = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout }).once('line', resolve);
        child.once('exit', (code) => reject(new Error(`exited ${code}`)));
      });
      const ready = JSON.parse(first) as Record<string, string>;
      expect(ready).to.include({ msg: 'emulator ready', clientId: 'local.emulator.app', clientSecret: 'emulator-secret' });
      expect(ready['oauthUrl']).to.match(/^http:\/\/127\.0\.0\.1:\d+\/oauth\/token\/$/);
      const hookAnswer = await call(ready['webhookUrl'] ?? '', 'user.current');
      expect(result(hookAnswer)['ID']).to.equal('1');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).to.equal(0);
  });

  describe('REPL commands', () => {
    let emu: Emulator;
    beforeEach(async () => {
      emu = await emulator({ rateLimit: null });
    });
    afterEach(() => emu.close());

    it('installs, writes as a user, lists and presses buttons', async () => {
      const rec = await receiver();
      try {
        expect(await runReplCommand(emu, `install ${rec.url}/install`)).to.equal('install answered 200 {"status":"ok"}');
        const hook = emu.portal.createWebhook();
        const reg = await call(hook, 'imbot.v2.Bot.register', { fields: { code: 'echo', botToken: 't', eventMode: 'webhook', webhookUrl: rec.url, properties: { name: 'Echo' } } });
        const botId = (result(reg)['bot'] as { id: number }).id;
        await call(hook, 'imbot.v2.Command.register', { botId, botToken: 't', fields: { command: 'go', hidden: true } });
        expect(await runReplCommand(emu, 'say 1 echo hello there')).to.match(/^message \d+: ONIMBOTV2MESSAGEADD→echo \(webhook 200\)$/);
        expect(await runReplCommand(emu, 'messages')).to.equal('(no bot messages yet)');
        await call(hook, 'imbot.v2.Chat.Message.send', { botId, botToken: 't', dialogId: '1', fields: { message: 'hi', keyboard: [{ TEXT: 'Go now', COMMAND: 'go' }] } });
        expect(await runReplCommand(emu, 'messages')).to.match(/^#\d+ echo → 1: hi \[keyboard\]$/);
        const id = emu.portal.messages()[0]?.id ?? 0;
        expect(await runReplCommand(emu, `press ${id} Go now`)).to.equal('ONIMBOTV2COMMANDADD→echo (webhook 200)');
        expect(await runReplCommand(emu, 'bots')).to.equal(`${botId} echo v2 bot webhook`);
        expect(await runReplCommand(emu, 'say 1 nobody hi')).to.match(/^error: no bot with code "nobody"/);
        expect(await runReplCommand(emu, 'dance')).to.equal('unknown command "dance"; type help');
        const ui = await runReplCommand(emu, 'ui-install http://127.0.0.1:9/app http://127.0.0.1:9/install');
        expect(ui).to.equal(`open ${emu.url}/app-frame?user=1&url=http%3A%2F%2F127.0.0.1%3A9%2Fapp&install=http%3A%2F%2F127.0.0.1%3A9%2Finstall `
          + '(app.info INSTALLED is false until the page calls installFinish)');
        expect(emu.portal.installFinished).to.equal(false);
      } finally {
        await rec.close();
      }
    });
  });
});
