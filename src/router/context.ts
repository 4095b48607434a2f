import { BotkitError } from '../errors.js';
import { dialogueKey, type BotApi, type BotEvent, type EventChat, type EventFile, type EventUser } from '../protocol/events.js';
import { normalizeMessage, type OutgoingMessage } from '../protocol/message.js';
import type { BotIdentity, BotProtocol, RestCall, WireMessage } from '../protocol/outbound.js';
import type { FileDownload, OutgoingFile } from '../rest/files.js';
import type { BotMethod, BotMethods } from '../rest/methods.js';
import { botClient, type BotClient } from './chat-client.js';
import * as more from './context-files.js';
import type { DialogueControl } from './dialogue-control.js';
import type { Translator } from './i18n.js';
import type { Session } from './session.js';

/** Where replies go: the durable outbox in production (same signature as `Outbox.enqueue`). */
export interface ReplySink {
  /** Resolves once the call is durably queued; `delivered` settles with the portal's result. */
  enqueue(item: { memberId: string; dialogueKey: string; method: string; params: Record<string, unknown>; idempotencyKey: string }): Promise<{ readonly delivered: Promise<unknown> }>;
}

/** A reply that is durably queued (see {@link Context.reply}). */
export interface ReplyHandle {
  /**
   * The id of the posted message once the portal confirmed it (null when the answer carried none);
   * rejects with the coded error if the reply was dead-lettered. Awaiting it is optional.
   */
  readonly delivered: Promise<number | null>;
}

/** The params of a REST method: typed for the methods in {@link BotMethods}, a plain record for the rest. */
export type MethodArgs<M extends string> = M extends BotMethod ? [params: BotMethods[M]['params']] : [params?: Record<string, unknown>];

/** The result of a REST method: typed for the methods in {@link BotMethods}, `unknown` for the rest. */
export type MethodResult<M extends string> = M extends BotMethod ? BotMethods[M]['result'] : unknown;

/** A REST client bound to the event's portal. */
export interface PortalClient {
  /**
   * Calls any REST method on this portal (rate-limited, authenticated). The methods the framework knows
   * ({@link BotMethods}) have typed params and results; any other method takes a record and resolves
   * with `unknown`, to be checked before use.
   *
   * @example
   * const { id } = await ctx.client.call('imbot.v2.Chat.Message.send', { botId: ctx.bot.id, dialogId: ctx.dialogId, fields: { message: 'Hi' } });
   * const me: unknown = await ctx.client.call('user.current');
   */
  call<M extends BotMethod | (string & {})>(method: M, ...params: MethodArgs<M>): Promise<MethodResult<M>>;
}

/** What a context needs from the runtime. Built once per event by the runtime. */
export interface ContextDeps {
  protocol: BotProtocol;
  identity: BotIdentity;
  sink: ReplySink;
  client: PortalClient;
  userSession: Session;
  chatSession: Session;
  translate: Translator;
  /**
   * The idempotency key of the context's next outgoing call. Derived from the event's dedupe key and
   * the call's position, so a handler re-run after a crash produces the same keys (v2 sends carry it
   * as `templateId`, which the portal deduplicates).
   */
  nextKey: () => string;
  /** Builds the dialogue control for a context (it needs the context to ask a step's question). */
  dialogue: (ctx: Context) => DialogueControl;
}

/** Something a bot can send: plain text or a message with keyboard, attachment, menu. */
export type Reply = string | OutgoingMessage | more.FileReply;

/**
 * The per-event context handed to every middleware: the typed event, who and where, a client bound to
 * the portal, sessions, dialogue control, and reply helpers. Helpers that cannot work for the event
 * (e.g. `answer` outside a command) throw `CONTEXT_UNSUPPORTED`.
 *
 * @example
 * bot.command('echo', (ctx) => ctx.answer(ctx.event.command.params || 'Nothing to echo'));
 */
export class Context<E extends BotEvent = BotEvent> {
  /** The typed event. Narrowed by the router helpers (`on`, `command`, `text`, `join`). */
  readonly event: E;
  /** The RegExp match of a `text(/re/)` route, or the whole text for `text(null)`. */
  match: RegExpMatchArray | null = null;
  readonly #deps: ContextDeps;
  #dialogue: DialogueControl | undefined;
  #client: BotClient | undefined;

  constructor(event: E, deps: ContextDeps) {
    this.event = event;
    this.#deps = deps;
  }

