import type { Logger } from './log.js';
import type { FileStore } from './files.js';

/** A leaky bucket: `rate` requests drain per second, `burst` is the threshold that answers 503. */
export interface RateLimit {
  rate: number;
  burst: number;
}

/** The per-method "operating" time budget (facts §7.2). Off unless `limitS` is a number. */
export interface OperatingOptions {
  /** Seconds of execution per method and app/webhook over 10 minutes before `429 OPERATION_TIME_LIMIT`. */
  limitS: number | null;
  /** Seconds charged for one call of a method (default 0.001); a function prices methods one by one. */
  costS?: number | ((method: string) => number);
}

/** Options of {@link startEmulator}. */
export interface EmulatorOptions {
  /** Port on 127.0.0.1; default 0 (a random free port). */
  port?: number;
  /** Leaky bucket of the default portal; default by plan (standard 2/s burst 50). `null` = unlimited. */
  rateLimit?: RateLimit | null;
  /** Plan of the default portal; enterprise drains 5/s with burst 250. */
  plan?: 'standard' | 'enterprise';
  /** The OAuth application. Defaults `local.emulator.app` / `emulator-secret`. */
  clientId?: string;
  clientSecret?: string;
  /** Lifetime of issued access tokens; default 3600 s. */
  accessTokenTtlS?: number;
  /** Per-method operating budget; default off. */
  operating?: OperatingOptions;
  /** How long an event push waits for the bot's HTTP answer; default 10,000 ms. */
  deliveryTimeoutMs?: number;
  log?: Logger;
  /**
   * Serve https with a self-signed certificate generated at start (`true`) or the given key and
   * certificate. The official JS SDK refuses plain-http webhook URLs; trust the certificate with
   * `NODE_EXTRA_CA_CERTS=<file with Emulator.caCert>` (read by node at process start).
   */
  https?: boolean | { key: string; cert: string };
  /** Clock in milliseconds; drives token expiry, the leaky bucket, `time`, `ts` and retention. */
  clock?: () => number;
  /**
   * v2 group messages (ONIMBOTV2MESSAGEADD/UPDATE): `strip` (default) removes the receiving bot's
   * `[USER=<id>]...[/USER]` mention from `message.text`, as v1 does and as the docs' own group example
   * shows (`"text": "Hello bot!"` in chat5, `chat-bots-v2/imbot.v2/events/events.md`); `keep` delivers
   * the text as typed. Which one the platform does is UNCONFIRMED: bots must work with both.
   */
  v2GroupMentions?: 'strip' | 'keep';
}

/** One push or queue insertion of an event for one bot. */
export interface Delivery {
  event: string;
  botCode: string;
  mode: 'webhook' | 'fetch';
  /** The bot's HTTP answer; `null` for fetch mode or when no answer came (see `error`). */
  status: number | null;
  /** Why a push got no HTTP answer (connection refused, timeout). */
  error?: string;
}

/** The raw record of one event push: what crossed the wire. */
export interface DeliveryRecord extends Delivery {
  at: number;
  url: string;
  /** The form-encoded body exactly as sent. */
  body: string;
  /** The start of the handler's answer body (up to 2,000 characters). */
  answer?: string;
  /** Milliseconds from the push to the answer (or the failure). */
  durationMs?: number;
}

/** An injected fault of event pushes: `drop` sends nothing (the event is lost), `delay` waits first. */
export interface DeliveryFault {
  kind: 'drop' | 'delay';
  /** For `delay`: how long to wait before the push (default 2,000 ms). */
  delayMs?: number;
  /** How many pushes it hits; default unlimited. */
  times?: number;
}

/** A message a bot posted, as the emulator stored it. */
export interface SentMessage {
  id: number;
  botId: number;
  botCode: string;
  /** The dialog as the bot addresses it: the user id for private dialogs, `chatN` for groups. */
  dialogId: string;
  text: string;
  keyboard: unknown | null;
  attach: unknown | null;
  menu: unknown | null;
  system: boolean;
  /** The REST method that posted it. */
  via: string;
  commandId: number | null;
  /** `replyId` of a v2 send, or the command message a command answer refers to. */
  replyTo: number | null;
  /** v2 `templateId`. */
  idempotencyKey: string | null;
  /** Files attached (`imbot.v2.File.upload`): ids on the portal's Disk. */
  fileIds: number[];
  updated: boolean;
  deleted: boolean;
}

