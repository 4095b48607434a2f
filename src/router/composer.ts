import { BotkitError } from '../errors.js';
import type { BotEventMap, BotEventType, CommandEvent, JoinEvent, MessageEvent } from '../protocol/events.js';
import type { Context } from './context.js';

/** Calls the next middleware in the chain. Calling it twice throws `NEXT_CALLED_TWICE`. */
export type NextFunction = () => Promise<void>;

/** The one composition primitive: do something with the context, optionally pass on with `next()`. */
export type Middleware<C extends Context = Context> = (ctx: C, next: NextFunction) => unknown;

/** A context narrowed to one event type. */
export type ContextOf<K extends BotEventType> = Context<BotEventMap[K]>;

/** A middleware that handles errors thrown downstream. */
export type ErrorHandler = (error: unknown, ctx: Context) => unknown;

/** Runs `chain` from `index`, ending in `last`; guards against `next()` being called twice. */
async function run(chain: readonly Middleware[], index: number, ctx: Context, last: NextFunction): Promise<void> {
  const mw = chain[index];
  if (!mw) return last();
  let called = false;
  await mw(ctx, async () => {
    if (called) throw new BotkitError('NEXT_CALLED_TWICE', 'next() was called more than once in one middleware');
    called = true;
    await run(chain, index + 1, ctx, last);
  });
}

/** Composes middleware into one. */
export function compose(chain: readonly Middleware[]): Middleware {
  return (ctx, next) => run(chain, 0, ctx, next);
}

// The single place where a context is narrowed: the guard checked the event type at run time.
function narrowed<C extends Context>(guard: (ctx: Context) => boolean, chain: Middleware<C>[]): Middleware {
  const inner = compose(chain as unknown as Middleware[]);
  return (ctx, next) => (guard(ctx) ? inner(ctx, next) : next());
}

function commandMatches(names: readonly string[], contexts: readonly string[]) {
  const wanted = new Set(names.map((n) => n.replace(/^\//, '').toLowerCase()));
  return (ctx: Context): boolean =>
    ctx.event.type === 'command' && wanted.has(ctx.event.command.name) && contexts.includes(ctx.event.command.context);
}

/**
 * A chain of middleware with routing helpers. Every helper is a thin wrapper over {@link Composer.use};
 * handlers are narrowed by event type, so a command handler sees `ctx.event.command` without casts.
 *
 * @example
 * const c = new Composer()
 *   .command('help', (ctx) => ctx.answer('Try /echo text'))
 *   .text(/^hi/i, (ctx) => ctx.reply('Hello!'))
 *   .on('reaction', (ctx) => ctx.reply(`Thanks for ${ctx.event.reaction}`));
 */
export class Composer {
  readonly #chain: Middleware[] = [];

  /** Adds middleware that sees every event. */
  use(...mw: Middleware[]): this {
    this.#chain.push(...mw);
    return this;
  }

  /** Handles events of one or more types; the context is narrowed to them. */
  on<K extends BotEventType>(type: K | readonly K[], ...mw: Middleware<ContextOf<K>>[]): this {
    const types: readonly string[] = Array.isArray(type) ? type : [type];
    return this.use(narrowed((ctx) => types.includes(ctx.event.type), mw));
  }

  /** Handles a slash command, typed or pressed on a button/menu (`/cancel` and a Cancel button meet here). */
  command(name: string | readonly string[], ...mw: Middleware<Context<CommandEvent>>[]): this {
    const names = typeof name === 'string' ? [name] : name;
    return this.use(narrowed(commandMatches(names, ['textarea', 'keyboard', 'menu']), mw));
  }

  /** Handles only presses of keyboard buttons or menu items that carry this command. */
  button(name: string | readonly string[], ...mw: Middleware<Context<CommandEvent>>[]): this {
    const names = typeof name === 'string' ? [name] : name;
    return this.use(narrowed(commandMatches(names, ['keyboard', 'menu']), mw));
  }

  /**
   * Handles a text message: any text, text equal to a string (case-insensitive, trimmed), or text
   * matching a RegExp (the match is on `ctx.match`).
   */
  text(pattern: string | RegExp | null, ...mw: Middleware<Context<MessageEvent>>[]): this {
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
  join(...mw: Middleware<Context<JoinEvent>>[]): this {
    return this.on('join', ...mw);
  }

  /** Runs `mw` only when `predicate` holds. */
  filter(predicate: (ctx: Context) => boolean, ...mw: Middleware[]): this {
    return this.use(narrowed(predicate, mw));
  }

  /** Catches errors thrown by `mw` (not by middleware after it) and hands them to `handler`. */
  errorBoundary(handler: ErrorHandler, ...mw: Middleware[]): this {
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
  middleware(): Middleware {
    return compose(this.#chain);
  }
}
