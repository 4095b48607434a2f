import { ACTION_RULES, checkAction, type ActionJSON, type ButtonAction, type ButtonContext, type YesNo } from './keyboard.js';
import { checkFields, failer, rules, type FieldRule } from './limits.js';

/** One item of a message's context menu as the platform expects it. */
export interface MenuItemJSON extends ActionJSON {
  TEXT: string;
  CONTEXT?: ButtonContext;
  DISABLED?: YesNo;
}

/** A context menu as the platform expects it (`MENU`; classic v1 methods only). */
export interface MenuJSON {
  ITEMS: MenuItemJSON[];
}

/** A menu in any accepted form: a builder, `{ITEMS}`, or a bare array of items. */
export type MenuInput = Menu | MenuJSON | readonly MenuItemJSON[];

/** Options of a menu item. */
export interface MenuItemOptions {
  context?: ButtonContext;
  disabled?: boolean;
}

const ITEM_RULES: Readonly<Record<keyof MenuItemJSON, FieldRule>> = {
  TEXT: rules.text,
  ...ACTION_RULES,
  CONTEXT: rules.oneOf('MOBILE', 'DESKTOP', 'ALL'),
  DISABLED: rules.yesNo,
};

const MENU_RULES: Readonly<Record<keyof MenuJSON, FieldRule>> = {
  ITEMS: (v) => (Array.isArray(v) ? null : 'an array of items'),
};

function checkItem(item: unknown, where: string): MenuItemJSON {
  const fail = failer('MENU_INVALID', where);
  const checked = checkFields(item, ITEM_RULES, ['TEXT'], fail) as unknown as MenuItemJSON;
  return checkAction({ ...checked }, fail);
}

function item(text: string, action: ActionJSON, opts: MenuItemOptions): MenuItemJSON {
  const unknown = Object.keys(opts).filter((k) => k !== 'context' && k !== 'disabled');
  if (unknown.length > 0) failer('MENU_INVALID', `menu item ${JSON.stringify(text)}`)(`unknown option ${unknown.join(', ')} (allowed: context, disabled)`);
  const json: MenuItemJSON = { TEXT: text, ...action };
  if (opts.context !== undefined) json.CONTEXT = opts.context;
  if (opts.disabled !== undefined) json.DISABLED = opts.disabled ? 'Y' : 'N';
  return checkItem(json, `menu item ${JSON.stringify(text)}`);
}

/**
 * An immutable builder of a message's context menu. Each method returns a new menu; every item is
 * validated when added (`MENU_INVALID`). Only the classic v1 methods carry a menu: Chat bots 2.0
 * (`imbot.v2.Chat.Message.send`) has no menu field.
 *
 * @example
 * const menu = new Menu().command('Close ticket', 'close', '142').link('Open in CRM', '/crm/deal/details/142/');
 * await ctx.reply({ text: 'Ticket #142', menu });
 */
export class Menu {
  #items: readonly MenuItemJSON[] = [];

  /** Validates a menu written as plain JSON (`{ITEMS}` or a bare array). */
  static fromJSON(json: MenuJSON | readonly MenuItemJSON[]): Menu {
    const full = (Array.isArray(json) ? { ITEMS: json } : json) as unknown;
    const { ITEMS: list } = checkFields(full, MENU_RULES, ['ITEMS'], failer('MENU_INVALID', 'menu'));
    const menu = new Menu();
    menu.#items = (list as unknown[]).map((it, i) => checkItem(it, `menu item ${i + 1}`));
    return menu;
  }

  /** An item that sends `/command params` to the bot (a command event with context menu). */
  command(text: string, command: string, params?: string, opts: MenuItemOptions = {}): Menu {
    return this.#with(item(text, params === undefined ? { COMMAND: command } : { COMMAND: command, COMMAND_PARAMS: params }, opts));
  }

  /** An item that opens an `http(s)://` URL or a portal path `/...`. */
  link(text: string, url: string, opts: MenuItemOptions = {}): Menu {
    return this.#with(item(text, { LINK: url }, opts));
  }

  /** An item that acts in the client: put or send text, copy it, call a number, open a dialog. */
  action(text: string, action: ButtonAction, value: string, opts: MenuItemOptions = {}): Menu {
    return this.#with(item(text, { ACTION: action, ACTION_VALUE: value }, opts));
  }

  /** Number of items. */
  get size(): number {
    return this.#items.length;
  }

  /** The platform structure `{ ITEMS }`. */
  toJSON(): MenuJSON {
    return { ITEMS: this.#items.map((it) => ({ ...it })) };
  }

  #with(next: MenuItemJSON): Menu {
    const menu = new Menu();
    menu.#items = [...this.#items, next];
    return menu;
  }
}
