import { createLogger } from '../../src/log.js';
import { Composer, type ErrorHandler, type MiddlewareFn } from '../../src/router/composer.js';
import { Context } from '../../src/router/context.js';
import { defineBot, type AnyBotDefinition } from '../../src/router/bot.js';
import type { BotkitOptions } from '../../src/server.js';
import type { DialogueControl, Logger } from '../../src/index.js';
import { assertType, expectAssignable, expectType, type Equal } from './expect.js';

// A bot declares its own context fields once; every handler sees them.
interface Flavour {
  readonly tenant: string;
  visits: number;
}
type MyContext = Context & Flavour;

const installFlavour: MiddlewareFn<Context & Flavour> = (ctx, next) => {
  Object.assign(ctx, { tenant: 'acme', visits: 0 });
  return next();
};

const bot = defineBot<MyContext>({ code: 'typed', properties: { name: 'Typed' } })
  .use(installFlavour)
  .use((ctx) => expectType<number>()(ctx.visits))
  .command('x', (ctx) => {
    expectType<string>()(ctx.tenant);
    expectType<string>()(ctx.event.command.params);
  })
  .button('y', (ctx) => expectType<string>()(ctx.tenant))
  .text(null, (ctx) => {
    expectType<number>()(ctx.visits);
    expectType<string>()(ctx.event.message.text);
  })
  .join((ctx) => expectType<string>()(ctx.tenant))
  .on('reaction', (ctx) => expectType<string>()(ctx.tenant + ctx.event.reaction))
  .errorBoundary((err, ctx) => expectType<string>()(ctx.tenant + String(err)), (ctx) => ctx.visits++);
expectAssignable<AnyBotDefinition>(bot);
expectAssignable<ErrorHandler<MyContext>>((_e, ctx) => ctx.tenant);

// Without the declaration the field does not exist.
defineBot({ code: 'plain', properties: { name: 'Plain' } })
  // @ts-expect-error a plain Context has no `tenant`
  .use((ctx) => ctx.tenant);

// filter: a type guard narrows the context for its middleware; a boolean predicate does not.
interface Admin {
  readonly admin: true;
}
const isAdmin = (ctx: MyContext): ctx is MyContext & Admin => ctx.user.id === 1;
new Composer<MyContext>()
  .filter(isAdmin, (ctx) => {
    expectType<true>()(ctx.admin);
    expectType<string>()(ctx.tenant);
  })
  .filter((ctx) => ctx.visits > 1, (ctx) => {
    // @ts-expect-error only a type guard narrows
    return ctx.admin;
  })
  .filter(async (ctx) => ctx.visits > 1, (ctx) => expectType<number>()(ctx.visits));

// use() accepts composers: a plain-context composer fits any bot; one needing fields the bot lacks does not.
const shared = new Composer().command('help', (ctx) => ctx.answer('help'));
const typed = new Composer<MyContext>().use((ctx) => ctx.tenant);
new Composer<MyContext>().use(shared, typed);
defineBot<MyContext>({ code: 'c', properties: { name: 'C' } }).use(shared).use(typed);
// @ts-expect-error a composer that needs `tenant` does not fit a bot whose context lacks it
new Composer().use(typed);

// The public DialogueControl shows only enter, leave and current.
assertType<Equal<keyof DialogueControl, 'enter' | 'leave' | 'current'>>();
new Composer().use(async (ctx) => {
  await ctx.dialogue.leave();
  // @ts-expect-error load() is internal to the router
  await ctx.dialogue.load();
  // @ts-expect-error save() is internal to the router
  await ctx.dialogue.save(null, null);
});

// ctx.client.call is typed from the method table; other methods resolve with unknown.
new Composer().use(async (ctx) => {
  const sent = await ctx.client.call('imbot.v2.Chat.Message.send', { botId: 1, dialogId: '1', fields: { message: 'hi' } });
  assertType<Equal<typeof sent, { id: number | null; uuidMap: Record<string, number> }>>();
  const added = await ctx.client.call('imbot.message.add', { BOT_ID: 1, DIALOG_ID: '1', MESSAGE: 'hi' });
  expectType<number>()(added);
  // @ts-expect-error dialogId must be a string
  await ctx.client.call('imbot.v2.Chat.Message.send', { botId: 1, dialogId: 1, fields: {} });
  // @ts-expect-error a known method needs its params
  await ctx.client.call('imbot.v2.Bot.unregister');
  const other = await ctx.client.call('user.current');
  expectType<unknown>()(other);
  // @ts-expect-error an unknown method's result must be checked before use
  other.ID;
  await ctx.client.call('crm.lead.list', { filter: { ID: 1 } });
});

// Logger is our own four-method interface; winston's logger is one implementation.
const consoleLogger: Logger = { error: console.error, warn: console.warn, info: console.log, debug: () => undefined };
expectAssignable<BotkitOptions['log']>(consoleLogger);
expectAssignable<Logger>(createLogger({ silent: true }));
// @ts-expect-error a logger needs all four levels
expectAssignable<Logger>({ error: console.error, warn: console.warn, info: console.log });
