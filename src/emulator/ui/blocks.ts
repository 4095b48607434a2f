import { asList, asObject, asString } from '../params.js';
import { esc, renderBbCode, safeColor, safeUrl } from './bbcode.js';

// Attachments, keyboards and context menus as the messenger draws them. Fields follow the docs:
// attachments .../imbot.v2/messages/attachments/index.md and block-collections/*.md (MESSAGE, LINK, IMAGE,
// FILE, DELIMITER, GRID, USER), keyboards .../imbot.v2/messages/message-keyboards.md (TEXT, TYPE=NEWLINE,
// LINK, ACTION+ACTION_VALUE, COMMAND+COMMAND_PARAMS, BLOCK, DISABLED, CONTEXT, DISPLAY, WIDTH, BG_COLOR,
// BG_COLOR_TOKEN, TEXT_COLOR), classic menus (ITEMS with the same action fields).

type Obj = Record<string, unknown>;

const TOKENS = new Set(['primary', 'secondary', 'alert', 'base']);

function str(o: Obj, key: string): string {
  const v = o[key];
  return typeof v === 'string' || typeof v === 'number' ? String(v) : '';
}

function url(o: Obj, key: string): string | null {
  return safeUrl(esc(str(o, key)));
}

function items(v: unknown): Obj[] {
  const list = asList(v) ?? (asObject(v) ? [v] : []);
  return list.map((x) => asObject(x)).filter((x): x is Obj => x !== undefined);
}

function num(v: unknown, min: number, max: number): number | null {
  const n = Number(v);
  return Number.isFinite(n) && v !== '' && v !== null ? Math.min(max, Math.max(min, n)) : null;
}

function linkOr(href: string | null, inner: string, cls = ''): string {
  return href ? `<a class="${cls}" href="${href}" target="_blank" rel="noopener noreferrer">${inner}</a>` : inner;
}

function linkBlock(o: Obj): string {
  const href = url(o, 'LINK');
  const name = esc(str(o, 'NAME') || str(o, 'LINK'));
  const preview = url(o, 'PREVIEW');
  return `<div class="at-link">${linkOr(href, `<b>${name}</b>`)}${str(o, 'DESC') ? `<div class="at-desc">${renderBbCode(str(o, 'DESC'))}</div>` : ''}`
    + `${preview ? `<img class="at-preview" src="${preview}" alt="">` : ''}</div>`;
}

function imageBlock(o: Obj): string {
  const href = url(o, 'LINK');
  const src = url(o, 'PREVIEW') ?? href;
  const w = num(o['WIDTH'], 16, 600);
  return src ? linkOr(href, `<img class="at-image" src="${src}" alt="${esc(str(o, 'NAME'))}"${w ? ` style="max-width:${w}px"` : ''}>`) : '';
}

