import { BotkitError } from '../errors.js';
import type { StateStore } from '../store/types.js';
import type { Context } from './context.js';
import type { Dialogue } from './dialogue.js';

/** The persisted state of one running dialogue. */
export interface DialogueState {
  dialogue: string;
  step: string;
  data: unknown;
}

/** A loaded dialogue state with the version it was read at (for the optimistic check). */
export interface LoadedDialogue {
  state: DialogueState;
  version: number;
}

/** Starts, inspects and leaves the dialogue of one user in one chat. Available as `ctx.dialogue`. */
export interface DialogueControl {
  /** Starts the named dialogue (replacing a running one) and asks its first question. */
  enter(name: string): Promise<void>;
  /** Ends the running dialogue without its cancel reply; true if there was one. */
  leave(): Promise<boolean>;
  /** The running dialogue and its step, or null. */
  current(): Promise<{ name: string; step: string } | null>;
}

/** Reads and writes the persisted dialogue state; internal to the router (the dialogue middleware uses it). */
export interface DialogueStateStore {
  load(): Promise<LoadedDialogue | null>;
  /** Writes the next state, or deletes it with `null`; throws `STATE_CONFLICT` if it changed meanwhile. */
  save(loaded: LoadedDialogue | null, next: DialogueState | null): Promise<void>;
}

/** A dialogue of any state, step names and context, as a bot holds them. */
export type AnyDialogue = Dialogue<never, string, never>;

/** What a dialogue control needs. */
export interface DialogueControlOptions {
  store: StateStore;
  /** `dlg:<member>:<bot>:<dialogId>:<user>`. */
  key: string;
  clock: () => number;
  ttlS: number;
  dialogues: ReadonlyMap<string, AnyDialogue>;
}

// The state store behind each public control, reachable only through this module (not part of the API).
const stateStores = new WeakMap<DialogueControl, DialogueStateStore>();

/** The state store behind a control made by {@link createDialogueControl}. */
export function dialogueStateOf(control: DialogueControl): DialogueStateStore {
  const states = stateStores.get(control);
  if (!states) throw new BotkitError('CONTEXT_UNSUPPORTED', 'ctx.dialogue was not created by createDialogueControl');
  return states;
}

function createStateStore({ store, key, clock, ttlS }: DialogueControlOptions): DialogueStateStore {
  return {
    async load() {
      const row = await store.getState<DialogueState>(key, clock());
      return row === null ? null : { state: row.value, version: row.version };
    },
    async save(loaded, next) {
      if (next === null) {
        await store.deleteState(key);
        return;
      }
      const version = await store.setState(key, next, loaded?.version ?? 0, clock() + ttlS * 1000);
      if (version === null) throw new BotkitError('STATE_CONFLICT', `dialogue state ${next.dialogue} changed concurrently`);
    },
  };
}

/** Creates the control for one context. */
export function createDialogueControl(opts: DialogueControlOptions, ctx: () => Context): DialogueControl {
  const states = createStateStore(opts);
  const control: DialogueControl = {
    async enter(name) {
      const dialogue = opts.dialogues.get(name);
      if (!dialogue) throw new BotkitError('CONTEXT_UNSUPPORTED', `no dialogue named "${name}" on this bot`);
      const running = await states.load();
      const state: DialogueState = { dialogue: name, step: dialogue.start, data: dialogue.initial() };
      await states.save(running, state);
      await dialogue.enterStep(ctx() as never, state);
    },
    async leave() {
      const loaded = await states.load();
      if (loaded === null) return false;
      await states.save(loaded, null);
      return true;
    },
    async current() {
      const loaded = await states.load();
      return loaded === null ? null : { name: loaded.state.dialogue, step: loaded.state.step };
    },
  };
  stateStores.set(control, states);
  return control;
}
