import { expect } from 'chai';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { request } from 'undici';
import { startEmulator, type Emulator } from '@b24-botkit/emulator';
import { exited, waitForOutput } from '../helpers/child.js';
import { builtPackage, EMULATOR_ASSETS, productionDependencies, ROOT, type BuiltPackage } from './package.js';

const run = promisify(execFile);

// A project of its own: only package.json, its bots/ and the installed tarball (issue 10, point 6).
const BOT = `import { defineBot } from 'b24-botkit';

export const hello = defineBot({
  code: 'hello',
  properties: { name: 'Hello' },
  commands: [{ name: 'hi', title: { en: 'Say hi', de: 'Hallo sagen' } }],
})
  .command('hi', (ctx) => ctx.answer(\`hi \${ctx.user.firstName}\`))
  .text(null, (ctx) => ctx.reply(\`hello: \${ctx.text}\`));
`;

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, outDir: 'build', rootDir: '.',
    types: ['node'], typeRoots: [path.join(ROOT, 'node_modules/@types')], skipLibCheck: true, // as `tsc --init` sets it
  },
  include: ['bots/**/*.ts'],
};

function startServer(cmd: string, args: string[], cwd: string, env: Record<string, string>): ChildProcess {
  const pathEnv = `${path.dirname(process.execPath)}:${process.env['PATH'] ?? ''}`;
  return spawn(cmd, args, { cwd, env: { PATH: pathEnv, HOME: os.tmpdir(), ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
}

// A test of the project's own, on b24-botkit/testing (README "Testing a bot offline"), run by plain node.
const PROJECT_TEST = `import { startStack } from 'b24-botkit/testing';
import { hello } from './build/bots/hello.js';

const stack = await startStack({ bots: new Map([['hello', hello]]) });
try {
  await stack.emu.portal.sendMessage({ from: 1, to: 'hello', text: 'from a test' });
  const [answer] = await stack.emu.portal.waitForMessages(1, { botCode: 'hello' });
  const page = await fetch(stack.emu.url + '/');
  console.log(JSON.stringify({ answer: answer.text, chatPage: page.status }));
} finally {
  await stack.close();
}
`;

const cmdline = async (pid: number | undefined): Promise<string> => (await readFile(`/proc/${pid}/cmdline`, 'utf8')).replace(/\0/g, ' ');

describe('compiled build and packaging', function () {
  this.timeout(120_000);
  let pkg: BuiltPackage;
  let tmp: string;
  let emu: Emulator;
  before(async () => {
    pkg = await builtPackage();
    tmp = await mkdtemp(path.join(os.tmpdir(), 'botkit-use-'));
    emu = await startEmulator({ rateLimit: null });
  });
  after(async () => {
    await emu.close();
    await rm(tmp, { recursive: true, force: true });
    await pkg.remove();
  });

  it('start:prod runs the compiled server and the compiled example bots under plain node', async () => {
    expect(existsSync(path.join(pkg.dir, 'dist/src/index.d.ts')), '.d.ts emitted').to.equal(true);
    const scripts = (JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts['start:prod']).to.equal('node dist/src/main.js');
    const child = startServer(process.execPath, ['dist/src/main.js'], pkg.dir, { PORT: '0', HOST: '127.0.0.1', DATA_DIR: path.join(tmp, 'prod-data') });
    try {
      const [, bots, url] = await waitForOutput(child, /"bots":"([^"]*)".*"url":"(http:\/\/[^"]+)"/);
      expect(bots).to.equal('echo,helpdesk,poll');
      expect((await request(`${url}/healthz`)).statusCode).to.equal(200);
      expect(await cmdline(child.pid)).to.not.match(/tsx|esbuild/);
    } finally {
      child.kill('SIGTERM');
      expect(await exited(child)).to.equal(0);
    }
  });

  it('installs from the tarball into a project that holds only its bots/, and that bot chats through the emulator', async () => {
    const t0 = Date.now();
    const proj = path.join(tmp, 'project');
    await mkdir(path.join(proj, 'bots'), { recursive: true });
    await writeFile(path.join(proj, 'package.json'), JSON.stringify({ name: 'my-bots', private: true, type: 'module' }));
    await writeFile(path.join(proj, 'bots/hello.ts'), BOT);
    await writeFile(path.join(proj, 'tsconfig.json'), JSON.stringify(TSCONFIG));
    // The dependencies already installed here stand in for the registry (this machine may be offline);
    // better-sqlite3 comes with its compiled addon, so nothing is rebuilt. Hard links: instant, and npm
    // replaces (never writes into) a package it changes.
    const byParent = new Map<string, string[]>();
    for (const dep of await productionDependencies()) byParent.set(path.dirname(dep), [...(byParent.get(path.dirname(dep)) ?? []), dep]);
    for (const [parent, deps] of byParent) {
      await mkdir(path.join(proj, parent), { recursive: true });
      await run('cp', ['-al', ...deps.map((d) => path.join(ROOT, d)), path.join(proj, parent)]);
    }
    await run('npm', ['install', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', pkg.tarball], { cwd: proj });
    const installMs = Date.now() - t0;
    expect(existsSync(path.join(proj, 'node_modules/tsx')), 'tsx is a dev dependency only').to.equal(false);
    // The package's .d.ts type the bot; the compiled bot is what the server loads.
    await run(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', proj]).catch((e: { stdout: string }) => {
      throw new Error(`tsc failed in the project: ${e.stdout}`);
    });
    const child = startServer(path.join(proj, 'node_modules/.bin/b24-botkit'), ['start'], proj, {
      PORT: '0', HOST: '127.0.0.1', DATA_DIR: path.join(proj, 'data'), BOTS_DIR: 'build/bots', B24_PORTAL_HOSTS: '127.0.0.1:*',
      B24_CLIENT_ID: 'local.emulator.app', B24_CLIENT_SECRET: 'emulator-secret', B24_OAUTH_URL: emu.oauthUrl,
    });
    try {
      const [, url] = await waitForOutput(child, /"url":"(http:\/\/[^"]+)"/);
      expect(await cmdline(child.pid)).to.not.match(/tsx|esbuild/);
      expect((await emu.portal.install(`${url}/install`)).status).to.equal(200);
      await emu.portal.sendMessage({ from: 1, to: 'hello', text: 'ping' });
      const [reply] = await emu.portal.waitForMessages(1, { botCode: 'hello' });
      expect(reply?.text).to.equal('hello: ping');
    } finally {
      child.kill('SIGTERM');
      expect(await exited(child)).to.equal(0);
    }
    // b24-botkit/testing works from the tarball too: the emulator travels compiled, with its page's assets.
    await writeFile(path.join(proj, 'bot.test.mjs'), PROJECT_TEST);
    const { stdout } = await run(process.execPath, ['bot.test.mjs'], { cwd: proj });
    expect(JSON.parse(stdout.trim().split('\n').pop() ?? '{}')).to.deep.equal({ answer: 'hello: from a test', chatPage: 200 });
    const scripts = (JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts['build'], 'the build script copies the assets this test copies').to.include(`'${EMULATOR_ASSETS}','dist/${EMULATOR_ASSETS}'`);
    console.log(`      build ${pkg.timings.buildMs} ms, pack ${pkg.timings.packMs} ms, project install ${installMs} ms, whole test ${Date.now() - t0} ms`);
  });
});
