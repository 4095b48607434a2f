import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { builtPackage, type BuiltPackage } from '../build/package.js';
import { startStack, type Stack } from '../e2e/harness.js';

// The real binary: the package's compiled `bin` (dist/src/cli/botkit.js, built once per test process by
// test/build/package.ts, shared with the pack and sync CLI tests) with the compiled example bots as BOTS_DIR,
// in another process, against a real server and the emulator on loopback.

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

interface DoctorJson {
  ok: boolean;
  checks: Array<{ name: string; ok: boolean; reason: string }>;
}

let pkg: BuiltPackage;

function cli(env: Record<string, string>, ...args: string[]): Promise<Run> {
  // A clean environment and another working directory: no developer's .env, no B24_* of the shell.
  const base = { PATH: process.env['PATH'] ?? '', HOME: os.tmpdir(), LOG_LEVEL: 'error', BOTS_DIR: path.join(pkg.dir, 'dist/bots') };
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(pkg.dir, 'dist/src/cli/botkit.js'), 'doctor', ...args], { env: { ...base, ...env }, cwd: os.tmpdir() },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }));
  });
}

async function doctorJson(env: Record<string, string>): Promise<{ code: number; report: DoctorJson }> {
  const run = await cli(env, '--json', '--timeout=3000');
  try {
    return { code: run.code, report: JSON.parse(run.stdout) as DoctorJson };
  } catch {
    throw new Error(`doctor printed no JSON (exit ${run.code}): ${run.stdout}\n${run.stderr}`);
  }
}

const failed = (r: DoctorJson): string[] => r.checks.filter((c) => !c.ok).map((c) => c.name);

/** The server's environment as a second process on the same data directory would see it. */
function envOf(stack: Stack, over: Record<string, string> = {}): Record<string, string> {
  return {
    DATA_DIR: stack.dataDir, B24_PORTAL_HOSTS: '127.0.0.1:*', B24_CLIENT_ID: stack.emu.clientId, B24_CLIENT_SECRET: stack.emu.clientSecret,
    B24_OAUTH_URL: stack.emu.oauthUrl, PUBLIC_URL: stack.url, ...over,
  };
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('cli: b24-botkit doctor (compiled bin)', function () {
  this.timeout(60_000);
  let stack: Stack;
  before(async function () {
    this.timeout(180_000);
    pkg = await builtPackage();
    stack = await startStack();
  });
  after(async () => stack.close());

  it('all green: every check named and passed, exit code 0, the same in text and --json', async () => {
    const { code, report } = await doctorJson(envOf(stack));
    expect(code).to.equal(0);
    expect(report.ok).to.equal(true);
    const domain = stack.emu.portal.domain;
    expect(report.checks.map((c) => c.name)).to.deep.equal([
      'configuration is valid', 'the data store opens', `portal ${domain} is reachable`, `the app's install finished on ${domain}`,
      `the bots are registered on ${domain}`, `the handler URL ${stack.url} is reachable`,
    ]);
    expect(failed(report)).to.deep.equal([]);
    const bots = report.checks.find((c) => c.name.startsWith('the bots'));
    expect(bots?.reason).to.match(/^3 of 3 as bots\/ declares them: /).and.to.contain('echo #');
    expect(report.checks.find((c) => c.name.startsWith('the app'))?.reason).to.equal('app.info says INSTALLED');
    const text = await cli(envOf(stack));
    expect(text.code).to.equal(0);
    expect(text.stdout).to.contain(`ok    portal ${domain} is reachable: server.time answered`);
    expect(text.stdout.trim().split('\n').at(-1)).to.equal('all 6 checks passed');
  });

  it('a store that does not open, or holds no portal, is a failed check (exit 1); a bad configuration or flag is a usage error (exit 2)', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'doctor-'));
    try {
      const file = path.join(dir, 'not-a-directory');
      await writeFile(file, 'x');
      const { code, report } = await doctorJson(envOf(stack, { DATA_DIR: file }));
      expect(code).to.equal(1);
      expect(failed(report)).to.deep.equal(['the data store opens']);
      const empty = await doctorJson(envOf(stack, { DATA_DIR: path.join(dir, 'empty') }));
      expect(empty.code).to.equal(1);
      expect(failed(empty.report)).to.deep.equal(['a portal is installed']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const bad = await cli(envOf(stack, { B24_RATE_LIMIT: 'lots' }), '--json');
    expect(bad.code).to.equal(2);
    expect(JSON.parse(bad.stdout)).to.include({ ok: false }).and.to.have.property('error').that.contains('B24_RATE_LIMIT');
    const flag = await cli(envOf(stack), '--timeout=soon');
    expect(flag.code).to.equal(2);
    expect(flag.stderr).to.contain('usage: b24-botkit doctor');
  });

  it('in production, an http PUBLIC_URL fails the configuration check', async () => {
    const { code, report } = await doctorJson(envOf(stack, { NODE_ENV: 'production' }));
    expect(code).to.equal(1);
    expect(failed(report)).to.deep.equal(['configuration is valid']);
    expect(report.checks[0]?.reason).to.equal(`PUBLIC_URL is ${stack.url}: Bitrix24 calls only public https URLs`);
  });

  it('bots not registered: a bot of bots/ unregistered on the portal fails its check, naming what sync would do (exit 1)', async () => {
    await stack.kit.unregisterBot(stack.emu.portal.memberId, 'poll');
    expect(stack.emu.portal.bots().map((b) => b.code)).to.not.include('poll');
    const { code, report } = await doctorJson(envOf(stack));
    expect(code).to.equal(1);
    expect(failed(report)).to.deep.equal([`the bots are registered on ${stack.emu.portal.domain}`]);
    expect(report.checks.find((c) => !c.ok)?.reason).to.match(/^b24-botkit sync would make \d+ changes: register bot poll; register command \/poll of poll/);
  });

  // Last: the portal stays half-installed. DOC settings/app-installation/installation-finish.md
  it('install not finished: app.info says not INSTALLED (a UI install whose page never called installFinish) (exit 1)', async () => {
    stack.emu.portal.beginUiInstall();
    const { code, report } = await doctorJson(envOf(stack));
    const domain = stack.emu.portal.domain;
    expect(code).to.equal(1);
    expect(failed(report)).to.include(`the app's install finished on ${domain}`);
    expect(report.checks.find((c) => c.name === `the app's install finished on ${domain}`)?.reason).to.match(/^app.info says not INSTALLED: .*BX24.installFinish\(\)/);
    expect((await stack.kit.store.getPortal(stack.emu.portal.memberId))?.status).to.equal('install_unfinished');
  });
});

