/**
 * The context helpers beyond replying: files (upload then send, streamed download), reading a message,
 * read marks, removing a reaction and switching the input field. Writes go through the durable outbox
 * (with the context's idempotency keys); reads go straight through the rate-limited client. What the
 * classic API cannot do throws `CONTEXT_UNSUPPORTED`.
 */
import { BotkitError } from '../errors.js';
import { v2MessageExtras } from '../protocol/decode-extras.js';
import { dialogueKey, type BotEvent, type EventFile, type MessageExtras } from '../protocol/events.js';
import { normalizeMessage, type OutgoingMessage } from '../protocol/message.js';
import { isObject, type WireObject } from '../protocol/wire.js';
import { openDownload, prepareUpload, type FileDownload, type OutgoingFile } from '../rest/files.js';
import type { ContextDeps, ReplyHandle } from './context.js';

/** What a helper needs from its context. */
export interface HelperEnv {
  deps: ContextDeps;
  event: BotEvent;
}

/** What `replyWithFile` resolves with. */
export interface SentFile {
  /** The file's id on the portal's Disk (what `download` takes). */
  fileId: number;
  /** The message that carries it. */
  messageId: number | null;
}

/** Options of `ctx.download`. */
export interface DownloadOpts {
  /** Refuse a file larger than this (default 50 MB). Over it: `FILE_TOO_LARGE`, before or while streaming. */
  maxBytes?: number;
  signal?: AbortSignal;
}

/** Options of `ctx.replyWithFile`. */
export interface UploadOpts {
  /** Refuse a file larger than this before queueing it (default and ceiling: the platform's 100 MB). */
  maxBytes?: number;
}

/** A message read back with `ctx.getMessage`. */
export interface FetchedMessage extends MessageExtras {
  id: number;
  chatId: number;
  authorId: number;
  text: string;
  date: string | null;
}

/** The default download cap of `ctx.download`. */
export const DEFAULT_DOWNLOAD_MAX_BYTES = 50 * 1024 * 1024;

function unsupported(what: string, why: string): BotkitError {
  return new BotkitError('CONTEXT_UNSUPPORTED', `${what}: ${why}`);
}

function auth(env: HelperEnv): Record<string, unknown> {
  const { botId, botToken } = env.deps.identity;
  return botToken === null ? { botId } : { botId, botToken };
}

function isV2(env: HelperEnv): boolean {
  return env.deps.protocol.api === 'v2';
}

/** Queues one write in the outbox under the context's next idempotency key; resolves once durably queued. */
export function enqueue(env: HelperEnv, method: string, params: Record<string, unknown>): Promise<{ readonly delivered: Promise<unknown> }> {
  return env.deps.sink.enqueue({
    memberId: env.event.memberId,
    dialogueKey: dialogueKey(env.event),
    method,
    params,
    idempotencyKey: env.deps.nextKey(),
  });
}

function positiveInt(value: unknown): number | null {
  return Number.isSafeInteger(value) && (value as number) > 0 ? (value as number) : null;
}

function field(value: unknown, key: string): unknown {
  return isObject(value) ? value[key] : undefined;
}

/**
 * Uploads a file into the chat (`imbot.v2.File.upload`: stored on the chat's Disk, posted as a message with
 * an optional caption). The size is checked before anything is queued. Not idempotent on the platform (no
 * `templateId`), so a send whose answer was lost is dead-lettered rather than repeated.
 */
export async function replyWithFile(env: HelperEnv, file: OutgoingFile, caption?: string, opts: UploadOpts = {}): Promise<SentFile> {
  if (!isV2(env)) throw unsupported('replyWithFile()', 'the classic API has no bot file upload (im.disk.* act as the installing user); use a v2 bot, or Attach.file with a link');
  const prepared = prepareUpload(file, opts.maxBytes);
  const fields: Record<string, unknown> = { name: prepared.name, content: prepared.content };
  if (caption !== undefined && caption !== '') fields['message'] = caption;
  // The file id is the point of this helper: wait until the portal confirmed the upload.
  const result = await (await enqueue(env, 'imbot.v2.File.upload', { ...auth(env), dialogId: env.event.chat.dialogId, fields })).delivered;
  const fileId = positiveInt(field(field(result, 'file'), 'id'));
  if (fileId === null) throw new BotkitError('FILE_DOWNLOAD_FAILED', 'the portal did not answer the uploaded file id');
  return { fileId, messageId: positiveInt(field(result, 'messageId')) };
}

