import { expect } from 'chai';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BotkitError } from '../../src/errors.js';
import { defineBot } from '../../src/router/bot.js';
import { loadBots, validateBots } from '../../src/registry/load-bots.js';

function failure(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(BotkitError).and.to.have.property('code', 'BOT_DEFINITION_INVALID');
    return (e as Error).message;
  }
  throw new Error('expected BOT_DEFINITION_INVALID');
}

describe('registry/load-bots', () => {
  it('loads the example bots from bots/', async () => {
    const bots = await loadBots(path.resolve('bots'));
    // A user's own bots may sit next to the examples (the README invites adding one): only require the examples.
    expect([...bots.keys()]).to.include.members(['echo', 'helpdesk', 'poll']);
    expect(bots.get('helpdesk')?.commands.map((c) => c.name)).to.include.members(['ticket', 'ticket_btn', 'cancel']);
  });

  it('reports every problem of every file in one error', () => {
    const msg = failure(() => validateBots([
      { file: 'bots/a.ts', definition: defineBot({ code: 'dup', properties: { name: 'A' } }) },
      { file: 'bots/b.ts', definition: defineBot({ code: 'dup', properties: { name: 'B' } }) },
      { file: 'bots/c.ts', definition: defineBot({ code: 'c', properties: { name: 'C', color: 'blurple' as 'red' } }) },
      { file: 'bots/d.ts', definition: defineBot({ code: 'd', properties: { name: 'D' }, commands: [{ name: 'two words', title: 'x' }] }) },
      { file: 'bots/e.ts', definition: defineBot({ code: 'e-bad code', properties: { name: '' } }) },
      { file: 'bots/f.ts', definition: defineBot({ code: 'f', properties: { name: 'F' }, commands: [{ name: 'x', title: 'x' }, { name: 'X', title: 'y' }, { name: 'untitled' }] }) },
    ]));
    expect(msg).to.contain('bots/b.ts: bot code "dup" is already used by bots/a.ts');
    expect(msg).to.contain('bots/c.ts: color "blurple"');
    expect(msg).to.contain('bots/d.ts: command "two words"');
    expect(msg).to.contain('bots/e.ts: code "e-bad code"');
    expect(msg).to.contain('bots/e.ts: properties.name must not be empty');
    expect(msg).to.contain('bots/f.ts: command "X" is declared twice');
    expect(msg).to.contain('bots/f.ts: command "untitled" needs a title');
  });

  it('names the file that exports no bot or does not load', async () => {
    const dir = await mkdtemp(path.join(process.cwd(), 'test', '.tmp-bots-'));
    try {
      await writeFile(path.join(dir, 'nothing.ts'), 'export const x = 1;\n');
      const err = await loadBots(dir).then(() => null, (e: unknown) => e as Error);
      expect(err?.message).to.match(/nothing\.ts: exports no bot/);
      await rm(path.join(dir, 'nothing.ts'));
      await mkdir(path.join(dir, 'broken'));
      await writeFile(path.join(dir, 'broken', 'index.ts'), 'throw new Error("boom at import");\n');
      const err2 = await loadBots(dir).then(() => null, (e: unknown) => e as Error);
      expect(err2?.message).to.match(/broken[/\\]index\.ts: cannot be loaded: boom at import/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
