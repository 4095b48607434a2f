import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startEmulator, type Emulator } from '@b24-botkit/emulator';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { defineBot, type BotOptions } from '../../src/router/bot.js';
import { createBotkit, type Botkit } from '../../src/server.js';
import { builtPackage, type BuiltPackage } from '../build/package.js';
import { mutating } from '../registry/sync-rig.js';

// `b24-botkit sync [memberId] [--dry-run] [--json]` and `unregister <memberId> <code>`, run as the real
// compiled binary (`dist/src/cli/botkit.js`, the package's `bin`, built once per test process by
// test/build/package.ts) under plain node, against a running server and the emulator that share its
// data directory. Its bots are compiled JavaScript modules in BOTS_DIR, rewritten between runs.

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

const GREETER: BotOptions = {
  code: 'greeter', properties: { name: 'Greeter' },
  commands: [{ name: 'hello', title: { en: 'Say hello', de: 'Hallo sagen' } }, { name: 'bye', title: 'Say bye' }],
};
const HELPER: BotOptions = { code: 'helper', properties: { name: 'Helper' }, commands: [{ name: 'help', title: 'Help' }] };

describe('b24-botkit sync and unregister (compiled CLI)', function () {
  this.timeout(180_000);
  let pkg: BuiltPackage;
  let emu: Emulator;
  let tmp: string;
  let kit: Botkit;
  let env: Record<string, string>;
  let memberId: string;

  /** Writes the bot modules the CLI loads: plain ESM importing the compiled package. */
  async function declare(bots: readonly BotOptions[]): Promise<void> {
    const index = path.join(pkg.dir, 'dist/src/index.js');
    const src = bots.map((b) => `export const ${b.code} = defineBot(${JSON.stringify(b)});`).join('\n');
    await writeFile(path.join(tmp, 'bots', 'all.js'), `import { defineBot } from ${JSON.stringify(index)};\n${src}\n`);
  }

  function cli(...args: string[]): Promise<Run> {
    return new Promise((resolve) => {
      execFile(process.execPath, [path.join(pkg.dir, 'dist/src/cli/botkit.js'), ...args], { env, cwd: tmp }, (err, stdout, stderr) => {
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      });
    });
  }

  const greeter = () => emu.portal.bots().find((b) => b.code === 'greeter');

  before(async () => {
    pkg = await builtPackage();
    emu = await startEmulator({ rateLimit: null });
    tmp = await mkdtemp(path.join(os.tmpdir(), 'botkit-sync-cli-'));
    await writeFile(path.join(tmp, 'package.json'), '{"type":"module"}');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(path.join(tmp, 'bots'));
    await mkdir(path.join(tmp, 'data'));
    await declare([GREETER, HELPER]);
    const base = {
      HOST: '127.0.0.1', DATA_DIR: path.join(tmp, 'data'), BOTS_DIR: path.join(tmp, 'bots'), B24_PORTAL_HOSTS: '127.0.0.1:*',
      B24_CLIENT_ID: emu.clientId, B24_CLIENT_SECRET: emu.clientSecret, B24_OAUTH_URL: emu.oauthUrl, B24_BOT_API: 'v2', B24_EVENT_MODE: 'webhook',
    };
    // The running server (this process) declares the same bots as the files.
    kit = await createBotkit({
      config: loadConfig({ ...base, PORT: '0' }), log: createLogger({ silent: true }),
      bots: new Map([GREETER, HELPER].map((o) => [o.code, defineBot(o)])),
    });
    const url = await kit.start();
    const installed = await emu.portal.install(`${url}/install`);
    expect(installed.status).to.equal(200);
    memberId = emu.portal.memberId;
    env = { PATH: `${path.dirname(process.execPath)}:${process.env['PATH'] ?? ''}`, HOME: tmp, ...base, PUBLIC_URL: url, LOG_LEVEL: 'error' };
  });
  after(async () => {
    await kit?.stop(2000);
    await emu?.close();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('sync --dry-run right after install: nothing to change, exit 0 (text and --json)', async () => {
    const text = await cli('sync', '--dry-run');
    expect([text.code, text.stdout.trim()]).to.deep.equal([0, `${memberId}: in sync, nothing to change (dry run)`]);
    const json = await cli('sync', memberId, '--dry-run', '--json');
    expect(json.code).to.equal(0);
    expect(JSON.parse(json.stdout)).to.deep.equal([{ memberId, dryRun: true, ok: true, changes: [] }]);
  });

  it('list and portals (compiled CLI): registered bots per portal, installed portals without a secret', async () => {
    const list = await cli('list', '--json');
    expect(list.code).to.equal(0);
    const listed = JSON.parse(list.stdout) as { declared: string[]; portals: Array<{ memberId: string; bots: Array<{ code: string; botId: number }> }> };
    expect(listed.declared).to.deep.equal(['greeter', 'helper']);
    expect(listed.portals.map((p) => [p.memberId, p.bots.map((b) => [b.code, b.botId])])).to.deep.equal([
      [memberId, [['greeter', greeter()?.id], ['helper', emu.portal.bots().find((b) => b.code === 'helper')?.id]]],
    ]);
    const text = await cli('list');
    expect(text.stdout).to.contain(`(${memberId})`).and.to.match(/greeter\s+#\d+ v2 webhook\s+\/(hello|bye)#\d+ \/(hello|bye)#\d+/);
    const portals = await cli('portals', '--json');
    expect(portals.code).to.equal(0);
    const stored = await kit.store.getPortal(memberId);
    const [row] = JSON.parse(portals.stdout) as Array<Record<string, unknown>>;
    expect(row).to.include({ memberId, authMode: 'oauth', status: 'active', accessToken: 'present' });
    for (const secret of [stored?.accessToken, stored?.refreshToken, stored?.applicationToken]) {
      expect(secret).to.be.a('string');
      expect(portals.stdout + (await cli('portals')).stdout, 'no secret printed').to.not.contain(secret as string);
    }
    expect((await cli('list', 'no-such-portal')).code, 'an unknown portal is a usage error').to.equal(2);
  });

  it('after bots/ changed: --dry-run lists exactly the changes and changes nothing; sync applies them; a second sync has none', async () => {
    await declare([{ ...GREETER, properties: { name: 'Greeter Bot' }, commands: [{ name: 'hello', title: { en: 'Hello there', de: 'Hallo sagen' } }] }, HELPER]);
    const hello = greeter()?.commands.find((c) => c.command === 'hello');
    const bye = greeter()?.commands.find((c) => c.command === 'bye');
    const lines = [
      `update bot greeter (#${greeter()?.id}): properties.name`,
      `unregister command /bye of greeter (#${bye?.id})`,
      `update command /hello of greeter (#${hello?.id}): title.en`,
    ];
    const mark = emu.portal.requests().length;
    const dry = await cli('sync', '--dry-run');
    expect([dry.code, dry.stdout.trim().split('\n')]).to.deep.equal([0, [`${memberId}: 3 change(s) (dry run)`, ...lines.map((l) => `  ${l}`)]]);
    const dryJson = JSON.parse((await cli('sync', '--dry-run', '--json')).stdout) as Array<{ changes: Array<{ action: string; description: string }> }>;
    expect(dryJson[0]?.changes.map((c) => [c.action, c.description])).to.deep.equal([
      ['update-bot', lines[0]], ['unregister-command', lines[1]], ['update-command', lines[2]],
    ]);
    expect(mutating(emu.portal.requests().slice(mark)), 'the dry runs changed nothing').to.deep.equal([]);

    const applied = await cli('sync');
    expect([applied.code, applied.stdout.trim().split('\n')]).to.deep.equal([0, [`${memberId}: 3 change(s)`, ...lines.map((l) => `  done    ${l}`)]]);
    expect(mutating(emu.portal.requests().slice(mark))).to.deep.equal(['imbot.v2.Bot.update', 'imbot.v2.Command.unregister', 'imbot.v2.Command.update']);
    expect([greeter()?.name, greeter()?.commands.map((c) => [c.command, c.title])]).to.deep.equal(['Greeter Bot', [['hello', { en: 'Hello there', de: 'Hallo sagen' }]]]);

    const again = await cli('sync', memberId, '--json');
    expect(again.code).to.equal(0);
    expect(JSON.parse(again.stdout)).to.deep.equal([{
      memberId, dryRun: false, ok: true, changes: [],
      bots: [{ code: 'greeter', botId: greeter()?.id, commands: ['hello'] }, { code: 'helper', botId: emu.portal.bots().find((b) => b.code === 'helper')?.id, commands: ['help'] }],
    }]);
  });

  it('a change the portal refuses: FAILED with its error, exit 1 (--json: ok false)', async () => {
    await declare([{ ...GREETER, properties: { name: 'Greeter Two' }, commands: [{ name: 'hello', title: { en: 'Hello there', de: 'Hallo sagen' } }] }, HELPER]);
    const off = emu.faults.add({ method: 'imbot.v2.Bot.update', kind: 'status', status: 400, error: 'BOT_UPDATE_FAILED', errorDescription: 'Bot update failed', times: 2 });
    try {
      const text = await cli('sync');
      expect(text.code).to.equal(1);
      expect(text.stdout).to.contain(`  FAILED  update bot greeter (#${greeter()?.id}): properties.name: imbot.v2.Bot.update: BOT_UPDATE_FAILED (Bot update failed) [HTTP 400]`);
      const json = await cli('sync', '--json');
      expect(json.code).to.equal(1);
      const out = JSON.parse(json.stdout) as Array<{ ok: boolean; changes: Array<{ ok: boolean; error: string }> }>;
      expect([out[0]?.ok, out[0]?.changes.map((c) => c.ok)]).to.deep.equal([false, [false]]);
    } finally {
      off();
    }
    expect((await cli('sync')).code, 'applied once the portal takes it').to.equal(0);
    expect(greeter()?.name).to.equal('Greeter Two');
  });

  it('unregister <memberId> <code>: exit 0 and the bot is gone; unknown bot exit 1; bad usage exit 2', async () => {
    const helperId = emu.portal.bots().find((b) => b.code === 'helper')?.id;
    const done = await cli('unregister', memberId, 'helper');
    expect([done.code, done.stdout.trim()]).to.deep.equal([0, `unregistered helper (#${helperId}) on ${memberId}`]);
    expect(emu.portal.bots().map((b) => b.code)).to.deep.equal(['greeter']);
    const json = await cli('unregister', memberId, 'helper', '--json');
    expect([json.code, JSON.parse(json.stdout)]).to.deep.equal([1, { ok: false, error: `no bot helper registered on ${memberId}` }]);
    // Still declared in bots/: the next sync would register it again.
    expect((await cli('sync', '--dry-run')).stdout).to.contain('  register bot helper\n  register command /help of helper');

    const missing = await cli('unregister', memberId);
    expect([missing.code, missing.stderr.trim()]).to.deep.equal([2, 'usage: b24-botkit unregister <memberId> <code>']);
    const noPortal = await cli('unregister', 'no-such-portal', 'greeter', '--json');
    expect(noPortal.code).to.equal(2);
    expect(JSON.parse(noPortal.stdout)).to.deep.equal({ ok: false, error: 'no portal no-such-portal (see: b24-botkit portals)' });
    expect((await cli('sync', 'no-such-portal')).code).to.equal(2);
  });
});