describe('cli: b24-botkit doctor (compiled bin), unreachable ends', function () {
  this.timeout(60_000);
  before(async function () {
    this.timeout(180_000);
    pkg = await builtPackage();
  });

  it('handler URL unreachable: the server is down behind PUBLIC_URL (exit 1, the connection error named)', async () => {
    const stack = await startStack();
    await stack.kit.stop(2000);
    try {
      const { code, report } = await doctorJson(envOf(stack));
      expect(code).to.equal(1);
      expect(failed(report)).to.deep.equal([`the handler URL ${stack.url} is reachable`]);
      expect(report.checks.find((c) => !c.ok)?.reason).to.contain(`GET ${stack.url}/healthz: ECONNREFUSED`);
    } finally {
      await stack.emu.close();
      await rm(stack.dataDir, { recursive: true, force: true });
    }
  });

  it('handler URL unreachable: PUBLIC_URL names a port nothing listens on', async () => {
    const stack = await startStack();
    try {
      const publicUrl = `http://127.0.0.1:${await closedPort()}`;
      const { code, report } = await doctorJson(envOf(stack, { PUBLIC_URL: publicUrl }));
      expect(code).to.equal(1);
      // The bots were registered with the server's own URL, so their check names the mismatch too.
      expect(failed(report)).to.deep.equal([`the bots are registered on ${stack.emu.portal.domain}`, `the handler URL ${publicUrl} is reachable`]);
      expect(report.checks.find((c) => c.name.startsWith('the bots'))?.reason).to.match(/^b24-botkit sync would make \d+ changes: update bot echo \(#\d+\): handlerUrl/);
    } finally {
      await stack.close();
    }
  });

  it('portal unreachable: the emulator is gone; install and bots are reported as not checked (exit 1)', async () => {
    const stack = await startStack();
    await stack.emu.close();
    try {
      const { code, report } = await doctorJson(envOf(stack));
      const domain = stack.emu.portal.domain;
      expect(code).to.equal(1);
      expect(failed(report)).to.deep.equal([`portal ${domain} is reachable`, `the app's install finished on ${domain}`, `the bots are registered on ${domain}`]);
      expect(report.checks.find((c) => c.name.startsWith('portal'))?.reason).to.match(/^B24_TRANSPORT: .*ECONNREFUSED/);
      expect(report.checks.find((c) => c.name.startsWith('the bots'))?.reason).to.equal('not checked: the portal is unreachable');
    } finally {
      await stack.kit.stop(2000);
      await rm(stack.dataDir, { recursive: true, force: true });
    }
  });
});
