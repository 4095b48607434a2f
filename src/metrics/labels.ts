/**
 * Bounded label values: a label's values must come from a known, small set, or one scraping target
 * grows without end (a method name typed by a bot author, a portal's free-form error code).
 */
import { BotkitError } from '../errors.js';
import { B24ApiError } from '../rest/errors.js';

/** The REST methods the framework and its bots call, spelled as the docs spell them. Others are `other`. */
export const KNOWN_METHODS: readonly string[] = [
  'batch', 'app.info', 'profile', 'server.time', 'user.admin', 'user.current', 'user.get', 'disk.file.get',
  'imbot.register', 'imbot.unregister', 'imbot.update', 'imbot.bot.list',
  'imbot.message.add', 'imbot.message.update', 'imbot.message.delete', 'imbot.message.like',
  'imbot.chat.add', 'imbot.chat.leave', 'imbot.chat.sendTyping', 'imbot.chat.setManager', 'imbot.chat.setOwner',
  'imbot.chat.updateAvatar', 'imbot.chat.updateColor', 'imbot.chat.updateTitle',
  'imbot.chat.user.add', 'imbot.chat.user.delete', 'imbot.chat.user.list', 'imbot.dialog.get',
  'imbot.command.register', 'imbot.command.unregister', 'imbot.command.update', 'imbot.command.answer',
  'imbot.v2.Bot.register', 'imbot.v2.Bot.update', 'imbot.v2.Bot.unregister', 'imbot.v2.Bot.get', 'imbot.v2.Bot.list',
  'imbot.v2.Chat.Message.send', 'imbot.v2.Chat.Message.update', 'imbot.v2.Chat.Message.delete', 'imbot.v2.Chat.Message.get',
  'imbot.v2.Chat.Message.getContext', 'imbot.v2.Chat.Message.read',
  'imbot.v2.Chat.Message.Reaction.add', 'imbot.v2.Chat.Message.Reaction.delete',
  'imbot.v2.Chat.InputAction.notify', 'imbot.v2.Chat.TextField.enabled',
  'imbot.v2.Chat.add', 'imbot.v2.Chat.get', 'imbot.v2.Chat.update', 'imbot.v2.Chat.leave', 'imbot.v2.Chat.setOwner',
  'imbot.v2.Chat.Manager.add', 'imbot.v2.Chat.Manager.delete', 'imbot.v2.Chat.User.add', 'imbot.v2.Chat.User.delete', 'imbot.v2.Chat.User.list',
  'imbot.v2.Command.register', 'imbot.v2.Command.update', 'imbot.v2.Command.unregister', 'imbot.v2.Command.list', 'imbot.v2.Command.answer',
  'imbot.v2.Event.get', 'imbot.v2.File.upload', 'imbot.v2.File.download', 'imbot.v2.Revision.get',
];

const EXACT = new Set(KNOWN_METHODS);
const BY_LOWER = new Map(KNOWN_METHODS.map((m) => [m.toLowerCase(), m]));

/** The label of a REST method: its documented spelling when known (method names are case-insensitive), else `other`. */
export function methodLabel(method: string): string {
  // The framework spells methods as documented: an exact hit saves lower-casing on every call.
  return EXACT.has(method) ? method : BY_LOWER.get(method.toLowerCase()) ?? 'other';
}

const CODE_SHAPE = /^[A-Za-z0-9_]{1,64}$/;

/**
 * Admits the codes a portal answers with (`QUERY_LIMIT_EXCEEDED`, `BOT_NOT_FOUND`, `expired_token`...) as label
 * values up to `max` distinct ones; later new codes, and anything not shaped like a code, become `other`.
 */
export class CodeGuard {
  readonly #seen = new Set<string>();
  readonly #max: number;

  constructor(max = 64) {
    this.#max = max;
  }

  /** `code` itself when admitted, else `other`. */
  label(code: string): string {
    if (this.#seen.has(code)) return code;
    if (this.#seen.size >= this.#max || !CODE_SHAPE.test(code)) return 'other';
    this.#seen.add(code);
    return code;
  }
}

/**
 * The outcome label of a failed REST call: the portal's error code for an API error (`QUERY_LIMIT_EXCEEDED`,
 * `expired_token`, ...), the framework's code otherwise (`B24_TIMEOUT`, `B24_TRANSPORT`, ...). Never a message.
 */
export function errorLabel(e: unknown, guard: CodeGuard): string {
  if (e instanceof B24ApiError) return guard.label(e.apiCode);
  if (e instanceof BotkitError) return e.code;
  if (e instanceof Error && e.name === 'AbortError') return 'aborted';
  return 'error';
}
