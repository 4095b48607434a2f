/**
 * What a message carries besides its text, for both API generations: attached files, the message it
 * replies to, where it was forwarded from, and the system flag. Lenient by design: the platform never
 * re-sends an event, so an extra field of an unexpected shape is dropped, never a reason to refuse the event.
 *
 * Sources (see the README's "Files" section):
 * - v2: `v2/entities.md#message` (`isSystem`, `forward {id,userId,chatId,date}`, `params` "attach, keyboard,
 *   files…"). The keys inside `params` are the platform's internal upper-case names; its `im` module source
 *   (`Bitrix\Im\V2\Message\Params`) types `FILE_ID` as an int array and `REPLY_ID` as an int, and the v2 event
 *   payload (`Bitrix\Im\V2\Event\EventPayload::loadMessageRest`) is the same `Message::toRestFormat` output, so a
 *   v2 event names files by id only: name, size and type come with the download.
 * - classic: `outdated/messages/events/on-imbot-message-add.md` (`PARAMS[SYSTEM]` = `Y`/`N`); files as
 *   `PARAMS[FILES][<id>][...]` and `PARAMS[PARAMS][FILE_ID][]` are what third-party bots read (not in the docs).
 */
import type { EventFile, EventForward, MessageExtras } from './events.js';
import { isObject, toBool, type WireObject } from './wire.js';

const FILE_TYPES: ReadonlySet<string> = new Set(['file', 'image', 'video', 'audio']);

/** A positive integer from a number or a numeric string, else null. */
function idOf(value: unknown): number | null {
  const n = typeof value === 'string' && /^\s*\d{1,15}\s*$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n > 0 ? n : null;
}

/** A non-negative integer (a size), else null. */
function sizeOf(value: unknown): number | null {
  const n = typeof value === 'string' && /^\s*\d{1,15}\s*$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : null;
}

function strOf(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** The values of a JSON array or of a PHP list that the form parser made an object (`{"0": …}`). */
function listOf(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (isObject(value)) return Object.values(value);
  return value === undefined || value === null || value === '' ? [] : [value];
}

/** The param `key` of a `params` object, by its upper-case name or (tolerated) the camelCase one. */
function param(params: WireObject, upper: string, camel: string): unknown {
  return params[upper] ?? params[camel];
}

function fileFromObject(o: WireObject): EventFile | null {
  const id = idOf(o['id'] ?? o['ID']);
  if (id === null) return null;
  const type = strOf(o['type'] ?? o['TYPE']);
  return {
    id,
    name: strOf(o['name'] ?? o['NAME']),
    size: sizeOf(o['size'] ?? o['SIZE']),
    type: type !== null && FILE_TYPES.has(type) ? (type as EventFile['type']) : null,
  };
}

/** Files by id (`FILE_ID`), enriched by full objects where the payload has them (`FILES`), in id order of appearance. */
function filesOf(ids: unknown, objects: unknown): EventFile[] {
  const byId = new Map<number, EventFile>();
  for (const raw of listOf(ids)) {
    const id = idOf(raw);
    if (id !== null && !byId.has(id)) byId.set(id, { id, name: null, size: null, type: null });
  }
  for (const raw of listOf(objects)) {
    const file = isObject(raw) ? fileFromObject(raw) : null;
    if (file !== null) byId.set(file.id, file);
  }
  return [...byId.values()];
}

function forwardOf(value: unknown): EventForward | null {
  if (!isObject(value)) return null;
  const messageId = idOf(value['id']);
  if (messageId === null) return null;
  return {
    messageId,
    userId: idOf(value['userId']) ?? 0,
    chatId: idOf(value['chatId']) ?? 0,
    date: strOf(value['date']),
  };
}

/** The extras of a v2 `Message` object (`data.message`, or a `Chat.Message.get` result). */
export function v2MessageExtras(message: WireObject): MessageExtras {
  const params = isObject(message['params']) ? message['params'] : {};
  return {
    files: filesOf(param(params, 'FILE_ID', 'fileId'), message['files']),
    replyToId: idOf(param(params, 'REPLY_ID', 'replyId')),
    forward: forwardOf(message['forward']),
    isSystem: toBool(message['isSystem']) || message['authorId'] === 0 || message['authorId'] === '0',
  };
}

/** The extras of a classic event's `data[PARAMS]`. */
export function v1MessageExtras(params: WireObject): MessageExtras {
  const inner = isObject(params['PARAMS']) ? params['PARAMS'] : {};
  const forwardId = idOf(inner['FORWARD_ID']);
  return {
    files: filesOf(inner['FILE_ID'], params['FILES']),
    replyToId: idOf(inner['REPLY_ID']),
    forward: forwardId === null ? null : {
      messageId: forwardId,
      userId: idOf(inner['FORWARD_USER_ID']) ?? 0,
      chatId: idOf(inner['FORWARD_CHAT_ID']) ?? 0,
      date: null,
    },
    isSystem: toBool(params['SYSTEM']),
  };
}
