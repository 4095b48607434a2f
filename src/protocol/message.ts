import { BotkitError } from '../errors.js';
import { Attach, type AttachInput, type AttachJSON } from './attach.js';
import { Keyboard, type KeyboardInput, type KeyboardJSON } from './keyboard.js';
import { checkOutgoingMessage } from './limits.js';
import { Menu, type MenuInput, type MenuJSON } from './menu.js';

export type { AttachBlockJSON, AttachInput, AttachJSON } from './attach.js';
export type { ButtonJSON, KeyboardInput, KeyboardItemJSON, KeyboardJSON } from './keyboard.js';
export type { MenuInput, MenuItemJSON, MenuJSON } from './menu.js';

/** A message a bot sends: text with BB codes plus an optional keyboard, attachment and menu. */
export interface OutgoingMessage {
  /** Text with BB codes, at most 20,000 characters. May be empty only when an attachment is given. */
  text: string;
  /** Buttons under the message: a {@link Keyboard}, `{BUTTONS}`, or a bare array of buttons. */
  keyboard?: KeyboardInput;
  /** Rich blocks: an {@link Attach}, `{BLOCKS}`, or a bare array of blocks. */
  attach?: AttachInput;
  /** Context-menu items (classic v1 methods only): a {@link Menu}, `{ITEMS}`, or a bare array. */
  menu?: MenuInput;
  /** A system message (no author; v2: it no longer belongs to the bot). */
  system?: boolean;
  /** Rich link previews for URLs in the text (platform default: on). */
  urlPreview?: boolean;
  /** Quote/reply to this message id (v2 `replyId`). */
  replyTo?: number;
}

/** An {@link OutgoingMessage} reduced to plain, validated platform JSON: safe to persist and send. */
export interface NormalizedMessage {
  text: string;
  keyboard?: KeyboardJSON;
  attach?: AttachJSON;
  menu?: MenuJSON;
  system?: boolean;
  urlPreview?: boolean;
  replyTo?: number;
}

const KNOWN = new Set(['text', 'keyboard', 'attach', 'menu', 'system', 'urlPreview', 'replyTo']);

function invalid(message: string): never {
  throw new BotkitError('MESSAGE_INVALID', message);
}

function keyboardJSON(input: KeyboardInput): KeyboardJSON {
  const json = (input instanceof Keyboard ? input : Keyboard.fromJSON(input)).toJSON();
  if (!json.BUTTONS.some((item) => !('TYPE' in item))) throw new BotkitError('KEYBOARD_INVALID', 'keyboard has no buttons');
  return json;
}

function attachJSON(input: AttachInput): AttachJSON {
  const json = (input instanceof Attach ? input : Attach.fromJSON(input)).toJSON();
  if (json.BLOCKS.length === 0) throw new BotkitError('ATTACH_INVALID', 'attachment has no blocks');
  return json;
}

function menuJSON(input: MenuInput): MenuJSON {
  const json = (input instanceof Menu ? input : Menu.fromJSON(input)).toJSON();
  if (json.ITEMS.length === 0) throw new BotkitError('MENU_INVALID', 'menu has no items');
  return json;
}

function checkShape(msg: OutgoingMessage): void {
  if (msg === null || typeof msg !== 'object') invalid(`a message must be a string or an object, got ${typeof msg}`);
  for (const key of Object.keys(msg)) if (!KNOWN.has(key)) invalid(`unknown message field ${key} (allowed: ${[...KNOWN].join(', ')})`);
  if (typeof msg.text !== 'string') invalid(`text must be a string, got ${typeof msg.text}`);
  if (msg.text.trim() === '' && msg.attach === undefined) invalid('text is empty and there is no attachment (the platform refuses it; on update it would delete the message)');
  for (const key of ['system', 'urlPreview'] as const) {
    if (msg[key] !== undefined && typeof msg[key] !== 'boolean') invalid(`${key} must be a boolean, got ${JSON.stringify(msg[key])}`);
  }
  if (msg.replyTo !== undefined && (!Number.isSafeInteger(msg.replyTo) || msg.replyTo <= 0)) {
    invalid(`replyTo must be a positive message id, got ${JSON.stringify(msg.replyTo)}`);
  }
}

/**
 * Turns what a bot passes to `ctx.reply` into plain platform JSON: builders serialized, bare arrays
 * wrapped (`{BUTTONS}`, `{BLOCKS}`, `{ITEMS}`), every part validated and every size limit checked.
 * Throws a coded {@link BotkitError} (`MESSAGE_INVALID`, `*_INVALID`, `MESSAGE_TOO_LONG`, `*_OVERSIZE`)
 * before anything is queued.
 *
 * @example
 * normalizeMessage('hi'); // { text: 'hi' }
 * normalizeMessage({ text: 'Sure?', keyboard: new Keyboard().command('Yes', 'confirm', 'yes') });
 * // { text: 'Sure?', keyboard: { BUTTONS: [{ TEXT: 'Yes', COMMAND: 'confirm', COMMAND_PARAMS: 'yes' }] } }
 */
export function normalizeMessage(input: string | OutgoingMessage): NormalizedMessage {
  const msg: OutgoingMessage = typeof input === 'string' ? { text: input } : input;
  checkShape(msg);
  const out: NormalizedMessage = { text: msg.text };
  if (msg.keyboard !== undefined) out.keyboard = keyboardJSON(msg.keyboard);
  if (msg.attach !== undefined) out.attach = attachJSON(msg.attach);
  if (msg.menu !== undefined) out.menu = menuJSON(msg.menu);
  if (msg.system !== undefined) out.system = msg.system;
  if (msg.urlPreview !== undefined) out.urlPreview = msg.urlPreview;
  if (msg.replyTo !== undefined) out.replyTo = msg.replyTo;
  checkOutgoingMessage(out);
  return out;
}
