import type { CommandEvent, MessageEvent } from '../protocol/events.js';
import type { Middleware } from './composer.js';
import type { Context, Reply } from './context.js';
import type { DialogueState, LoadedDialogue } from './dialogue-control.js';

/** Returned by a step to end the dialogue. */
export const END: unique symbol = Symbol('dialogue.end');

/** Returned by a step to re-ask: sends the message and stays on the step. */
export interface Retry {
  readonly retry: Reply;
}

/** Builds a {@link Retry}: `return retry('Please type at least 5 characters')`. */
export function retry(message: Reply): Retry {
  return { retry: message };
}

/** What a step handler returns: the next step's name, {@link END}, a {@link Retry}, or nothing to stay. */
export type StepResult = string | typeof END | Retry | void;

/** One step of a dialogue. `state` is the dialogue's data; mutate it, it is saved after the step. */
export interface Step<S> {
  /** Asks the step's question; runs when the step is entered. */
  enter?(ctx: Context, state: S): unknown;
  /** Handles the user's next text message. */
  text?(ctx: Context<MessageEvent>, state: S): StepResult | Promise<StepResult>;
  /** Handles a press of one of this dialogue's buttons; `value` is the button's params. */
  button?(ctx: Context<CommandEvent>, state: S, value: string): StepResult | Promise<StepResult>;
}

/** The definition of a dialogue: named steps, initial data, cancel rules. */
export interface DialogueSpec<S> {
  /** Unique per bot; used with `ctx.dialogue.enter(name)`. */
  name: string;
  /** The first step. */
  start: string;
  initial(): S;
  steps: Readonly<Record<string, Step<S>>>;
  /** Commands that cancel at any step (typed or pressed). Default `['cancel']`. */
  cancelCommands?: readonly string[];
  /** Said when the dialogue is cancelled. */
  onCancel?(ctx: Context, state: S): unknown;
}

/** A dialogue ready to be added to a bot with `bot.dialogue(d)`. */
export interface Dialogue<S> {
  readonly name: string;
  readonly start: string;
  /** The hidden command the dialogue's buttons carry (`<name>_btn`); registered automatically. */
  readonly buttonCommand: string;
  readonly cancelCommands: readonly string[];
  initial(): S;
  enterStep(ctx: Context, state: DialogueState): Promise<void>;
  middleware(): Middleware;
}

function isRetry(r: StepResult): r is Retry {
  return typeof r === 'object' && r !== null && 'retry' in r;
}

/**
 * Defines an explicit step machine: each step handles the user's next message or button, returns the
 * next step, and the state is persisted in the store between messages (it survives restarts and
 * expires after `DIALOGUE_TTL_S`). `/cancel` (or a button with value `cancel`) ends it at any step.
 *
 * @example
 * const survey = defineDialogue({
 *   name: 'survey', start: 'name', initial: () => ({ name: '' }),
 *   steps: {
 *     name: { enter: (ctx) => ctx.reply('Your name?'), text: (ctx, s) => { s.name = ctx.text; return END; } },
 *   },
 * });
 */
export function defineDialogue<S>(spec: DialogueSpec<S>): Dialogue<S> {
  const buttonCommand = `${spec.name}_btn`;
  const cancelCommands = spec.cancelCommands ?? ['cancel'];
  const step = (name: string): Step<S> => {
    const s = spec.steps[name];
    if (!s) throw new Error(`dialogue ${spec.name} has no step "${name}"`);
    return s;
  };

  const enterStep = async (ctx: Context, state: DialogueState): Promise<void> => {
    await step(state.step).enter?.(ctx, state.data as S);
  };

  const isCancel = (ctx: Context): boolean => {
    const e = ctx.event;
    if (e.type !== 'command') return false;
    return cancelCommands.includes(e.command.name) || (e.command.name === buttonCommand && e.command.params === 'cancel');
  };

  const runStep = async (ctx: Context, current: Step<S>, data: S): Promise<StepResult | null> => {
    const e = ctx.event;
    if (e.type === 'message' && current.text) return current.text(ctx as Context<MessageEvent>, data);
    if (e.type === 'command' && e.command.name === buttonCommand && current.button) {
      return current.button(ctx as Context<CommandEvent>, data, e.command.params);
    }
    return null;
  };

  const apply = async (ctx: Context, loaded: LoadedDialogue, data: S, result: StepResult): Promise<void> => {
    const { state } = loaded;
    if (result === END) return ctx.dialogue.save(loaded, null);
    if (isRetry(result)) {
      await ctx.dialogue.save(loaded, { ...state, data });
      await ctx.reply(result.retry);
      return;
    }
    const next: DialogueState = { ...state, step: typeof result === 'string' ? result : state.step, data };
    if (typeof result === 'string') step(result);
    await ctx.dialogue.save(loaded, next);
    if (typeof result === 'string') await enterStep(ctx, next);
  };

  const middleware = (): Middleware => async (ctx, next) => {
    const loaded = await ctx.dialogue.load();
    if (loaded === null || loaded.state.dialogue !== spec.name) return next();
    const data = loaded.state.data as S;
    if (isCancel(ctx)) {
      await ctx.dialogue.save(loaded, null);
      await spec.onCancel?.(ctx, data);
      return;
    }
    const result = await runStep(ctx, step(loaded.state.step), data);
    if (result === null) return next();
    await apply(ctx, loaded, data, result);
  };

  return { name: spec.name, start: spec.start, buttonCommand, cancelCommands, initial: spec.initial, enterStep, middleware };
}
