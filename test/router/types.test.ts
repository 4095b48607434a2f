import { expect } from 'chai';
import { Composer } from '../../src/router/composer.js';

// Compile-time proofs, checked by `tsc --noEmit` (part of `npm test`): handlers are narrowed by event
// type without casts, and a wrong event name does not compile.
describe('router types', () => {
  it('narrow handlers by event type', () => {
    const c = new Composer()
      .command('x', (ctx) => {
        const params: string = ctx.event.command.params;
        const context: 'textarea' | 'keyboard' | 'menu' = ctx.event.command.context;
        return [params, context];
      })
      .on('reaction', (ctx) => {
        const reaction: string = ctx.event.reaction;
        // @ts-expect-error a reaction event has no command
        return [reaction, ctx.event.command];
      })
      .on('message', (ctx) => ctx.event.message.text)
      // @ts-expect-error 'messages' is not an event type
      .on('messages', () => undefined)
      .join((ctx) => {
        // @ts-expect-error a join event has no message
        return ctx.event.message;
      });
    expect(c).to.be.instanceOf(Composer);
  });
});