/** A filter for {@link EmulatedPortal.messages}. */
export interface MessageFilter {
  dialogId?: string;
  botCode?: string;
}

/** A registered command as {@link EmulatedPortal.bots} reports it. */
export interface EmulatedCommand {
  id: number;
  /** Without the slash. */
  command: string;
  common: boolean;
  hidden: boolean;
  /** Titles per language (`{ en: 'Echo' }`). */
  title: Record<string, string>;
  /** Parameter hints per language. */
  params: Record<string, string>;
  /** v1 `EVENT_COMMAND_ADD` as registered (the app's latest one is what receives events). */
  handlerUrl: string | null;
}

/** The v1 handler URLs of one app: one set per app, the latest register/update wins (facts §4.1). */
export interface V1Handlers {
  messageAdd: string | null;
  messageUpdate: string | null;
  messageDelete: string | null;
  joinChat: string | null;
  botDelete: string | null;
  commandAdd: string | null;
}

/** A registered bot with what decides how it gets events. */
export interface EmulatedBot {
  id: number;
  code: string;
  name: string;
  api: 'v1' | 'v2';
  /** v2 type (`bot`, `supervisor`, ...); v1 types map B/H → bot, S → supervisor, O → openline. */
  type: string;
  eventMode: 'webhook' | 'fetch';
  /** Who registered it: an OAuth app or an incoming webhook (with CLIENT_ID / botToken). */
  auth: 'oauth' | 'webhook';
  /** The `auth[application_token]` its events carry. */
  applicationToken: string;
  /** v2 `webhookUrl`. */
  webhookUrl: string | null;
  /** v1 handler URLs currently bound for its app (null when unbound). */
  handlers: V1Handlers | null;
  commands: EmulatedCommand[];
}

/** One REST or OAuth request the emulator served. */
export interface RestRequestLog {
  at: number;
  /** The path with webhook codes masked. */
  path: string;
  /** The REST method (`imbot.v2.Chat.Message.send`), `batch`, or `oauth.token`. */
  method: string;
  httpMethod: string;
  /** The HTTP status; 0 when no answer was sent (reset, timeout). */
  status: number;
  error?: string;
  auth: 'oauth' | 'webhook' | 'none';
  batchSize?: number;
  /** The fault that was applied, if any. */
  fault?: FaultKind;
  /** The params with secrets masked (JSON, up to 4,000 characters). */
  params?: string;
  /** The `result` of a 200 answer (JSON, up to 4,000 characters). */
  result?: string;
  /** `error_description` of an error answer. */
  errorDescription?: string;
  /** Milliseconds from the request to the answer. */
  durationMs?: number;
  /** The portal's leaky-bucket level after this request (null when unlimited). */
  bucketLevel?: number | null;
}

/** Totals of one portal. */
export interface Counters {
  requests: number;
  byMethod: Record<string, number>;
  byStatus: Record<string, number>;
  /** Error answers by `error` code. */
  errors: Record<string, number>;
  oauthRefreshes: number;
  oauthErrors: number;
  queryLimitExceeded: number;
  operationTimeLimit: number;
  batchCommands: number;
  eventsDelivered: number;
  eventsFailed: number;
  eventsQueued: number;
  eventsFetched: number;
  messagesPosted: number;
  typing: number;
  faultsApplied: number;
}

/** Kinds of injected faults. */
export type FaultKind = 'status' | 'reset' | 'timeout' | 'slow' | 'badJson' | 'truncated';

/** One fault rule. Matching requests get the fault instead of (or, with `after`, after) the real answer. */
export interface FaultSpec {
  /** REST method name (case-insensitive), `batch`, or `oauth.token`; omitted = every request. */
  method?: string;
  /** Portal `memberId`; omitted = every portal (OAuth requests only match rules without `portal`). */
  portal?: string;
  kind: FaultKind;
  /** For `status`: the HTTP status (default 500) and `error` code (default `INTERNAL_SERVER_ERROR`). */
  status?: number;
  error?: string;
  errorDescription?: string;
  /** For `slow`: delay before the normal answer (default 1000 ms). */
  delayMs?: number;
  /**
   * For `slow`: the delay happens while the method runs instead of before it (a v2 send has claimed
   * its `templateId` but not yet stored the message, so a repeat gets `MESSAGE_DUPLICATED_BY_UUID`).
   */
  during?: boolean;
  /** How many matching requests it hits; default unlimited. */
  times?: number;
  /** Active while the emulator clock is below this epoch-ms value. */
  untilMs?: number;
  /** Run the method first, then spoil the answer (the call took effect but the client cannot know). */
  after?: boolean;
}

