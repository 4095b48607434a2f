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

/** Starts, inspects and cancels the dialogue of one user in one chat. Available as `ctx.dialogue`. */
export interface DialogueControl {
  /** Starts the named dialogue (replacing a running one) and asks its first question. */
  enter(name: string): Promise<void>;
  /** The running dialogue and its step, or null. */
  current(): Promise<{ name: string; step: string } | null>;
  /** Ends the running dialogue without its cancel reply; true if there was one. */
  cancel(): Promise<boolean>;
  /** Reads the state (used by the dialogue middleware). */
  load(): Promise<LoadedDialogue | null>;
  /** Writes the next state, or deletes it with `null`; throws `STATE_CONFLICT` if it changed meanwhile. */
  save(loaded: LoadedDialogue | null, next: DialogueState | null): Promise<void>;
}

/** What a dialogue control needs. */
export interface DialogueControlOptions {
  store: StateStore;
  /** `dlg:<member>:<bot>:<dialogId>:<user>`. */
  key: string;
  clock: () => number;
  ttlS: number;
  dialogues: ReadonlyMap<string, Dialogue<never>>;
}

/** Creates the control for one context. */
export function createDialogueControl(opts: DialogueControlOptions, ctx: () => Context): DialogueControl {
  const { store, key, clock, ttlS, dialogues } = opts;
  const control: DialogueControl = {
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
    async enter(name) {
      const dialogue = dialogues.get(name);
      if (!dialogue) throw new BotkitError('CONTEXT_UNSUPPORTED', `no dialogue named "${name}" on this bot`);
      const running = await control.load();
      const state: DialogueState = { dialogue: name, step: dialogue.start, data: dialogue.initial() };
      await control.save(running, state);
      await dialogue.enterStep(ctx(), state);
    },
    async current() {
      const loaded = await control.load();
      return loaded === null ? null : { name: loaded.state.dialogue, step: loaded.state.step };
    },
    async cancel() {
      const loaded = await control.load();
      if (loaded === null) return false;
      await control.save(loaded, null);
      return true;
    },
  };
  return control;
}
