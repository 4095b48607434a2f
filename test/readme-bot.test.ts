import { expect } from 'chai';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import ts from 'typescript';
import { createLogger } from '../src/log.js';
import { loadBots } from '../src/registry/load-bots.js';
import type { ReplySink } from '../src/router/context.js';
import { createRuntime } from '../src/router/runtime.js';
import { createMemoryStore } from '../src/store/memory.js';
import { commandEvent, messageEvent } from './helpers/events.js';

// The README's complete bot must stay true: it type-checks, loads from bots/, and answers.
describe('README example bot', function () {
  // Type-checking pulls in the whole src/ tree: 30-40 s on a loaded 2-core machine.
  this.timeout(120_000);
  let dir = '';
  let file = '';
  let source = '';

  before(async () => {
    // Inside the repository, so that the example's `../../src/index.js` import resolves.
    dir = await mkdtemp(path.resolve('.tmp-readme-bots-'));
    file = path.join(dir, 'greeter', 'index.ts');
    const readme = await readFile('README.md', 'utf8');
    const m = /```ts\n(\/\/ bots\/greeter\/index\.ts[^\n]*\n[\s\S]*?)```/.exec(readme);
    source = m?.[1] ?? '';
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, source);
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  it('is a complete bot of under 40 lines', () => {
    expect(source).to.contain('defineBot');
    expect(source.trim().split('\n').length).to.be.below(40);
  });

  it('type-checks under the project settings', function () {
    // A whole-program check of the project: 5-10 s alone, near 30 s when 2 cores are shared by many processes.
    this.timeout(120_000);
    const config = ts.getParsedCommandLineOfConfigFile('tsconfig.json', {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
    const program = ts.createProgram([file], { ...config?.options, noEmit: true });
    const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(diagnostics).to.deep.equal([]);
  });

  it('loads and answers', async () => {
    const bots = await loadBots(dir);
    const sent: Array<{ method: string; params: Record<string, unknown> }> = [];
    const sink: ReplySink = { enqueue: async (item) => (sent.push(item), { delivered: Promise.resolve(null) }) };
    const rt = createRuntime({ store: createMemoryStore(), bots, sink, log: createLogger({ silent: true }), client: { call: async () => { throw new Error('no REST'); } } });
    await rt.handle(messageEvent('bye now', { bot: { id: 9, code: 'greeter' } }));
    await rt.handle(commandEvent('hello', 'Anna', { bot: { id: 9, code: 'greeter' }, language: 'de' }));
    await rt.handle(commandEvent('mood', 'great', { bot: { id: 9, code: 'greeter' }, context: 'keyboard' }));
    const texts = sent.map((s) => (s.params['fields'] as { message: string }).message);
    expect(texts).to.deep.equal(['Bye!', 'Hallo, Anna! Wie geht es dir?', 'Glad to hear: great']);
    expect(JSON.stringify(sent[1]?.params)).to.contain('"COMMAND":"mood"');
  });
});