/** Adds and removes fault rules. */
export interface FaultInjector {
  /** Adds a rule; returns a function that removes it. */
  add(spec: FaultSpec): () => void;
  clear(): void;
  /** The active rules with their remaining `times`. */
  list(): FaultSpec[];
}

/** A user-side request of the scripted API: a user writes a message. */
export interface SendMessageOptions {
  from: number;
  /** A bot code (private dialog with that bot) or a group `chatN`. */
  to: string;
  text: string;
  /** In groups: prefix `[USER=<botId>]<Name>[/USER] ` addressing that bot. */
  mention?: string;
  /**
   * Files attached to the message, stored on the chat's Disk: `content` (bytes, or UTF-8 text), or only a
   * `size` for a file whose bytes are generated while it is downloaded (any size, flat memory).
   */
  files?: Array<{ name: string; content?: Buffer | string; size?: number }>;
  /** The message this one replies to (v2 `params.REPLY_ID`, classic `PARAMS[PARAMS][REPLY_ID]`). */
  replyTo?: number;
  /** Forwards an existing message: v2 `message.forward {id,userId,chatId,date}`, classic `PARAMS[PARAMS][FORWARD_*]`. */
  forwardOf?: number;
  /** A system message (v2 `isSystem` with `authorId` 0, classic `SYSTEM=Y`). */
  system?: boolean;
}

