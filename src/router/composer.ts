import { BotkitError } from '../errors.js';
import type { BotEvent, BotEventMap, BotEventType, CommandEvent, JoinEvent, MessageEvent } from '../protocol/events.js';
import type { Context } from './context.js';

/** Calls the next middleware in the chain. Calling it twice throws `NEXT_CALLED_TWICE`. */
export type NextFunction = () => Promise<void>;

/** A middleware function: do something with the context, optionally pass on with `next()`. */
export type MiddlewareFn<C extends Context = Context> = (ctx: C, next: NextFunction) => unknown;

/** Anything that can hand out a middleware function, such as a {@link Composer}. */
export interface MiddlewareObj<C extends Context = Context> {
  middleware(): MiddlewareFn<C>;
}

/** The one composition primitive: a middleware function, or an object (a composer) that provides one. */
export type Middleware<C extends Context = Context> = MiddlewareFn<C> | MiddlewareObj<C>;

/**
 * The context `C` with its event narrowed to `E`; what the routing helpers hand their handlers. Custom
 * fields of `C` (a plugin's flavour, a typed session) stay visible.
 */
export type WithEvent<C extends Context, E extends BotEvent> = C & { readonly event: E };

/** A context narrowed to one event type (`C` defaults to the plain {@link Context}). */
export type ContextOf<K extends BotEventType, C extends Context = Context> = WithEvent<C, BotEventMap[K]>;

/** Handles an error thrown by the middleware an {@link Composer.errorBoundary} wraps. */
export type ErrorHandler<C extends Context = Context> = (error: unknown, ctx: C) => unknown;

type MaybePromise<T> = T | Promise<T>;

/** The function of a middleware (a composer hands out its whole chain as one). */
export function toFn<C extends Context>(mw: Middleware<C>): MiddlewareFn<C> {
  return typeof mw === 'function' ? mw : mw.middleware();
}

/** Runs `chain` from `index`, ending in `last`; guards against `next()` being called twice. */
async function run<C extends Context>(chain: readonly MiddlewareFn<C>[], index: number, ctx: C, last: NextFunction): Promise<void> {
  const mw = chain[index];
  if (!mw) return last();
  let called = false;
  await mw(ctx, async () => {
    if (called) throw new BotkitError('NEXT_CALLED_TWICE', 'next() was called more than once in one middleware');
    called = true;
    await run(chain, index + 1, ctx, last);
  });
}

/** Composes middleware (functions or composers) into one function. */
export function compose<C extends Context>(chain: readonly Middleware<C>[]): MiddlewareFn<C> {
  const fns = chain.map(toFn);
  return (ctx, next) => run(fns, 0, ctx, next);
}

// The single place where a context is narrowed: the guard checked the event (or the predicate) at run time.
function narrowed<C extends Context, D extends C>(guard: (ctx: C) => MaybePromise<boolean>, chain: readonly Middleware<D>[]): MiddlewareFn<C> {
  const inner = compose(chain);
  return async (ctx, next) => ((await guard(ctx)) ? inner(ctx as D, next) : next());
}

