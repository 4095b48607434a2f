import type { CommandEvent, MessageEvent } from '../protocol/events.js';
import { BotkitError } from '../errors.js';
import type { MiddlewareFn, WithEvent } from './composer.js';
import type { Context, Reply } from './context.js';
import { dialogueStateOf, type DialogueState, type DialogueStateStore, type LoadedDialogue } from './dialogue-control.js';

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

/**
 * What a step handler returns: the next step's name (one of the dialogue's steps: a typo does not
 * compile), {@link END}, a {@link Retry}, or nothing to stay.
 */
export type StepResult<K extends string = string> = K | typeof END | Retry | void;

/** One step of a dialogue. `state` is the dialogue's data; mutate it, it is saved after the step. */
export interface Step<S, K extends string = string, C extends Context = Context> {
  /** Asks the step's question; runs when the step is entered. */
  enter?(ctx: C, state: S): unknown;
  /** Handles the user's next text message. */
  text?(ctx: WithEvent<C, MessageEvent>, state: S): StepResult<K> | Promise<StepResult<K>>;
  /** Handles a press of one of this dialogue's buttons; `value` is the button's params. */
  button?(ctx: WithEvent<C, CommandEvent>, state: S, value: string): StepResult<K> | Promise<StepResult<K>>;
}

/** The definition of a dialogue: named steps, initial data, cancel rules. `K` is inferred from `steps`. */
export interface DialogueSpec<S, K extends string = string, C extends Context = Context> {
  /** Unique per bot; used with `ctx.dialogue.enter(name)`. */
  name: string;
  /** The first step: one of `steps`. */
  start: NoInfer<K>;
  initial(): S;
  steps: { readonly [P in K]: Step<S, NoInfer<K>, C> };
  /** Commands that cancel at any step (typed or pressed). Default `['cancel']`. */
  cancelCommands?: readonly string[];
  /** Said when the dialogue is cancelled. */
  onCancel?(ctx: C, state: S): unknown;
}

/** A dialogue ready to be added to a bot with `bot.dialogue(d)`. */
export interface Dialogue<S, K extends string = string, C extends Context = Context> {
  readonly name: string;
  readonly start: K;
  /** The step names. */
  readonly steps: readonly K[];
  /** The hidden command the dialogue's buttons carry (`<name>_btn`); registered automatically. */
  readonly buttonCommand: string;
  readonly cancelCommands: readonly string[];
  initial(): S;
  enterStep(ctx: C, state: DialogueState): Promise<void>;
  middleware(): MiddlewareFn<C>;
}

function isRetry(r: StepResult): r is Retry {
  return typeof r === 'object' && r !== null && 'retry' in r;
}

/**
 * Defines an explicit step machine: each step handles the user's next message or button, returns the
 * next step, and the state is persisted in the store between messages (it survives restarts and
 * expires after `DIALOGUE_TTL_S`). `/cancel` (or a button with value `cancel`) ends it at any step.
 * Step names are checked at compile time (`start` and every returned name must be a key of `steps`);
 * a stored state naming a step the dialogue no longer has (a new deploy) ends the dialogue and throws
 * `DIALOGUE_STEP_UNKNOWN`.
 *
 * @example
 * const survey = defineDialogue({
 *   name: 'survey', start: 'name', initial: () => ({ name: '' }),
 *   steps: {
 *     name: { enter: (ctx) => ctx.reply('Your name?'), text: (ctx, s) => { s.name = ctx.text; return END; } },
 *   },
 * });
 */
export function defineDialogue<S, K extends string, C extends Context = Context>(spec: DialogueSpec<S, K, C>): Dialogue<S, K, C> {
  const buttonCommand = `${spec.name}_btn`;
  const cancelCommands = spec.cancelCommands ?? ['cancel'];
  const steps = spec.steps as Readonly<Record<string, Step<S, K, C> | undefined>>;
  const step = (name: string): Step<S, K, C> => {
    const s = Object.hasOwn(steps, name) ? steps[name] : undefined;
    if (!s) throw new BotkitError('DIALOGUE_STEP_UNKNOWN', `dialogue ${spec.name} has no step "${name}"`);
    return s;
  };
  step(spec.start);

  const enterStep = async (ctx: C, state: DialogueState): Promise<void> => {
    await step(state.step).enter?.(ctx, state.data as S);
  };

  const isCancel = (ctx: C): boolean => {
    const e = ctx.event;
    if (e.type !== 'command') return false;
    return cancelCommands.includes(e.command.name) || (e.command.name === buttonCommand && e.command.params === 'cancel');
  };

  const runStep = async (ctx: C, current: Step<S, K, C>, data: S): Promise<StepResult<K> | null> => {
    const e = ctx.event;
    if (e.type === 'message' && current.text) return current.text(ctx as WithEvent<C, MessageEvent>, data);
    if (e.type === 'command' && e.command.name === buttonCommand && current.button) {
      return current.button(ctx as WithEvent<C, CommandEvent>, data, e.command.params);
    }
    return null;
  };

  const apply = async (ctx: C, states: DialogueStateStore, loaded: LoadedDialogue, data: S, result: StepResult<K>): Promise<void> => {
    const { state } = loaded;
    if (result === END) return states.save(loaded, null);
    if (isRetry(result)) {
      await states.save(loaded, { ...state, data });
      await ctx.reply(result.retry);
      return;
    }
    const next: DialogueState = { ...state, step: typeof result === 'string' ? result : state.step, data };
    if (typeof result === 'string') step(result);
    await states.save(loaded, next);
    if (typeof result === 'string') await enterStep(ctx, next);
  };

  /** The running step; a stored step this dialogue no longer has ends the dialogue with a coded error. */
  const currentStep = async (states: DialogueStateStore, loaded: LoadedDialogue): Promise<Step<S, K, C>> => {
    try {
      return step(loaded.state.step);
    } catch (e) {
      await states.save(loaded, null);
      throw e;
    }
  };

  const middleware = (): MiddlewareFn<C> => async (ctx, next) => {
    const states = dialogueStateOf(ctx.dialogue);
    const loaded = await states.load();
    if (loaded === null || loaded.state.dialogue !== spec.name) return next();
    const data = loaded.state.data as S;
    if (isCancel(ctx)) {
      await states.save(loaded, null);
      await spec.onCancel?.(ctx, data);
      return;
    }
    const result = await runStep(ctx, await currentStep(states, loaded), data);
    if (result === null) return next();
    await apply(ctx, states, loaded, data, result);
  };

  return {
    name: spec.name, start: spec.start, steps: Object.keys(steps) as K[], buttonCommand, cancelCommands,
    initial: spec.initial, enterStep, middleware,
  };
}