/** `12 KB`, `1.5 MB`. */
export function sizeText(bytes: unknown): string {
  const n = Number(bytes);
  if (!Number.isFinite(n) || n <= 0) return '';
  const units = ['B', 'KB', 'MB', 'GB'];
  const i = Math.min(units.length - 1, Math.floor(Math.log(n) / Math.log(1024)));
  return `${(n / 1024 ** i).toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

function fileBlock(o: Obj): string {
  const name = esc(str(o, 'NAME') || 'file');
  return `<div class="at-file"><span class="at-file-icon" aria-hidden="true"></span>${linkOr(url(o, 'LINK'), name)} <span class="at-size">${sizeText(o['SIZE'])}</span></div>`;
}

function delimiter(v: unknown): string {
  const o = asObject(v) ?? {};
  const size = num(o['SIZE'], 1, 1000) ?? 200;
  const color = safeColor(str(o, 'COLOR')) ?? '#c6c6c6';
  return `<hr class="at-delimiter" style="width:${size}px;border-color:${color}">`;
}

function gridItem(o: Obj): string {
  const display = str(o, 'DISPLAY').toUpperCase() || 'BLOCK';
  const color = safeColor(str(o, 'COLOR'));
  const token = TOKENS.has(str(o, 'COLOR_TOKEN')) ? ` at-token-${str(o, 'COLOR_TOKEN')}` : '';
  const width = num(o['WIDTH'], 10, 800);
  const value = linkOr(url(o, 'LINK'), renderBbCode(str(o, 'VALUE')));
  const style = [width && display !== 'BLOCK' ? `width:${width}px` : '', color ? `color:${color}` : ''].filter(Boolean).join(';');
  return `<div class="at-grid-item at-grid-${display.toLowerCase()}${token}"${style ? ` style="${style}"` : ''}>`
    + `<div class="at-grid-name">${esc(str(o, 'NAME'))}</div><div class="at-grid-value">${value}</div></div>`;
}

function userBlock(o: Obj): string {
  const avatar = url(o, 'AVATAR');
  const name = esc(str(o, 'NAME'));
  const pic = avatar ? `<img class="at-avatar" src="${avatar}" alt="">` : `<span class="at-avatar at-avatar-empty">${esc(str(o, 'NAME').slice(0, 1).toUpperCase())}</span>`;
  return `<div class="at-user">${pic}${linkOr(url(o, 'LINK'), name)}</div>`;
}

function block(b: Obj): string {
  const parts: string[] = [];
  if (b['MESSAGE'] !== undefined) parts.push(`<div class="at-message">${renderBbCode(str(b, 'MESSAGE'))}</div>`);
  if (b['LINK'] !== undefined) parts.push(...items(b['LINK']).map(linkBlock));
  if (b['IMAGE'] !== undefined) parts.push(`<div class="at-images">${items(b['IMAGE']).map(imageBlock).join('')}</div>`);
  if (b['FILE'] !== undefined) parts.push(...items(b['FILE']).map(fileBlock));
  if (b['DELIMITER'] !== undefined) parts.push(delimiter(b['DELIMITER']));
  if (b['GRID'] !== undefined) parts.push(`<div class="at-grid">${items(b['GRID']).map(gridItem).join('')}</div>`);
  if (b['USER'] !== undefined) parts.push(...items(b['USER']).map(userBlock));
  return parts.join('');
}

/** An attachment (full `{ID, COLOR_TOKEN, COLOR, BLOCKS}` or a bare block list) as HTML. */
export function renderAttach(attach: unknown): string {
  const obj = asObject(attach);
  const blocks = items(obj && obj['BLOCKS'] !== undefined ? obj['BLOCKS'] : attach);
  const color = obj ? safeColor(str(obj, 'COLOR')) : null;
  const token = obj && TOKENS.has(str(obj, 'COLOR_TOKEN')) ? str(obj, 'COLOR_TOKEN') : 'base';
  return `<div class="attach at-token-${token}"${color ? ` style="border-left-color:${color}"` : ''}>${blocks.map(block).join('')}</div>`;
}

/** The attributes that make a button or menu item act: a link, a client action, or a bot command. */
function action(o: Obj, pressAttr: string): { tag: 'a' | 'button'; attrs: string } {
  const link = url(o, 'LINK');
  if (link) return { tag: 'a', attrs: `href="${link}" target="_blank" rel="noopener noreferrer"` };
  const act = str(o, 'ACTION').toUpperCase();
  if (['PUT', 'SEND', 'COPY', 'CALL', 'DIALOG'].includes(act)) {
    return { tag: 'button', attrs: `data-action="${act.toLowerCase()}" data-value="${esc(str(o, 'ACTION_VALUE'))}"` };
  }
  return { tag: 'button', attrs: str(o, 'COMMAND') ? pressAttr : 'data-inert="1"' };
}

function buttonStyle(b: Obj, off: boolean): string {
  const bg = safeColor(str(b, off ? 'OFF_BG_COLOR' : 'BG_COLOR'));
  const fg = safeColor(str(b, off ? 'OFF_TEXT_COLOR' : 'TEXT_COLOR'));
  const width = num(b['WIDTH'], 20, 600);
  return [bg ? `background:${bg}` : '', fg ? `color:${fg}` : '', width ? `width:${width}px` : ''].filter(Boolean).join(';');
}

/**
 * A keyboard as rows of buttons (`TYPE: NEWLINE` breaks a row; `DISPLAY: LINE` buttons share a row,
 * `BLOCK` ones stretch). A COMMAND button carries `data-press="<messageId>:<index>"`, the index among
 * non-NEWLINE buttons, which the page posts back to press it. Mobile-only buttons are not shown.
 */
export function renderKeyboard(keyboard: unknown, messageId: number, blocked: ReadonlySet<number>): string {
  const kb = asObject(keyboard);
  const buttons = items(kb && kb['BUTTONS'] !== undefined ? kb['BUTTONS'] : keyboard);
  const rows: string[][] = [[]];
  let index = 0;
  for (const b of buttons) {
    if (str(b, 'TYPE').toUpperCase() === 'NEWLINE') {
      rows.push([]);
      continue;
    }
    const i = index++;
    if (str(b, 'CONTEXT').toUpperCase() === 'MOBILE') continue;
    const off = str(b, 'DISABLED') === 'Y' || blocked.has(i);
    const token = TOKENS.has(str(b, 'BG_COLOR_TOKEN')) ? str(b, 'BG_COLOR_TOKEN') : 'base';
    const { tag, attrs } = action(b, `data-press="${messageId}:${i}"`);
    const style = buttonStyle(b, off);
    const display = str(b, 'DISPLAY').toUpperCase() === 'LINE' ? 'line' : 'block';
    (rows.at(-1) as string[]).push(`<${tag} class="kb-btn kb-${token} kb-${display}" ${attrs}${off ? ' disabled aria-disabled="true"' : ''}`
      + `${style ? ` style="${style}"` : ''}>${esc(str(b, 'TEXT'))}</${tag}>`);
  }
  return `<div class="keyboard">${rows.filter((r) => r.length > 0).map((r) => `<div class="kb-row">${r.join('')}</div>`).join('')}</div>`;
}

/** A classic context menu (`ITEMS`) as a list; COMMAND items carry `data-menu="<messageId>:<index>"`. */
export function renderMenu(menu: unknown, messageId: number): string {
  const m = asObject(menu);
  const list = items(m && m['ITEMS'] !== undefined ? m['ITEMS'] : menu);
  const entries = list.map((item, i) => {
    if (str(item, 'CONTEXT').toUpperCase() === 'MOBILE') return '';
    const { tag, attrs } = action(item, `data-menu="${messageId}:${i}"`);
    const off = str(item, 'DISABLED') === 'Y';
    return `<li><${tag} class="menu-item" ${attrs}${off ? ' disabled' : ''}>${esc(str(item, 'TEXT'))}</${tag}></li>`;
  });
  return `<details class="msg-menu"><summary title="Message menu">⋯</summary><ul>${entries.join('')}</ul></details>`;
}

/** Reads a string field for the renderers' callers. */
export function field(o: unknown, key: string): string {
  return asString(asObject(o)?.[key]) ?? '';
}