/** Where a file's bytes are: v2 `File.download`, classic `disk.file.get` (`DOWNLOAD_URL`, needs scope `disk`). */
async function downloadUrlOf(env: HelperEnv, fileId: number): Promise<string> {
  const call = env.deps.client.call.bind(env.deps.client);
  const result = isV2(env)
    ? await call('imbot.v2.File.download', { ...auth(env), fileId })
    : await call('disk.file.get', { id: fileId });
  const url = field(result, isV2(env) ? 'downloadUrl' : 'DOWNLOAD_URL');
  if (typeof url !== 'string' || url === '') throw new BotkitError('FILE_DOWNLOAD_FAILED', `the portal gave no download URL for file ${fileId}`);
  return url;
}

/**
 * Streams a file of a message: asks the portal for a single-use URL (through the limiter), then reads it
 * with a byte cap. Never buffers the file; `name` and `size` come from the response headers when the
 * event did not carry them.
 */
export async function download(env: HelperEnv, file: EventFile | number, opts: DownloadOpts = {}): Promise<FileDownload> {
  const fileId = typeof file === 'number' ? file : file.id;
  if (!Number.isSafeInteger(fileId) || fileId <= 0) throw new BotkitError('FILE_INVALID', `not a file id: ${String(fileId)}`);
  const maxBytes = opts.maxBytes ?? DEFAULT_DOWNLOAD_MAX_BYTES;
  if (typeof file !== 'number' && file.size !== null && file.size > maxBytes) {
    throw new BotkitError('FILE_TOO_LARGE', `the file ${file.name ?? file.id} is ${file.size} bytes, over the cap of ${maxBytes} bytes`);
  }
  const url = await downloadUrlOf(env, fileId);
  const dl = await openDownload(url, { maxBytes, portalHost: env.event.domain, ...(opts.signal ? { signal: opts.signal } : {}) });
  if (typeof file === 'number') return dl;
  return { ...dl, name: file.name ?? dl.name, size: file.size ?? dl.size };
}

/** A message with a file: `ctx.reply({ text, file })`. */
export type FileReply = OutgoingMessage & { file: OutgoingFile };

/** True for a reply that carries a file. */
export function hasFile(message: unknown): message is FileReply {
  return isObject(message) && message['file'] !== undefined;
}

/**
 * Upload, then send: a file with only a text goes as one upload with the text as its caption; with a
 * keyboard, attachment or other fields, the rest is checked first (so a bad keyboard fails before anything
 * is queued), the file is uploaded, and once the portal confirmed it the rest is sent as a second message.
 * Resolves (once the upload was confirmed and the rest is queued) with the handle of the last message.
 */
export async function replyWithAttachedFile(env: HelperEnv, message: FileReply, send: (rest: OutgoingMessage) => Promise<ReplyHandle>): Promise<ReplyHandle> {
  const { file, ...rest } = message;
  const onlyText = Object.keys(rest).every((k) => k === 'text');
  if (onlyText) return { delivered: Promise.resolve((await replyWithFile(env, file, rest.text)).messageId) };
  normalizeMessage(rest);
  await replyWithFile(env, file);
  return send(rest);
}

/** Completes a file's name, size and type from the download's headers when the event did not carry them. */
export async function fileInfo(env: HelperEnv, file: EventFile): Promise<EventFile> {
  if (file.name !== null && file.size !== null) return { ...file };
  const dl = await download(env, file.id, { maxBytes: Number.MAX_SAFE_INTEGER });
  dl.stream.destroy();
  return { id: file.id, name: file.name ?? dl.name, size: file.size ?? dl.size, type: file.type };
}

