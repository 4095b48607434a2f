import { checkFields, COLOR_TOKENS, failer, rules, type ColorToken, type FieldRule } from './limits.js';

/** A client-side action of a button or menu item (no bot event, except that `SEND` posts a message). */
export type ButtonAction = 'PUT' | 'SEND' | 'COPY' | 'CALL' | 'DIALOG';
/** Where a button or menu item is shown (`ALL` is the platform default). */
export type ButtonContext = 'MOBILE' | 'DESKTOP' | 'ALL';
/** `LINE`: buttons share a row; `BLOCK` (platform default): the button takes the whole row. */
export type ButtonDisplay = 'LINE' | 'BLOCK';
/** The platform's boolean. */
export type YesNo = 'Y' | 'N';

/** The action fields shared by keyboard buttons and menu items; exactly one action per item. */
export interface ActionJSON {
  LINK?: string;
  COMMAND?: string;
  COMMAND_PARAMS?: string;
  ACTION?: ButtonAction;
  ACTION_VALUE?: string;
  /** Legacy (Open Lines chat apps). */
  APP_ID?: number;
  APP_PARAMS?: string;
}

/** One keyboard button as the platform expects it. */
export interface ButtonJSON extends ActionJSON {
  TEXT: string;
  BG_COLOR_TOKEN?: ColorToken;
  BG_COLOR?: string;
  TEXT_COLOR?: string;
  OFF_BG_COLOR?: string;
  OFF_TEXT_COLOR?: string;
  DISPLAY?: ButtonDisplay;
  BLOCK?: YesNo;
  DISABLED?: YesNo;
  WIDTH?: number;
  CONTEXT?: ButtonContext;
}

/** The line-break pseudo-button. */
export interface NewlineJSON {
  TYPE: 'NEWLINE';
}

/** A keyboard entry: a button or a line break. */
export type KeyboardItemJSON = ButtonJSON | NewlineJSON;

/** A keyboard as the platform expects it (`KEYBOARD` in v1, `fields.keyboard` in v2). */
export interface KeyboardJSON {
  BOT_ID?: number;
  BUTTONS: KeyboardItemJSON[];
}

/** A keyboard in any accepted form: a builder, `{BUTTONS}`, or a bare array of buttons. */
export type KeyboardInput = Keyboard | KeyboardJSON | readonly KeyboardItemJSON[];

/** Looks of a button. Colours are `#rgb`/`#rrggbb`. */
export interface ButtonOptions {
  /** Background colour (`BG_COLOR`). */
  color?: string;
  /** Text colour (`TEXT_COLOR`). */
  textColor?: string;
  /** Background colour when disabled (`OFF_BG_COLOR`). */
  offColor?: string;
  /** Text colour when disabled (`OFF_TEXT_COLOR`). */
  offTextColor?: string;
  /** Named colour scheme (`BG_COLOR_TOKEN`). */
  colorToken?: ColorToken;
  display?: ButtonDisplay;
  /** Grey the button out after a press (effective for command buttons only). */
  block?: boolean;
  disabled?: boolean;
  /** Width in pixels. */
  width?: number;
  context?: ButtonContext;
}

/** Options of a whole keyboard. */
export interface KeyboardOptions {
  /** Sent as `BOT_ID` next to `BUTTONS`; the docs advise it on updates so command buttons stay bound. */
  botId?: number;
  /** Looks applied to every button added by the builder methods, under each button's own options. */
  defaults?: ButtonOptions;
}

const ACTIONS = ['PUT', 'SEND', 'COPY', 'CALL', 'DIALOG'] as const;
const ACTION_KEYS = ['LINK', 'COMMAND', 'ACTION', 'APP_ID'] as const;

/** Rules of the action fields, shared with the menu. */
export const ACTION_RULES: Readonly<Record<keyof ActionJSON, FieldRule>> = {
  LINK: rules.link,
  COMMAND: (v) => (typeof v === 'string' && /^\/?[^\s/]+$/.test(v) ? null : 'a command name without spaces or "/"'),
  COMMAND_PARAMS: rules.string,
  ACTION: rules.oneOf(...ACTIONS),
  ACTION_VALUE: rules.text,
  APP_ID: rules.id,
  APP_PARAMS: rules.string,
};

const BUTTON_RULES: Readonly<Record<keyof ButtonJSON, FieldRule>> = {
  TEXT: rules.text,
  ...ACTION_RULES,
  BG_COLOR_TOKEN: rules.oneOf(...COLOR_TOKENS),
  BG_COLOR: rules.color,
  TEXT_COLOR: rules.color,
  OFF_BG_COLOR: rules.color,
  OFF_TEXT_COLOR: rules.color,
  DISPLAY: rules.oneOf('LINE', 'BLOCK'),
  BLOCK: rules.yesNo,
  DISABLED: rules.yesNo,
  WIDTH: rules.id,
  CONTEXT: rules.oneOf('MOBILE', 'DESKTOP', 'ALL'),
};