/** A Bitrix24 portal of the emulator, with its scripted user API and its inspection API. */
export interface EmulatedPortal {
  readonly memberId: string;
  /** `127.0.0.1:<port>` (what `auth[domain]` carries). */
  readonly domain: string;
  /** `${url}/rest/` for the default portal, `${url}/p/<n>/rest/` for the others. */
  readonly clientEndpoint: string;
  /** The OAuth app's `application_token` on this portal. */
  readonly applicationToken: string;
  /** Adds a user (not an administrator unless `admin: true`); user 1 "John Smith" (the admin) always exists. */
  readonly users: { add(u: { name: string; workPosition?: string; admin?: boolean }): number };
  /** Creates an incoming webhook acting as `userId` (default 1): `${base}/rest/<user>/<code>/`. */
  createWebhook(opts?: { userId?: number }): string;
  /**
   * Sends ONAPPINSTALL (form-encoded, real wire format) to `handlerUrl` with a fresh pair for user 1
   * and resolves with the HTTP answer. `forge` overrides fields to test the app's checks: `userId`
   * makes the pair another user's (what a user who opened the app page holds), `event` sends
   * ONAPPUPDATE instead.
   */
  install(handlerUrl: string, forge?: Partial<{ clientEndpoint: string; domain: string; accessToken: string;
    applicationToken: string; userId: number; event: 'ONAPPINSTALL' | 'ONAPPUPDATE' }>): Promise<{ status: number; body: unknown }>;
  /**
   * Removes the app (its bots and tokens) and sends ONAPPUNINSTALL. With a forged `applicationToken`
   * only the event is sent and nothing changes.
   */
  uninstall(handlerUrl: string, opts?: { applicationToken?: string; clean?: boolean }): Promise<{ status: number; body: unknown }>;
  /**
   * Whether the app counts as installed (`app.info` INSTALLED). True unless a UI install was begun and its
   * install page has not called `installFinish` yet.
   */
  readonly installFinished: boolean;
  /**
   * An administrator adds the app as a UI app (DOC settings/app-installation/installation-finish.md): it is
   * "not installed" until its install page, opened in the app frame, calls `BX24.installFinish()`. Meanwhile
   * `app.info` says `INSTALLED: false`, no events reach the app's bots, and non-administrators who open the
   * app see "not fully installed".
   */
  beginUiInstall(): void;
  /**
   * The URL of the portal page that opens the app in its iframe as `userId` (default 1, the admin):
   * `${url}/app-frame?user=<id>&url=<app URL>[&install=<install URL>][&lang=<xx>]` (default portal only).
   * The frame is posted to `install` (or `url`) while the installation is not finished, to `url` afterwards.
   */
  appFrameUrl(opts: { url: string; install?: string; userId?: number; lang?: string }): string;
  /**
   * What the app frame would post, without a browser: the app (or, before `installFinish` and for an
   * administrator, its install page) opened by `userId` (default 1). Null when a non-administrator opens a
   * UI app whose installation is not finished (the portal shows "not fully installed" instead).
   * `finishInstall(appSid)` is what the frame does when that page calls `BX24.installFinish()`.
   */
  openApp(opts: { url: string; install?: string; userId?: number; lang?: string }): AppLaunch | null;
  /**
   * The install page opened as `appSid` called `installFinish`: the app counts as installed. Returns false,
   * changing nothing, when `appSid` is not an install page of an administrator (no effect, as on the platform).
   */
  finishInstall(appSid: string): boolean;
  /** Issues an access/refresh pair for a user without sending an install event. */
  issueTokens(userId?: number): { accessToken: string; refreshToken: string; expiresIn: number };
  /** Every access token issued so far answers `401 expired_token`. */
  expireAccessTokens(): void;
  /** Every refresh token answers `invalid_grant`. */
  revokeRefreshTokens(): void;
  /** Creates a group chat and returns its dialog id `chat<N>`. */
  createChat(opts: { title: string; userIds: number[]; ownerId?: number }): string;
  /** Adds a bot to a group chat: JOINCHAT (v1 ONIMBOTJOINCHAT, v2 ONIMBOTV2JOINCHAT). */
  addBotToChat(botCode: string, dialogId: string, byUserId?: number): Promise<Delivery>;
  /** A user opens the private dialog with a bot: JOINCHAT (both generations). */
  openDialog(userId: number, botCode: string): Promise<Delivery>;
  /**
   * A user writes `text` to a bot (private dialog) or a group `chatN`. A leading `/<cmd>` (after
   * mentions) registered for a bot that can see the message (the private bot, a member of the group,
   * or any bot's `common` command) gives that bot a COMMAND event INSTEAD of MESSAGEADD. Other bots get
   * MESSAGEADD: in groups type `bot`/`openline` only when mentioned, `supervisor`/`personal` always.
   * Resolves when every push has its HTTP answer.
   */
  sendMessage(opts: SendMessageOptions): Promise<{ messageId: number; deliveries: Delivery[] }>;
  /** A user edits their message: MESSAGEUPDATE (v1 only when the app bound EVENT_MESSAGE_UPDATE). */
  editMessage(opts: { from: number; messageId: number; text: string }): Promise<Delivery[]>;
  /** A user deletes their message: MESSAGEDELETE (v1 only when the app bound EVENT_MESSAGE_DELETE). */
  deleteMessage(opts: { from: number; messageId: number }): Promise<Delivery[]>;
  /**
   * Presses a COMMAND button (index among non-NEWLINE buttons, or its TEXT) of a bot message: a
   * COMMAND event with context keyboard, the button's `COMMAND_PARAMS` and the keyboard message.
   * Throws `EMULATOR_USAGE` for a missing or disabled button or an unregistered command.
   */
  pressButton(opts: { from: number; messageId: number; button: number | string }): Promise<Delivery>;
  /** A user reacts; a v2 bot with reactions enabled gets ONIMBOTV2REACTIONCHANGE for its own messages. */
  react(opts: { from: number; messageId: number; reaction: string; action?: 'add' | 'delete' }): Promise<Delivery[]>;
  /** The portal's chat files (uploads, users' attachments) and their limits (`limits.maxFileBytes`, default 100 MB). */
  readonly files: FileStore;
  /** Everything the bots posted, in order (updated and deleted ones included, flagged). */
  messages(filter?: MessageFilter): SentMessage[];
  /** Resolves when `count` bot messages match (event-driven); rejects with `EMULATOR_TIMEOUT` (default 5000 ms). */
  waitForMessages(count: number, filter?: MessageFilter, timeoutMs?: number): Promise<SentMessage[]>;
  /** Registered bots with their commands, generation, event mode and handler URLs. */
  bots(): EmulatedBot[];
  /** Every REST and OAuth request served (last 5000). */
  requests(): RestRequestLog[];
  /** Every event push with its raw body (last 1000). */
  deliveries(): DeliveryRecord[];
  /** Events waiting in the fetch queue of a v2 fetch-mode bot. */
  pendingEvents(botCode: string): number;
  counters(): Counters;
  /** The emulator's fault rules (shared by all portals; filter with `portal: memberId`). */
  readonly faults: FaultInjector;
  /** Subscribes to request log entries; returns the unsubscribe function. */
  onRequest(listener: (entry: RestRequestLog) => void): () => void;
  /** Subscribes to event push records; returns the unsubscribe function. */
  onDelivery(listener: (record: DeliveryRecord) => void): () => void;
  /** Replaces the leaky bucket (by plan, explicit, or `null` = unlimited); the level starts at 0. */
  setRateLimit(limit: RateLimit | 'standard' | 'enterprise' | null): void;
  /** The bucket's `{rate, burst, level}` now, or null when unlimited. */
  bucket(): { rate: number; burst: number; level: number } | null;
  /** Drops or delays the next event pushes of this portal (`null` clears). */
  setDeliveryFault(fault: DeliveryFault | null): void;
  /**
   * Switches how a bot gets its events, under the app's feet (a fault to rehearse): `fetch` queues
   * them for `imbot.v2.Event.get`, `webhook` pushes them (v2 bots with a `webhookUrl` only).
   */
  setEventMode(botCode: string, mode: 'webhook' | 'fetch'): void;
  /**
   * Presses a COMMAND item of a classic bot message's context menu (by index or TEXT): the bot gets
   * ONIMCOMMANDADD with `COMMAND_CONTEXT=MENU`.
   */
  pressMenuItem(opts: { from: number; messageId: number; item: number | string }): Promise<Delivery>;
}

