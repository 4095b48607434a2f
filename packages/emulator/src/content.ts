import { PortalError } from './portal-error.js';
import { asList, asObject } from './params.js';

/** Message text limit (v2 facts §3.1). */
export const TEXT_LIMIT = 20_000;
const KB30 = 30 * 1024;

/** The documented cut: longer text keeps 20,000 characters and gets ` (...)`. */
export function cutText(text: string): string {
  return text.length > TEXT_LIMIT ? `${text.slice(0, TEXT_LIMIT)} (...)` : text;
}

/** `"N"` or an empty value: remove the block on update. */
export function isRemoval(v: unknown): boolean {
  return v === 'N' || v === '' || v === false || (Array.isArray(v) && v.length === 0);
}

/** Error code prefixes: v1 update spells the menu error `menu_ERROR` (sic). */
export interface ContentCodes {
  menuError?: string;
}

/** Normalizes a KEYBOARD (`{BUTTONS}`, bare array, JSON string) into `{BOT_ID, BUTTONS}`, checking 30 KB. */
export function normalizeKeyboard(v: unknown, botId: number): Record<string, unknown> {
  const obj = asObject(v);
  const buttons = asList(obj && obj['BUTTONS'] !== undefined ? obj['BUTTONS'] : v);
  if (!buttons || !buttons.every((b) => asObject(b) !== undefined)) throw new PortalError('KEYBOARD_ERROR', 'Incorrect keyboard params');
  const keyboard = { BOT_ID: botId, BUTTONS: buttons };
  if (Buffer.byteLength(JSON.stringify(keyboard)) > KB30) throw new PortalError('KEYBOARD_OVERSIZE', 'You have exceeded the maximum allowable size of keyboard');
  return keyboard;
}

/** Normalizes a MENU (`{ITEMS}`, bare array, JSON string) into `{ITEMS}`, checking 30 KB. */
export function normalizeMenu(v: unknown, codes: ContentCodes = {}): Record<string, unknown> {
  const obj = asObject(v);
  const items = asList(obj && obj['ITEMS'] !== undefined ? obj['ITEMS'] : v);
  if (!items || !items.every((i) => asObject(i) !== undefined)) throw new PortalError(codes.menuError ?? 'MENU_ERROR', 'Incorrect menu params');
  const menu = { ITEMS: items };
  if (Buffer.byteLength(JSON.stringify(menu)) > KB30) throw new PortalError('MENU_OVERSIZE', 'You have exceeded the maximum allowable size of menu');
  return menu;
}

/**
 * Normalizes an ATTACH (full `{ID, COLOR, BLOCKS}` or a bare block array). The limit differs by
 * generation in the docs: 30 KB on the v1 pages, 60,000 serialized characters on the v2 page.
 */
export function normalizeAttach(v: unknown, api: 'v1' | 'v2'): unknown {
  const obj = asObject(v);
  const blocks = asList(obj && obj['BLOCKS'] !== undefined ? obj['BLOCKS'] : v);
  if (!blocks || !blocks.every((b) => asObject(b) !== undefined)) throw new PortalError('ATTACH_ERROR', 'Incorrect attach params');
  const attach = obj && obj['BLOCKS'] !== undefined ? { ...obj, BLOCKS: blocks } : blocks;
  const json = JSON.stringify(attach);
  const over = api === 'v1' ? Buffer.byteLength(json) > KB30 : json.length > 60_000;
  if (over) throw new PortalError('ATTACH_OVERSIZE', 'You have exceeded the maximum allowable size of attach');
  return attach;
}

/** The keyboard's buttons without NEWLINE pseudo-buttons, with their index in that list. */
export function pressableButtons(keyboard: Record<string, unknown> | null): Array<Record<string, unknown>> {
  const buttons = asList(keyboard?.['BUTTONS']) ?? [];
  return buttons
    .map((b) => asObject(b))
    .filter((b): b is Record<string, unknown> => b !== undefined && String(b['TYPE'] ?? '').toUpperCase() !== 'NEWLINE');
}
