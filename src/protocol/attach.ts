import { checkFields, COLOR_TOKENS, failer, rules, type ColorToken, type FieldRule } from './limits.js';

/** A `LINK` block: a titled link with an optional description and preview image. */
export interface AttachLinkJSON {
  PREVIEW?: string;
  WIDTH?: number;
  HEIGHT?: number;
  NAME?: string;
  DESC?: string;
  /** HTML description; replaces DESC. */
  HTML?: string;
  LINK: string;
  USER_ID?: number;
  CHAT_ID?: number;
  NETWORK_ID?: string;
}
/** One picture of an `IMAGE` block. */
export interface AttachImageJSON {
  NAME?: string;
  LINK: string;
  PREVIEW?: string;
  WIDTH?: number;
  HEIGHT?: number;
}
/** One file of a `FILE` block; SIZE in bytes. */
export interface AttachFileJSON {
  NAME?: string;
  LINK: string;
  SIZE?: number;
}
/** A `DELIMITER` block: SIZE is the width in pixels (platform default 200). */
export interface AttachDelimiterJSON {
  SIZE?: number;
  COLOR?: string;
}
/** How a `GRID` lays out its items; one GRID must not mix them. */
export type GridDisplay = 'BLOCK' | 'LINE' | 'ROW' | 'TABLE';
/** One name/value item of a `GRID` block (VALUE takes BB codes). */
export interface AttachGridItemJSON {
  NAME?: string;
  VALUE?: string;
  COLOR_TOKEN?: ColorToken;
  COLOR?: string;
  DISPLAY: GridDisplay;
  WIDTH?: number;
  HEIGHT?: number;
  LINK?: string;
  USER_ID?: number;
  CHAT_ID?: number;
}
/** A `USER` block: a person (or chat, or bot) card. */
export interface AttachUserJSON {
  NAME: string;
  AVATAR?: string;
  AVATAR_TYPE?: 'USER' | 'CHAT' | 'BOT';
  LINK?: string;
  USER_ID?: number;
  CHAT_ID?: number;
  BOT_ID?: number;
  NETWORK_ID?: string;
}
/** One attachment block: an object with exactly one key. */
export type AttachBlockJSON =
  | { MESSAGE: string }
  | { LINK: AttachLinkJSON }
  | { IMAGE: AttachImageJSON[] }
  | { FILE: AttachFileJSON[] }
  | { DELIMITER: AttachDelimiterJSON | true }
  | { GRID: AttachGridItemJSON[] }
  | { USER: AttachUserJSON };
/** An attachment as the platform expects it (`ATTACH` in v1, `fields.attach` in v2). */
export interface AttachJSON {
  ID?: number;
  COLOR_TOKEN?: ColorToken;
  COLOR?: string;
  BLOCKS: AttachBlockJSON[];
}
/** An attachment in any accepted form: a builder, the full `{BLOCKS}` form, or a bare array of blocks. */
export type AttachInput = Attach | AttachJSON | readonly AttachBlockJSON[];

/** Builder input of a `LINK` block. */
export interface LinkBlock {
  link: string;
  name?: string;
  desc?: string;
  html?: string;
  preview?: string;
  width?: number;
  height?: number;
  userId?: number;
  chatId?: number;
  networkId?: string;
}
/** Builder input of one picture. */
export interface ImageItem {
  link: string;
  name?: string;
  preview?: string;
  width?: number;
  height?: number;
}
/** Builder input of one file; size in bytes. */
export interface FileItem {
  link: string;
  name?: string;
  size?: number;
}
/** Builder input of one grid item; `display` falls back to the grid's (default `ROW`). */
export interface GridItem {
  name?: string;
  value?: string;
  display?: GridDisplay;
  width?: number;
  height?: number;
  color?: string;
  colorToken?: ColorToken;
  link?: string;
  userId?: number;
  chatId?: number;
}
/** Builder input of a `USER` block. */
export interface UserBlock {
  name: string;
  avatar?: string;
  avatarType?: 'USER' | 'CHAT' | 'BOT';
  link?: string;
  userId?: number;
  chatId?: number;
  botId?: number;
  networkId?: string;
}
/** Options of a whole attachment. */
export interface AttachOptions {
  id?: number;
  color?: string;
  colorToken?: ColorToken;
}