const KEYBOARD_RULES: Readonly<Record<keyof KeyboardJSON, FieldRule>> = {
  BOT_ID: rules.id,
  BUTTONS: (v) => (Array.isArray(v) ? null : 'an array of buttons'),
};

/**
 * Checks the action part of a button or menu item: exactly one of LINK, COMMAND, ACTION, APP_ID;
 * parameters only with their action; a `CALL` phone number and a `DIALOG` id in the documented form.
 * Returns a copy with a leading `/` stripped from COMMAND (the platform strips it too).
 */
export function checkAction<T extends ActionJSON>(item: T, fail: (message: string) => never): T {
  const present = ACTION_KEYS.filter((k) => item[k] !== undefined);
  if (present.length !== 1) fail(`needs exactly one action of ${ACTION_KEYS.join(', ')}, got ${present.join(', ') || 'none'}`);
  if (item.COMMAND_PARAMS !== undefined && item.COMMAND === undefined) fail('COMMAND_PARAMS needs COMMAND');
  if (item.APP_PARAMS !== undefined && item.APP_ID === undefined) fail('APP_PARAMS needs APP_ID');
  if ((item.ACTION === undefined) !== (item.ACTION_VALUE === undefined)) fail('ACTION and ACTION_VALUE go together');
  const value = item.ACTION_VALUE ?? '';
  if (item.ACTION === 'CALL' && !/^\+?[\d\s()-]*\d[\d\s()-]*$/.test(value)) fail(`CALL needs a phone number, got ${JSON.stringify(value)}`);
  if (item.ACTION === 'DIALOG' && !/^(?:chat\d+|\d+)$/.test(value)) fail(`DIALOG needs a user id or chatN, got ${JSON.stringify(value)}`);
  return item.COMMAND?.startsWith('/') ? { ...item, COMMAND: item.COMMAND.slice(1) } : item;
}

/** Validates one plain keyboard entry and returns a normalized copy. */
function checkItem(item: unknown, where: string): KeyboardItemJSON {
  const fail = failer('KEYBOARD_INVALID', where);
  if (item !== null && typeof item === 'object' && 'TYPE' in item) {
    const keys = Object.keys(item);
    if (item.TYPE !== 'NEWLINE' || keys.length !== 1) fail('a TYPE entry must be exactly {"TYPE":"NEWLINE"}');
    return { TYPE: 'NEWLINE' };
  }
  const button = checkFields(item, BUTTON_RULES, ['TEXT'], fail) as unknown as ButtonJSON;
  return checkAction({ ...button }, fail);
}

function styleFields(o: ButtonOptions): Partial<ButtonJSON> {
  const s: Partial<ButtonJSON> = {};
  if (o.colorToken !== undefined) s.BG_COLOR_TOKEN = o.colorToken;
  if (o.color !== undefined) s.BG_COLOR = o.color;
  if (o.textColor !== undefined) s.TEXT_COLOR = o.textColor;
  if (o.offColor !== undefined) s.OFF_BG_COLOR = o.offColor;
  if (o.offTextColor !== undefined) s.OFF_TEXT_COLOR = o.offTextColor;
  if (o.display !== undefined) s.DISPLAY = o.display;
  if (o.block !== undefined) s.BLOCK = o.block ? 'Y' : 'N';
  if (o.disabled !== undefined) s.DISABLED = o.disabled ? 'Y' : 'N';
  if (o.width !== undefined) s.WIDTH = o.width;
  if (o.context !== undefined) s.CONTEXT = o.context;
  return s;
}

const OPTION_KEYS = ['color', 'textColor', 'offColor', 'offTextColor', 'colorToken', 'display', 'block', 'disabled', 'width', 'context'];

function button(text: string, action: ActionJSON, opts: ButtonOptions): ButtonJSON {
  const unknown = Object.keys(opts).filter((k) => !OPTION_KEYS.includes(k));
  if (unknown.length > 0) failer('KEYBOARD_INVALID', `button ${JSON.stringify(text)}`)(`unknown option ${unknown.join(', ')} (allowed: ${OPTION_KEYS.join(', ')})`);
  return checkItem({ TEXT: text, ...action, ...styleFields(opts) }, `button ${JSON.stringify(text)}`) as ButtonJSON;
}

function isNewline(item: KeyboardItemJSON | undefined): boolean {
  return item !== undefined && 'TYPE' in item;
}