function commandMatches(names: readonly string[], contexts: readonly string[]) {
  const wanted = new Set(names.map((n) => n.replace(/^\//, '').toLowerCase()));
  return (ctx: Context): boolean =>
    ctx.event.type === 'command' && wanted.has(ctx.event.command.name) && contexts.includes(ctx.event.command.context);
}

/**
 * A chain of middleware with routing helpers. Every helper is a thin wrapper over {@link Composer.use};
 * handlers are narrowed by event type, so a command handler sees `ctx.event.command` without casts.
 * `C` is the bot's context type: declare your own fields (a plugin's flavour) once and every handler
 * sees them.
 *
 * @example
 * type MyContext = Context & SessionFlavor<{ count: number }>;
 * const c = new Composer<MyContext>()
 *   .command('help', (ctx) => ctx.answer(`Seen ${ctx.state.count} messages`))
 *   .text(/^hi/i, (ctx) => ctx.reply('Hello!'))
 *   .on('reaction', (ctx) => ctx.reply(`Thanks for ${ctx.event.reaction}`));
 */
export class Composer<C extends Context = Context> implements MiddlewareObj<C> {
  readonly #chain: MiddlewareFn<C>[] = [];

  /** Adds middleware (functions or other composers) that sees every event. */
  use(...mw: Middleware<C>[]): this {
    this.#chain.push(...mw.map(toFn));
    return this;
  }

  /** Handles events of one or more types; the context is narrowed to them. */
  on<K extends BotEventType>(type: K | readonly K[], ...mw: Middleware<ContextOf<K, C>>[]): this {
    const types: readonly string[] = Array.isArray(type) ? type : [type];
    return this.use(narrowed((ctx) => types.includes(ctx.event.type), mw));
  }

  /** Handles a slash command, typed or pressed on a button/menu (`/cancel` and a Cancel button meet here). */
  command(name: string | readonly string[], ...mw: Middleware<WithEvent<C, CommandEvent>>[]): this {
    const names = typeof name === 'string' ? [name] : name;
    return this.use(narrowed(commandMatches(names, ['textarea', 'keyboard', 'menu']), mw));
  }

  /** Handles only presses of keyboard buttons or menu items that carry this command. */
  button(name: string | readonly string[], ...mw: Middleware<WithEvent<C, CommandEvent>>[]): this {
    const names = typeof name === 'string' ? [name] : name;
    return this.use(narrowed(commandMatches(names, ['keyboard', 'menu']), mw));
  }

  /**
   * Handles a text message: any text, text equal to a string (case-insensitive, trimmed), or text
   * matching a RegExp (the match is on `ctx.match`).
   */
  text(pattern: string | RegExp | null, ...mw: Middleware<WithEvent<C, MessageEvent>>[]): this {
    const test = (text: string): RegExpMatchArray | null => {
      if (pattern === null) return [text] as RegExpMatchArray;
      if (typeof pattern === 'string') return text.trim().toLowerCase() === pattern.toLowerCase() ? ([text] as RegExpMatchArray) : null;
      return text.match(pattern);
    };
    return this.use(narrowed((ctx) => {
      if (ctx.event.type !== 'message') return false;
      ctx.match = test(ctx.event.message.text);
      return ctx.match !== null;
    }, mw));
  }

  /** Handles the bot being added to a chat (or a private dialogue opened): the place for a welcome. */
  join(...mw: Middleware<WithEvent<C, JoinEvent>>[]): this {
    return this.on('join', ...mw);
  }

  /**
   * Runs `mw` only when `predicate` holds (it may be async). With a type guard (`(ctx) => ctx is D`)
   * the middleware sees the narrowed context `D`.
   *
   * @example
   * const isAdmin = (ctx: Context): ctx is Context & { admin: true } => ADMINS.has(ctx.user.id);
   * bot.filter(isAdmin, (ctx) => ctx.reply(`admin: ${ctx.admin}`));
   */
  filter<D extends C>(predicate: (ctx: C) => ctx is D, ...mw: Middleware<D>[]): this;
  filter(predicate: (ctx: C) => MaybePromise<boolean>, ...mw: Middleware<C>[]): this;
  filter(predicate: (ctx: C) => MaybePromise<boolean>, ...mw: Middleware<C>[]): this {
    return this.use(narrowed(predicate, mw));
  }

  /** Catches errors thrown by `mw` (not by middleware after it) and hands them to `handler`. */
  errorBoundary(handler: ErrorHandler<C>, ...mw: Middleware<C>[]): this {
    const inner = compose(mw);
    return this.use(async (ctx, next) => {
      let passed = false;
      try {
        await inner(ctx, async () => {
          passed = true;
        });
      } catch (e) {
        await handler(e, ctx);
      }
      if (passed) await next();
    });
  }

  /** The whole chain as one middleware. */
  middleware(): MiddlewareFn<C> {
    return compose(this.#chain);
  }
}
