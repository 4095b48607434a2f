import { expect } from 'chai';
import { createLogger } from '../../src/log.js';
import { loadBots } from '../../src/registry/load-bots.js';
import type { ReplySink } from '../../src/router/context.js';
import { createRuntime } from '../../src/router/runtime.js';
import { createMemoryStore } from '../../src/store/memory.js';
import { commandEvent, messageEvent } from '../helpers/events.js';

// User text must never become the bot's own markup: `[URL=...]` typed by a user would otherwise come back
// as a link the bot posted.
describe('example bots escape user text (bb.escape)', () => {
  const HOSTILE = '[URL=https://evil.example]click[/URL] [B]x[/B]';

  async function run(events: Parameters<ReturnType<typeof createRuntime>['handle']>[0][]): Promise<string[]> {
    const bots = await loadBots('bots');
    const sent: Array<{ params: Record<string, unknown> }> = [];
    const sink: ReplySink = { enqueue: async (item) => (sent.push(item), { delivered: Promise.resolve(null) }) };
    const rt = createRuntime({ store: createMemoryStore(), bots, sink, log: createLogger({ silent: true }), client: { call: async () => { throw new Error('no REST'); } } });
    for (const e of events) await rt.handle(e);
    return sent.map((s) => String((s.params['fields'] as { message?: string } | undefined)?.message ?? ''));
  }

  it('echo: text and /echo', async () => {
    const bot = { id: 9, code: 'echo' };
    const texts = await run([messageEvent(HOSTILE, { bot }), commandEvent('echo', HOSTILE, { bot })]);
    expect(texts).to.have.length(2);
    for (const t of texts) {
      expect(t).to.not.contain('[URL=');
      expect(t).to.not.contain('[B]');
      expect(t.replace(/\u200B/g, '')).to.contain(HOSTILE);
    }
  });

  it('poll: question and options', async () => {
    const texts = await run([commandEvent('poll', `${HOSTILE} | [URL=x]a[/URL] | b`, { bot: { id: 9, code: 'poll' } })]);
    expect(texts[0]).to.not.contain('[URL=');
    expect(texts[0]?.startsWith('[B]')).to.equal(true);
  });
});