type Rules = Readonly<Record<string, FieldRule>>;
const LINK_RULES: Rules = {
  PREVIEW: rules.link, WIDTH: rules.id, HEIGHT: rules.id, NAME: rules.string, DESC: rules.string, HTML: rules.string,
  LINK: rules.link, USER_ID: rules.id, CHAT_ID: rules.id, NETWORK_ID: rules.text,
};
const IMAGE_RULES: Rules = { NAME: rules.string, LINK: rules.link, PREVIEW: rules.link, WIDTH: rules.id, HEIGHT: rules.id };
const FILE_RULES: Rules = { NAME: rules.string, LINK: rules.link, SIZE: rules.size };
const DELIMITER_RULES: Rules = { SIZE: rules.id, COLOR: rules.color };
const GRID_RULES: Rules = {
  NAME: rules.string, VALUE: rules.string, COLOR_TOKEN: rules.oneOf(...COLOR_TOKENS), COLOR: rules.color,
  DISPLAY: rules.oneOf('BLOCK', 'LINE', 'ROW', 'TABLE'), WIDTH: rules.id, HEIGHT: rules.id, LINK: rules.link,
  USER_ID: rules.id, CHAT_ID: rules.id,
};
const USER_RULES: Rules = {
  NAME: rules.text, AVATAR: rules.link, AVATAR_TYPE: rules.oneOf('USER', 'CHAT', 'BOT'), LINK: rules.link,
  USER_ID: rules.id, CHAT_ID: rules.id, BOT_ID: rules.id, NETWORK_ID: rules.text,
};
const META_RULES: Rules = { ID: rules.id, COLOR_TOKEN: rules.oneOf(...COLOR_TOKENS), COLOR: rules.color };
const FULL_RULES: Rules = { ...META_RULES, BLOCKS: (v) => (Array.isArray(v) ? null : 'an array of blocks') };

const fail = (where: string) => failer('ATTACH_INVALID', where);

function items(value: unknown, table: Rules, required: readonly string[], where: string): unknown[] {
  if (!Array.isArray(value) || value.length === 0) fail(where)('must be a non-empty array');
  return (value as unknown[]).map((it, i) => ({ ...checkFields(it, table, required, fail(`${where} item ${i + 1}`)) }));
}

function checkGrid(value: unknown, where: string): unknown[] {
  const list = items(value, GRID_RULES, ['DISPLAY'], where) as AttachGridItemJSON[];
  list.forEach((it, i) => {
    if (it.NAME === undefined && it.VALUE === undefined) fail(`${where} item ${i + 1}`)('needs NAME or VALUE');
  });
  const displays = new Set(list.map((it) => it.DISPLAY));
  if (displays.size > 1) fail(where)(`must not mix displays (${[...displays].join(', ')}); use one GRID block per display`);
  return list;
}

const BLOCK_CHECKS: Readonly<Record<string, (value: unknown, where: string) => unknown>> = {
  MESSAGE: (v, where) => (rules.text(v) === null ? v : fail(where)('MESSAGE must be a non-empty string')),
  LINK: (v, where) => ({ ...checkFields(v, LINK_RULES, ['LINK'], fail(where)) }),
  IMAGE: (v, where) => items(v, IMAGE_RULES, ['LINK'], where),
  FILE: (v, where) => items(v, FILE_RULES, ['LINK'], where),
  DELIMITER: (v, where) => (v === true ? v : { ...checkFields(v, DELIMITER_RULES, [], fail(where)) }),
  GRID: (v, where) => checkGrid(v, where),
  USER: (v, where) => ({ ...checkFields(v, USER_RULES, ['NAME'], fail(where)) }),
};

/** Validates one plain block and returns a copy. */
function checkBlock(block: unknown, where: string): AttachBlockJSON {
  const bad: (message: string) => never = fail(where);
  const keys = block !== null && typeof block === 'object' && !Array.isArray(block) ? Object.keys(block) : [];
  const key = keys[0];
  if (keys.length !== 1 || key === undefined) bad(`must be an object with exactly one key of ${Object.keys(BLOCK_CHECKS).join(', ')}`);
  const check = BLOCK_CHECKS[key];
  if (check === undefined) bad(`unknown block ${key} (allowed: ${Object.keys(BLOCK_CHECKS).join(', ')})`);
  return { [key]: check((block as Record<string, unknown>)[key], `${where} (${key})`) } as AttachBlockJSON;
}

const camel = (name: string): string => name.toLowerCase().replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** Copies builder options (`userId`) to their platform names (`USER_ID`) in the table's order. */
function upper(src: object, table: Rules): Record<string, unknown> {
  const values = src as Record<string, unknown>;
  const names = new Map(Object.keys(table).map((name) => [camel(name), name]));
  for (const key of Object.keys(values)) if (!names.has(key)) fail('attach')(`unknown option ${key} (allowed: ${[...names.keys()].join(', ')})`);
  const out: Record<string, unknown> = {};
  for (const [key, name] of names) if (values[key] !== undefined) out[name] = values[key];
  return out;
}

