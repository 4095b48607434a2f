// The session plugin: typed per-user data in ctx.state, persisted in the framework's store by default.
import { defineBot, session, type Context, type SessionFlavor } from '../../src/index.js';

interface Visits {
  count: number;
  last: string | null;
}
type CounterContext = Context & SessionFlavor<Visits>;

export const counter = defineBot<CounterContext>({
  code: 'counter',
  properties: { name: 'Counter' },
  commands: [{ name: 'reset', title: 'Forget me' }],
})
  .use(session({ initial: (): Visits => ({ count: 0, last: null }) }))
  .command('reset', (ctx) => {
    ctx.state = { count: 0, last: null };
    return ctx.answer('Forgotten.');
  })
  .text(null, (ctx) => {
    ctx.state.count += 1;
    const previous = ctx.state.last;
    ctx.state.last = ctx.text;
    return ctx.reply(`Message ${ctx.state.count}${previous ? `; last time you said "${previous}"` : ''}`);
  });
