import { Composer } from '../../src/router/composer.js';
import type { CommandEvent } from '../../src/protocol/events.js';
import { assertType, expectType, type Equal } from './expect.js';

// Handlers are narrowed by event type without casts, and a wrong event name does not compile.
new Composer()
  .command('x', (ctx) => {
    expectType<string>()(ctx.event.command.params);
    expectType<'textarea' | 'keyboard' | 'menu'>()(ctx.event.command.context);
    assertType<Equal<typeof ctx.event, CommandEvent>>();
  })
  .on('reaction', (ctx) => {
    expectType<string>()(ctx.event.reaction);
    // @ts-expect-error a reaction event has no command
    return ctx.event.command;
  })
  .on(['message', 'command'], (ctx) => {
    expectType<'message' | 'command'>()(ctx.event.type);
  })
  .text(/x/, (ctx) => expectType<string>()(ctx.event.message.text))
  // @ts-expect-error 'messages' is not an event type
  .on('messages', () => undefined)
  .join((ctx) => {
    // @ts-expect-error a join event has no message
    return ctx.event.message;
  });
