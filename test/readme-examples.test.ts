import { expect } from 'chai';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import ts from 'typescript';
import { createLogger } from '../src/log.js';
import { loadBots } from '../src/registry/load-bots.js';
import type { AnyBotDefinition } from '../src/router/bot.js';
import type { ReplySink } from '../src/router/context.js';
import { createRuntime } from '../src/router/runtime.js';
import { createMemoryStore } from '../src/store/memory.js';
import { commandEvent } from './helpers/events.js';

// Every README bot module other than the greeter (`// bots/<name>/index.ts` blocks) must type-check
// under the project settings, load from a bots directory, and answer as the README says.
describe('README example modules', function () {
  // Type-checking pulls in the whole src/ tree: 30-40 s on a loaded 2-core machine.
  this.timeout(120_000);
  let dir = '';
  const files: string[] = [];
  let bots = new Map<string, AnyBotDefinition>();

  before(async () => {
    dir = await mkdtemp(path.resolve('.tmp-readme-examples-'));
    const readme = await readFile('README.md', 'utf8');
    for (const m of readme.matchAll(/```ts\n\/\/ bots\/(\w+)\/index\.ts[^\n]*\n([\s\S]*?)```/g)) {
      if (m[1] === 'greeter') continue;
      const file = path.join(dir, m[1] ?? '', 'index.ts');
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, m[2] ?? '');
      files.push(file);
    }
    bots = await loadBots(dir);
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  it('type-check under the project settings', () => {
    expect(files.map((f) => path.basename(path.dirname(f)))).to.include.members(['tenant', 'desk']);
    const config = ts.getParsedCommandLineOfConfigFile('tsconfig.json', {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
    const program = ts.createProgram(files, { ...config?.options, noEmit: true });
    const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(diagnostics).to.deep.equal([]);
  });

  it('the custom-context bot sees its own fields', async () => {
    const sent: Array<{ method: string; params: Record<string, unknown> }> = [];
    const sink: ReplySink = { enqueue: async (item) => (sent.push(item), { delivered: Promise.resolve(null) }) };
    const rt = createRuntime({ store: createMemoryStore(), bots, sink, log: createLogger({ silent: true }), client: { call: async () => { throw new Error('no REST'); } } });
    await rt.handle(commandEvent('plan', '', { bot: { id: 9, code: 'tenant' } }));
    expect(sent.map((s) => (s.params['fields'] as { message: string }).message)).to.deep.equal(['Plan: free']);
  });

  it('the plugin example counts tickets per user, in the user\'s language, with a generated /help', async () => {
    const sent: Array<{ method: string; params: Record<string, unknown> }> = [];
    const sink: ReplySink = { enqueue: async (item) => (sent.push(item), { delivered: Promise.resolve(null) }) };
    const rt = createRuntime({ store: createMemoryStore(), bots, sink, log: createLogger({ silent: true }), client: { call: async () => { throw new Error('no REST'); } } });
    const at = { bot: { id: 9, code: 'desk' } };
    await rt.handle(commandEvent('ticket', '', at));
    await rt.handle(commandEvent('ticket', '', { ...at, language: 'de' }));
    await rt.handle(commandEvent('help', '', at));
    expect(sent.map((s) => (s.params['fields'] as { message: string }).message)).to.deep.equal([
      'Thanks, John! Tickets so far: 1', 'Danke, John! Bisher 2 Tickets', 'Commands:\n/ticket — New ticket\n/help — Help',
    ]);
  });
});