/** What the portal posts into its app frame (DOC settings/oauth/simple-way.md); see {@link EmulatedPortal.openApp}. */
export interface AppLaunch {
  /** The app URL with the query the portal adds: `DOMAIN`, `PROTOCOL` (0 http, 1 https), `LANG`, `APP_SID`. */
  url: string;
  /**
   * The POST body (form-encoded): `AUTH_ID`, `AUTH_EXPIRES`, `REFRESH_ID`, `SERVER_ENDPOINT`, `APPLICATION_TOKEN`,
   * `APPLICATION_SCOPE`, `member_id`, `status`, `PLACEMENT`. The tokens are a fresh pair of the opening user.
   */
  form: Record<string, string>;
  /** A new id per opening; the frame's messages must name it. */
  appSid: string;
  /** The iframe's name, `DOMAIN|PROTOCOL|APP_SID` (the frame libraries read it from `window.name`). */
  frameName: string;
  /** The origin of `url`: the only origin the portal accepts the frame's messages from. */
  appOrigin: string;
  /** The install page (before `installFinish`, administrators only) or the app page. */
  install: boolean;
  /** What the frame library's `getInitData` answers (`AUTH_ID`, `IS_ADMIN`, `INSTALL`, `PATH`, ...). */
  init: Record<string, unknown>;
}

/** A running emulator: one HTTP server, one OAuth server, one or more portals. */
export interface Emulator {
  /** `http://127.0.0.1:<port>` (`https://` in https mode) */
  readonly url: string;
  /** `${url}/oauth/token/` (GET query or POST form). */
  readonly oauthUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** In https mode, the PEM certificate to trust (it is its own CA); null over http. */
  readonly caCert: string | null;
  /** The default portal (REST at `${url}/rest/`). */
  readonly portal: EmulatedPortal;
  readonly faults: FaultInjector;
  /** Adds a portal at `${url}/p/<n>/rest/` with its own bucket (by plan, or explicit; `null` = unlimited). */
  createPortal(opts?: { plan?: 'standard' | 'enterprise'; rateLimit?: RateLimit | null }): EmulatedPortal;
  portals(): EmulatedPortal[];
  /** Stops the server, drops held connections, aborts pushes in flight. Idempotent. */
  close(): Promise<void>;
}