/** Reads a message by id (v2 `Chat.Message.get`; the platform allows it to supervisor and personal bots only). */
export async function getMessage(env: HelperEnv, messageId: number): Promise<FetchedMessage> {
  if (!isV2(env)) throw unsupported('getMessage()', 'the classic API cannot read messages as the bot');
  const result = await env.deps.client.call('imbot.v2.Chat.Message.get', { ...auth(env), messageId });
  const m: WireObject = isObject(field(result, 'message')) ? (field(result, 'message') as WireObject) : {};
  return fetchedOf(m, messageId);
}

/** A window of messages around one (`ctx.getContext`). */
export interface MessageWindow {
  /** Oldest first, the central message included. */
  messages: FetchedMessage[];
  hasPrevPage: boolean;
  hasNextPage: boolean;
}

function fetchedOf(m: WireObject, fallbackId: number): FetchedMessage {
  return {
    id: positiveInt(m['id']) ?? fallbackId,
    chatId: positiveInt(m['chatId']) ?? 0,
    authorId: typeof m['authorId'] === 'number' ? m['authorId'] : 0,
    text: typeof m['text'] === 'string' ? m['text'] : '',
    date: typeof m['date'] === 'string' ? m['date'] : null,
    ...v2MessageExtras(m),
  };
}

/**
 * Reads up to `range` (1-50, default 50) messages on each side of one (v2 `Chat.Message.getContext`,
 * `v2/imbot.v2/messages/chat-message-get-context.md`; supervisor and personal bots only). Page on by calling
 * again with the first or last id.
 */
export async function getContext(env: HelperEnv, messageId: number, range?: number): Promise<MessageWindow> {
  if (!isV2(env)) throw unsupported('getContext()', 'the classic API cannot read messages as the bot');
  const params: Record<string, unknown> = { ...auth(env), messageId };
  if (range !== undefined) params['range'] = range;
  const result = await env.deps.client.call('imbot.v2.Chat.Message.getContext', params);
  const list = field(result, 'messages');
  return {
    messages: (Array.isArray(list) ? list : []).filter(isObject).map((m) => fetchedOf(m, 0)),
    hasPrevPage: field(result, 'hasPrevPage') === true,
    hasNextPage: field(result, 'hasNextPage') === true,
  };
}

/** Marks this chat read up to `messageId` (default: all of it), v2 `Chat.Message.read`. */
export async function markRead(env: HelperEnv, messageId?: number): Promise<void> {
  if (!isV2(env)) throw unsupported('markRead()', 'the classic API has no read mark for bots');
  const params: Record<string, unknown> = { ...auth(env), dialogId: env.event.chat.dialogId };
  if (messageId !== undefined) params['messageId'] = messageId;
  await enqueue(env, 'imbot.v2.Chat.Message.read', params);
}

/** Removes the bot's reaction: v2 `Reaction.delete`; classic `imbot.message.like` with `ACTION=minus`. */
export async function unreact(env: HelperEnv, messageId: number, reaction: string): Promise<void> {
  if (isV2(env)) {
    await enqueue(env, 'imbot.v2.Chat.Message.Reaction.delete', { ...auth(env), messageId, reaction });
    return;
  }
  if (reaction !== 'like') throw unsupported('unreact()', 'the classic API only has the like reaction');
  const params: Record<string, unknown> = { BOT_ID: env.deps.identity.botId, MESSAGE_ID: messageId, ACTION: 'minus' };
  if (env.deps.identity.botToken !== null) params['CLIENT_ID'] = env.deps.identity.botToken;
  await enqueue(env, 'imbot.message.like', params);
}

/** Enables or disables the chat's input field (v2 `Chat.TextField.enabled`). */
export async function setInput(env: HelperEnv, enabled: boolean): Promise<void> {
  if (!isV2(env)) throw unsupported('setInput()', 'the classic API cannot switch the input field');
  await enqueue(env, 'imbot.v2.Chat.TextField.enabled', { ...auth(env), dialogId: env.event.chat.dialogId, enabled });
}
