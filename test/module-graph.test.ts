import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const REGISTER = path.resolve('test/fixtures/module-graph/register.mjs');

/** Every module URL that importing `entry` (in a fresh node process) resolves. */
async function moduleGraph(entry: string): Promise<string[]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'module-graph-'));
  const out = path.join(dir, 'graph.txt');
  try {
    await run(process.execPath, ['--import', 'tsx', '--import', REGISTER, '--input-type=module', '-e', `await import(${JSON.stringify(entry)});`], {
      env: { ...process.env, MODULE_GRAPH_OUT: out },
    });
    return (await readFile(out, 'utf8')).split('\n').filter(Boolean);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const isEmulator = (url: string): boolean => url.includes('/packages/emulator/') || url.includes('@b24-botkit/emulator');

// Production bots import the framework's entry; it must not load the 5,000-line emulator (issue 14).
describe('module graph', function () {
  this.timeout(60_000);
  it('the public entry (src/index.ts) loads no emulator module', async () => {
    const graph = await moduleGraph(path.resolve('src/index.ts'));
    expect(graph.filter((u) => u.includes('/src/router/composer.ts')), 'the hook saw the framework').to.have.length.above(0);
    expect(graph.filter(isEmulator)).to.deep.equal([]);
  });

  it('the testing entry does load it (the check can see the emulator)', async () => {
    const graph = await moduleGraph(path.resolve('src/testing.ts'));
    expect(graph.filter(isEmulator)).to.have.length.above(10);
  });
});