  /** The bot the event is addressed to: its id on this portal, code and API generation. */
  get bot(): { id: number; code: string; api: BotApi } {
    return { id: this.#deps.identity.botId, code: this.event.bot.code, api: this.#deps.protocol.api };
  }

  /** The portal: its stable `member_id` and current host. */
  get portal(): { memberId: string; domain: string } {
    return { memberId: this.event.memberId, domain: this.event.domain };
  }

  /** The user who caused the event. */
  get user(): EventUser {
    return this.event.user;
  }

  /** The chat the event happened in. */
  get chat(): EventChat {
    return this.event.chat;
  }

  /** Where replies go (`"<userId>"` for a private dialogue, `"chat<N>"` for a group). */
  get dialogId(): string {
    return this.event.chat.dialogId;
  }

  /** The event's language, two letters. */
  get language(): string {
    return this.event.language;
  }

  /** The message text for message events, `''` otherwise. */
  get text(): string {
    return this.event.type === 'message' || this.event.type === 'message_edit' ? this.event.message.text : '';
  }

  /** A REST client bound to this portal, for any method the helpers do not cover, and typed chat management (`client.chat`). */
  get client(): BotClient {
    this.#client ??= botClient(this.#env());
    return this.#client;
  }

  /** Key-value state of this user with this bot (survives restarts). */
  get session(): Session {
    return this.#deps.userSession;
  }

  /** Key-value state of this chat with this bot, shared by its members. */
  get chatSession(): Session {
    return this.#deps.chatSession;
  }

  /** Starts, inspects or cancels the multi-step dialogue of this user in this chat. */
  get dialogue(): DialogueControl {
    this.#dialogue ??= this.#deps.dialogue(this as unknown as Context);
    return this.#dialogue;
  }

  /** Looks up a text in the bot's `texts` by the event's language, with `{name}` placeholders filled. */
  t(key: string, vars: Readonly<Record<string, string | number>> = {}): string {
    return this.#deps.translate(this.language, key, vars);
  }

  /**
   * Posts a message into this chat. Resolves as soon as the reply is durably queued (the handler does not
   * wait for the portal); `(await ctx.reply(...)).delivered` gives the new message id once it is posted.
   */
  async reply(message: Reply): Promise<ReplyHandle> {
    if (more.hasFile(message)) return more.replyWithAttachedFile(this.#env(), message, (rest) => this.reply(rest));
    const wire = toWire(message);
    const key = this.#deps.nextKey();
    const { delivered } = await this.#send(this.#deps.protocol.send(this.#deps.identity, this.dialogId, wire, key), key);
    const id = delivered.then((result) => this.#deps.protocol.parseMessageId(result));
    id.catch(() => undefined);
    return { delivered: id };
  }

  /** Answers the command this event carries, in the chat where it was run. Resolves once durably queued, like every helper here. */
  async answer(message: Reply): Promise<void> {
    const e = this.event;
    if (e.type !== 'command') throw new BotkitError('CONTEXT_UNSUPPORTED', `answer() needs a command event, got ${e.type}`);
    const cmd = { commandId: e.command.id, messageId: e.messageId, dialogId: this.dialogId };
    await this.#send(this.#deps.protocol.answer(this.#deps.identity, cmd, toWire(message)), this.#deps.nextKey());
  }

  /** Replaces the text (and keyboard/attachment) of one of the bot's messages. */
  async update(messageId: number, message: Reply): Promise<void> {
    await this.#send(this.#deps.protocol.update(this.#deps.identity, messageId, toWire(message)), this.#deps.nextKey());
  }

  /** Deletes one of the bot's messages. */
  async delete(messageId: number): Promise<void> {
    await this.#send(this.#deps.protocol.delete(this.#deps.identity, messageId), this.#deps.nextKey());
  }

  /** Shows "bot is typing" in this chat. */
  async typing(): Promise<void> {
    await this.#send(this.#deps.protocol.typing(this.#deps.identity, this.dialogId), this.#deps.nextKey());
  }

  /** Sets a reaction (v2 code such as `like`) on a message; defaults to the event's message. */
  async react(reaction: string, messageId?: number): Promise<void> {
    const id = messageId ?? eventMessageId(this.event);
    if (id === null) throw new BotkitError('CONTEXT_UNSUPPORTED', `react() needs a message id for a ${this.event.type} event`);
    await this.#send(this.#deps.protocol.react(this.#deps.identity, id, reaction), this.#deps.nextKey());
  }

  /** Uploads a file into this chat (v2), with an optional caption. The size is checked before queueing. */
  replyWithFile(file: OutgoingFile, caption?: string, opts?: more.UploadOpts): Promise<more.SentFile> {
    return more.replyWithFile(this.#env(), file, caption, opts);
  }

  /** Streams a file of a message (by its `EventFile` or id) with a byte cap; never buffers it whole. */
  download(file: EventFile | number, opts?: more.DownloadOpts): Promise<FileDownload> {
    return more.download(this.#env(), file, opts);
  }

  /** Reads a message by id (v2; supervisor and personal bots). */
  getMessage(messageId: number): Promise<more.FetchedMessage> {
    return more.getMessage(this.#env(), messageId);
  }

  /** Reads up to `range` messages on each side of one (v2; supervisor and personal bots). */
  getContext(messageId: number, range?: number): Promise<more.MessageWindow> {
    return more.getContext(this.#env(), messageId, range);
  }

  /** Marks this chat read, up to `messageId` or all of it (v2). */
  markRead(messageId?: number): Promise<void> {
    return more.markRead(this.#env(), messageId);
  }

  /** Removes the bot's reaction from a message (default: the event's message). */
  unreact(reaction: string, messageId?: number): Promise<void> {
    const id = messageId ?? eventMessageId(this.event);
    if (id === null) throw new BotkitError('CONTEXT_UNSUPPORTED', `unreact() needs a message id for a ${this.event.type} event`);
    return more.unreact(this.#env(), id, reaction);
  }

  /** A file's id, name, size and type: from the event when it names them, else from the download's headers. */
  fileInfo(file: EventFile): Promise<EventFile> {
    return more.fileInfo(this.#env(), file);
  }

  /** Enables or disables the input field of this chat (v2). */
  setInput(enabled: boolean): Promise<void> {
    return more.setInput(this.#env(), enabled);
  }

  #env(): more.HelperEnv {
    return { deps: this.#deps, event: this.event };
  }

  #send(call: RestCall, idempotencyKey: string): Promise<{ readonly delivered: Promise<unknown> }> {
    return this.#deps.sink.enqueue({
      memberId: this.event.memberId,
      dialogueKey: dialogueKey(this.event),
      method: call.method,
      params: call.params,
      idempotencyKey,
    });
  }
}

function toWire(message: Reply): WireMessage {
  return normalizeMessage(message);
}

function eventMessageId(e: BotEvent): number | null {
  switch (e.type) {
    case 'message':
    case 'message_edit':
      return e.message.id;
    case 'command':
      return e.messageId;
    case 'reaction':
    case 'message_delete':
      return e.messageId;
    default:
      return null;
  }
}