/**
 * An immutable keyboard builder: each method returns a new keyboard. Buttons follow one another;
 * `row()` starts a new line (the `NEWLINE` pseudo-button). Every button is validated when added,
 * with a `KEYBOARD_INVALID` error naming the button and the field.
 *
 * @example
 * const kb = new Keyboard({ defaults: { display: 'LINE' } })
 *   .command('Yes', 'confirm', 'yes', { colorToken: 'primary', block: true })
 *   .command('No', 'confirm', 'no')
 *   .row()
 *   .link('Docs', 'https://help.example.com');
 * await ctx.reply({ text: 'Sure?', keyboard: kb });
 */
export class Keyboard {
  #items: readonly KeyboardItemJSON[] = [];
  readonly #options: KeyboardOptions;

  constructor(options: KeyboardOptions = {}) {
    if (options.botId !== undefined && rules.id(options.botId) !== null) {
      failer('KEYBOARD_INVALID', 'keyboard')(`botId must be a positive integer, got ${JSON.stringify(options.botId)}`);
    }
    this.#options = { ...options };
  }

  /** A button that sends `/command params` to the bot (an ONIMCOMMANDADD / command event with context keyboard). */
  static command(text: string, command: string, params?: string, opts: ButtonOptions = {}): ButtonJSON {
    return button(text, params === undefined ? { COMMAND: command } : { COMMAND: command, COMMAND_PARAMS: params }, opts);
  }

  /** A button that opens an `http(s)://` URL or a portal path `/...`. */
  static link(text: string, url: string, opts: ButtonOptions = {}): ButtonJSON {
    return button(text, { LINK: url }, opts);
  }

  /** A button that acts in the client: put or send text, copy it, call a number, open a dialog. */
  static action(text: string, action: ButtonAction, value: string, opts: ButtonOptions = {}): ButtonJSON {
    return button(text, { ACTION: action, ACTION_VALUE: value }, opts);
  }

  /** A keyboard from rows of buttons (built with the static helpers or written as JSON). */
  static from(rows: readonly (readonly ButtonJSON[])[], options: KeyboardOptions = {}): Keyboard {
    let kb = new Keyboard(options);
    for (const row of rows) kb = kb.row().add(...row);
    return kb;
  }

  /** Validates a keyboard written as plain JSON (`{BUTTONS}` or a bare array). */
  static fromJSON(json: KeyboardJSON | readonly KeyboardItemJSON[]): Keyboard {
    const full = (Array.isArray(json) ? { BUTTONS: json } : json) as unknown;
    const { BOT_ID: botId, BUTTONS: list } = checkFields(full, KEYBOARD_RULES, ['BUTTONS'], failer('KEYBOARD_INVALID', 'keyboard'));
    const kb = new Keyboard(botId === undefined ? {} : { botId: botId as number });
    kb.#items = (list as unknown[]).map((item, i) => checkItem(item, `button ${i + 1}`));
    return kb;
  }

  /** Adds a command button; see {@link Keyboard.command}. */
  command(text: string, command: string, params?: string, opts: ButtonOptions = {}): Keyboard {
    return this.#with(Keyboard.command(text, command, params, { ...this.#options.defaults, ...opts }));
  }

  /** Adds a link button; see {@link Keyboard.link}. */
  link(text: string, url: string, opts: ButtonOptions = {}): Keyboard {
    return this.#with(Keyboard.link(text, url, { ...this.#options.defaults, ...opts }));
  }

  /** Adds a client-action button; see {@link Keyboard.action}. */
  action(text: string, action: ButtonAction, value: string, opts: ButtonOptions = {}): Keyboard {
    return this.#with(Keyboard.action(text, action, value, { ...this.#options.defaults, ...opts }));
  }

  /** Adds ready buttons as they are (validated; keyboard defaults are not applied). */
  add(...buttons: readonly ButtonJSON[]): Keyboard {
    return this.#with(...buttons.map((b) => checkItem(b, `button ${JSON.stringify(b?.TEXT)}`)));
  }

  /** Starts a new line. Does nothing on an empty keyboard or right after another `row()`. */
  row(): Keyboard {
    return this.#items.length === 0 || isNewline(this.#items.at(-1)) ? this : this.#with({ TYPE: 'NEWLINE' });
  }

  /** Number of buttons (line breaks not counted). */
  get size(): number {
    return this.#items.filter((item) => !isNewline(item)).length;
  }

  /** The platform structure `{ BOT_ID?, BUTTONS }`, without a trailing line break. */
  toJSON(): KeyboardJSON {
    const items = isNewline(this.#items.at(-1)) ? this.#items.slice(0, -1) : this.#items;
    const buttons = items.map((item) => ({ ...item }));
    return this.#options.botId === undefined ? { BUTTONS: buttons } : { BOT_ID: this.#options.botId, BUTTONS: buttons };
  }

  #with(...items: KeyboardItemJSON[]): Keyboard {
    const next = new Keyboard(this.#options);
    next.#items = [...this.#items, ...items];
    return next;
  }
}
