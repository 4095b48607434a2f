/**
 * Storage interfaces. Every implementation (memory for tests, SQLite by default, later
 * Postgres/Redis) passes the same contract suite in `test/store/contract.ts`.
 */

/**
 * How long idempotency records live: handled event keys (inbox) and delivered reply keys (outbox). Twice
 * the platform's 24 h event retention, so a redelivered or re-polled event is always recognised.
 */
export const DEDUPE_WINDOW_MS = 48 * 3_600_000;

/** How the framework authenticates against a portal. */
export type AuthMode = 'oauth' | 'webhook';

/** One portal the app is installed on (or the one portal a webhook URL points at). */
export interface PortalRecord {
  /** Stable portal id (`member_id`); for webhook portals `webhook:<host>`. */
  memberId: string;
  domain: string;
  /** REST base URL, ending in `/rest/` (OAuth) or `/rest/<user>/<code>/` (webhook). */
  clientEndpoint: string;
  authMode: AuthMode;
  /** Shared secret that authenticates events from this portal (OAuth apps). */
  applicationToken: string | null;
  accessToken: string | null;
  refreshToken: string | null;
  /** Unix ms when the access token expires. */
  expiresAt: number | null;
  /** `reinstall_required` after the OAuth server refused the refresh token. */
  status: 'active' | 'reinstall_required';
  /** Per-portal bucket override (`standard`, `enterprise`, `<rate>/<burst>`); null = server default. */
  rateLimit: string | null;
  installedAt: number;
  updatedAt: number;
}

/** New token pair after a refresh. */
export interface TokenUpdate {
  accessToken: string;
  refreshToken: string;
  expiresAt: number;
}

/** A bot registered on a portal. */
export interface BotRecord {
  memberId: string;
  code: string;
  botId: number;
  api: 'v1' | 'v2';
  eventMode: 'webhook' | 'fetch';
  /** v2 webhook-auth owner key; a secret. */
  botToken: string | null;
  /** The event URL the bot was registered (or last updated) with; null in fetch mode. */
  handlerUrl: string | null;
  registeredAt: number;
}

/** A command registered for a bot on a portal. */
export interface CommandRecord {
  memberId: string;
  botCode: string;
  command: string;
  commandId: number;
}

/** An accepted event waiting to be handled. */
export interface InboxItem {
  /** Dedupe key: v2 `eventId`, or a key built from portal, event, message and command ids. */
  key: string;
  memberId: string;
  dialogueKey: string;
  /** JSON of the decoded event, secrets stripped. */
  payload: string;
  receivedAt: number;
}

/** A reply waiting to be delivered. */
export interface OutboxItem {
  id: number;
  memberId: string;
  dialogueKey: string;
  method: string;
  /** JSON of the REST params. */
  params: string;
  /** Client-side idempotency marker (sent as v2 `templateId` where the method has one). */
  idempotencyKey: string;
  attempts: number;
  /** Unix ms before which the item must not be retried. */
  notBefore: number;
  createdAt: number;
}

/** A versioned value for dialogue state and sessions. */
export interface Versioned<T = unknown> {
  value: T;
  version: number;
  expiresAt: number | null;
}

/** Portals, bots and commands. */
export interface PortalStore {
  getPortal(memberId: string): Promise<PortalRecord | null>;
  listPortals(): Promise<PortalRecord[]>;
  /** Inserts or replaces the whole record. */
  savePortal(portal: PortalRecord): Promise<void>;
  /**
   * Stores a refreshed token pair only if the stored refresh token is still `expectedRefreshToken`
   * (compare-and-swap). Returns false when another writer rotated it first.
   */
  updateTokens(memberId: string, tokens: TokenUpdate, expectedRefreshToken: string): Promise<boolean>;
  setPortalStatus(memberId: string, status: PortalRecord['status']): Promise<void>;
  deletePortal(memberId: string): Promise<void>;
  saveBot(bot: BotRecord): Promise<void>;
  listBots(memberId?: string): Promise<BotRecord[]>;
  deleteBot(memberId: string, code: string): Promise<void>;
  saveCommand(command: CommandRecord): Promise<void>;
  listCommands(memberId: string, botCode?: string): Promise<CommandRecord[]>;
}

/** Accepted events, deduplicated, until handled. */
export interface InboxStore {
  /** Persists the item; returns false (and stores nothing) when the key was seen before. */
  inboxAdd(item: InboxItem): Promise<boolean>;
  /** Items accepted but not yet marked done, oldest first. */
  inboxPending(limit: number): Promise<InboxItem[]>;
  /** Marks the item handled; its key stays remembered for dedupe until pruned. */
  inboxDone(key: string): Promise<void>;
  /** Forgets keys that were marked done before `before` (unix ms). */
  inboxPrune(before: number): Promise<number>;
}

/** Durable replies, until the portal confirmed them. */
export interface OutboxStore {
  outboxAdd(item: Omit<OutboxItem, 'id' | 'attempts' | 'notBefore' | 'createdAt'>): Promise<number>;
  /** Only the head (oldest item) of each dialogue, and only if it is ready (`notBefore <= now`), oldest first. */
  outboxPending(limit: number, now: number): Promise<OutboxItem[]>;
  outboxDone(id: number): Promise<void>;
  outboxRetry(id: number, notBefore: number): Promise<void>;
  /** Moves the item to the dead-letter table with the reason. */
  outboxDead(id: number, reason: string): Promise<void>;
  outboxDeadList(limit: number): Promise<Array<OutboxItem & { reason: string }>>;
}

/** Versioned key-value state for dialogues and sessions, with expiry. */
export interface StateStore {
  getState<T = unknown>(key: string, now: number): Promise<Versioned<T> | null>;
  /**
   * Writes `value` if the stored version equals `expectedVersion` (0 = must not exist or is expired). Returns the
   * new version, or null on conflict.
   */
  setState(key: string, value: unknown, expectedVersion: number, expiresAt: number | null): Promise<number | null>;
  deleteState(key: string): Promise<void>;
}

/** Fetch-mode offsets per bot. */
export interface OffsetStore {
  getOffset(memberId: string, botId: number): Promise<number>;
  setOffset(memberId: string, botId: number, offset: number): Promise<void>;
}

/** Everything the framework persists. */
export interface Store extends PortalStore, InboxStore, OutboxStore, StateStore, OffsetStore {
  close(): Promise<void>;
}
