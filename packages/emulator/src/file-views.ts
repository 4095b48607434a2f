import type { MessageRec } from './chats.js';
import type { EmulatedFile } from './files.js';
import type { PortalState } from './portal-state.js';
import { isoDate } from './views.js';

/** A v2 File object (`v2/entities.md#file`); `short` is the upload answer's subset (`file-upload.md`). */
export function v2FileView(file: EmulatedFile, authorName: string, short = false): Record<string, unknown> {
  const base = { id: file.id, chatId: file.chatId, name: file.name, extension: file.extension, size: file.size };
  if (short) return base;
  return {
    ...base, date: isoDate(file.dateMs), type: file.type, image: file.type === 'image' ? { width: 800, height: 600 } : false,
    authorId: file.authorId, authorName, isTranscribable: false, isVideoNote: false, isVoiceNote: false,
  };
}

/**
 * The classic event's file and reply params of a message: `FILES[<id>]` objects, `PARAMS[FILE_ID]` ids and
 * `PARAMS[REPLY_ID]` (the platform's `Params` names). Not in the
 * docs; the shape third-party classic bots read (b24-api-facts §5.3, UNCONFIRMED). Empty for a message without files.
 */
export function v1FileParams(portal: PortalState, msg: MessageRec): Record<string, unknown> {
  const inner: Record<string, unknown> = {};
  if (msg.replyTo !== null) inner['REPLY_ID'] = msg.replyTo;
  if (msg.forwardOf) Object.assign(inner, { FORWARD_ID: msg.forwardOf.id, FORWARD_USER_ID: msg.forwardOf.authorId, FORWARD_CHAT_ID: msg.forwardOf.chatId });
  if (msg.fileIds.length === 0) return Object.keys(inner).length === 0 ? {} : { PARAMS: inner };
  const files: Record<string, unknown> = {};
  for (const id of msg.fileIds) {
    const f = portal.files.get(id);
    if (!f) continue;
    const author = portal.directory.get(f.authorId)?.name ?? '';
    files[String(id)] = {
      id: f.id, chatId: f.chatId, date: isoDate(f.dateMs), type: f.type, name: f.name, extension: f.extension, size: f.size,
      authorId: f.authorId, authorName: author,
    };
  }
  return { FILES: files, PARAMS: { ...inner, FILE_ID: [...msg.fileIds] } };
}