type Meta = Omit<AttachJSON, 'BLOCKS'>;

function toList<T>(value: T | readonly T[]): readonly T[] {
  return Array.isArray(value) ? (value as readonly T[]) : [value as T];
}

/**
 * An immutable builder of a message attachment (`ATTACH`): rich blocks under the text. Each method
 * returns a new attachment and validates its block (`ATTACH_INVALID`). Block texts take BB codes.
 *
 * @example
 * const card = new Attach({ colorToken: 'primary' })
 *   .message(b('Ticket #142'))
 *   .delimiter()
 *   .grid([{ name: 'Status', value: 'Open' }, { name: 'Owner', value: user(7, 'Ann') }])
 *   .link({ name: 'Open ticket', link: 'https://help.example.com/142' });
 * await ctx.reply({ text: 'New ticket', attach: card });
 */
export class Attach {
  #blocks: readonly AttachBlockJSON[] = [];
  #meta: Meta;

  constructor(options: AttachOptions = {}) {
    this.#meta = Attach.#checkMeta(upper(options, META_RULES));
  }

  /** Validates an attachment written as plain JSON (the full form or a bare array of blocks). */
  static fromJSON(json: AttachJSON | readonly AttachBlockJSON[]): Attach {
    const full = (Array.isArray(json) ? { BLOCKS: json } : json) as unknown;
    const { BLOCKS, ...meta } = checkFields(full, FULL_RULES, ['BLOCKS'], fail('attach'));
    const attach = new Attach();
    attach.#meta = meta as Meta;
    attach.#blocks = (BLOCKS as unknown[]).map((block, i) => checkBlock(block, `block ${i + 1}`));
    return attach;
  }

  static #checkMeta(meta: Record<string, unknown>): Meta {
    return { ...checkFields(meta, META_RULES, [], fail('attach')) } as Meta;
  }

  /** Sets the attachment's side-bar colour (`COLOR`, `#rgb`/`#rrggbb`). */
  color(hex: string): Attach {
    return this.#derive(Attach.#checkMeta({ ...this.#meta, COLOR: hex }), this.#blocks);
  }

  /** Sets the attachment's colour scheme (`COLOR_TOKEN`). */
  colorToken(token: ColorToken): Attach {
    return this.#derive(Attach.#checkMeta({ ...this.#meta, COLOR_TOKEN: token }), this.#blocks);
  }

  /** Adds a text block (BB codes allowed). */
  message(text: string): Attach {
    return this.#add({ MESSAGE: text });
  }

  /** Adds a link card. */
  link(block: LinkBlock): Attach {
    return this.#add({ LINK: upper(block, LINK_RULES) });
  }

  /** Adds one `IMAGE` block with one or several pictures. */
  image(images: ImageItem | readonly ImageItem[]): Attach {
    return this.#add({ IMAGE: toList(images).map((it) => upper(it, IMAGE_RULES)) });
  }

  /** Adds one `FILE` block with one or several files. */
  file(files: FileItem | readonly FileItem[]): Attach {
    return this.#add({ FILE: toList(files).map((it) => upper(it, FILE_RULES)) });
  }

  /** Adds a separator line; SIZE is always sent (default 200) so the block is never empty. */
  delimiter({ size = 200, color }: { size?: number; color?: string } = {}): Attach {
    return this.#add({ DELIMITER: upper({ size, color }, DELIMITER_RULES) });
  }

  /** Adds a name/value grid; items without `display` take `options.display` (default `ROW`). */
  grid(gridItems: readonly GridItem[], { display = 'ROW' }: { display?: GridDisplay } = {}): Attach {
    return this.#add({ GRID: gridItems.map((it) => upper({ ...it, display: it.display ?? display }, GRID_RULES)) });
  }

  /** Adds a person card. */
  user(block: UserBlock): Attach {
    return this.#add({ USER: upper(block, USER_RULES) });
  }

  /** Number of blocks. */
  get size(): number {
    return this.#blocks.length;
  }

  /** The platform structure `{ ID?, COLOR_TOKEN?, COLOR?, BLOCKS }`. */
  toJSON(): AttachJSON {
    return { ...this.#meta, BLOCKS: this.#blocks.map((block) => structuredClone(block)) };
  }

  #add(block: Record<string, unknown>): Attach {
    const checked = checkBlock(block, `block ${this.#blocks.length + 1}`);
    return this.#derive(this.#meta, [...this.#blocks, checked]);
  }

  #derive(meta: Meta, blocks: readonly AttachBlockJSON[]): Attach {
    const next = new Attach();
    next.#meta = meta;
    next.#blocks = blocks;
    return next;
  }
}
