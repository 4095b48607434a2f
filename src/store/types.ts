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
  /**
   * `reinstall_required` after the OAuth server refused the refresh token; `install_unfinished` while `app.info`
   * says the UI install was not finished (its install page never called `installFinish`; the portal sends no
   * events meanwhile), see `src/registry/install-state.ts`.
   */
  status: 'active' | 'reinstall_required' | 'install_unfinished';
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
  /**
   * JSON of the declaration last applied on the portal (type and properties; see `src/registry/declared.ts`),
   * which registration sync compares with `bots/`. Absent for records written before sync kept it.
   */
  spec?: string;
}

/** A command registered for a bot on a portal. */
export interface CommandRecord {
  memberId: string;
  botCode: string;
  command: string;
  commandId: number;
  /** JSON of the titles, hints and flags last applied on the portal; absent for older records. */
  spec?: string;
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

/**
 * Portal credentials: what the REST client (tokens, refresh), the intake (application_token) and the
 * installer read and write. A cluster store must make `updateTokens` an atomic compare-and-swap across
 * every process: it is the guard that keeps a rotated refresh token from being lost.
 */
export interface TokenStore {
  getPortal(memberId: string): Promise<PortalRecord | null>;
  listPortals(): Promise<PortalRecord[]>;
  /** Inserts or replaces the whole record. */
  savePortal(portal: PortalRecord): Promise<void>;
  /**
   * Stores a refreshed token pair only if the stored refresh token is still `expectedRefreshToken`
   * (compare-and-swap, one atomic write). Returns false when another writer rotated it first; the caller
   * must then use the stored pair, never its own.
   */
  updateTokens(memberId: string, tokens: TokenUpdate, expectedRefreshToken: string): Promise<boolean>;
  setPortalStatus(memberId: string, status: PortalRecord['status']): Promise<void>;
  /** Deletes the portal with its bots, commands, fetch offsets and sync hash. */
  deletePortal(memberId: string): Promise<void>;
}

/** Bots and slash commands registered on portals: what registration sync, the runtime and the admin page use. */
export interface RegistryStore {
  saveBot(bot: BotRecord): Promise<void>;
  /** Bots of one portal (or of all), ordered by member id, then code. */
  listBots(memberId?: string): Promise<BotRecord[]>;
  /** Deletes the bot with its commands. */
  deleteBot(memberId: string, code: string): Promise<void>;
  saveCommand(command: CommandRecord): Promise<void>;
  listCommands(memberId: string, botCode?: string): Promise<CommandRecord[]>;
  /** Deletes one command record (unknown ones are ignored). */
  deleteCommand(memberId: string, botCode: string, command: string): Promise<void>;
  /** The hash of the declared bots last synced completely to the portal, or null (never, or since forgotten). */
  getSyncHash(memberId: string): Promise<string | null>;
  /** Remembers the hash of the declared bots after a complete sync (`deletePortal` forgets it). */
  setSyncHash(memberId: string, hash: string): Promise<void>;
}

/** Portals, bots and commands. */
export interface PortalStore extends TokenStore, RegistryStore {}

/**
 * A claim on queue items: who holds them and for how long. In one process the owner is that process and
 * the lease is a formality; in a cluster every instance has its own owner id and an item whose lease
 * expired (its owner died) may be claimed by another instance.
 */
export interface LeaseRequest {
  /** Stable id of the claiming worker (one per process). */
  owner: string;
  /** Lease length; the store stamps `until = clock() + leaseMs` with its own clock. */
  leaseMs: number;
}

/** What {@link InboxStore.inboxClaim} takes. */
export interface InboxClaim extends LeaseRequest {
  /** At most this many items. */
  limit: number;
  /** Only events of this portal (a fair dispatcher pages each portal's backlog on its own). */
  memberId?: string;
}

/**
 * Accepted events, deduplicated, until handled: the dispatcher's durable queue. Ordering per dialogue is
 * the contract a cluster implementation must keep: an event is never handed out while an older pending
 * event of its dialogue (`memberId` + `dialogueKey`) is held by another owner.
 */
export interface InboxStore {
  /**
   * Persists the item; returns false (and stores nothing) when the key was seen before, handled or not.
   * With `lease`, the item is stored already claimed by `lease.owner` (the caller guarantees no other
   * owner holds an older pending event of the dialogue: a single-process dispatcher holding all of them).
   */
  inboxAdd(item: InboxItem, lease?: LeaseRequest): Promise<boolean>;
  /**
   * Claims up to `limit` pending events, oldest first (by `receivedAt`, then insertion order), leasing
   * each to `owner`. An event is claimable when it is not done and its lease is absent or expired, and no
   * older pending event of its dialogue is leased (live) by another owner. Events leased (live) by
   * `owner` itself are not returned again but do not block the events after them. Atomic: two concurrent
   * claims never return the same event while its lease is live.
   */
  inboxClaim(claim: InboxClaim): Promise<InboxItem[]>;
  /**
   * Drops the leases of `owner` (every lease when omitted: a single process starting on its own data),
   * so its unhandled events can be claimed at once. Returns how many were released.
   */
  inboxRelease(owner?: string): Promise<number>;
  /** Portals that have pending (not done) events, in no particular order. */
  inboxPendingMembers(): Promise<string[]>;
  /** Number of pending (not done) events. */
  inboxPendingCount(): Promise<number>;
  /** Pending items oldest first (leased or not), for diagnostics and tests. */
  inboxPending(limit: number): Promise<InboxItem[]>;
  /**
   * Marks the item handled and drops its lease; its key stays remembered for dedupe until pruned. Must be
   * idempotent (a second call, or a call for an unknown key, changes nothing).
   */
  inboxDone(key: string): Promise<void>;
  /** Forgets keys that were marked done before `before` (unix ms). Returns how many. */
  inboxPrune(before: number): Promise<number>;
}

/** What {@link OutboxStore.outboxAdd} stored. */
export type OutboxAddResult =
  /** Queued as item `id`; `claimed` when a lease was asked for and granted (the item is its dialogue's head). */
  | { status: 'queued'; id: number; claimed: boolean }
  /** An item with the same idempotency key is already queued (a handler re-run): nothing was added. */
  | { status: 'pending'; id: number }
  /** The idempotency key was delivered before (within the dedupe window): nothing was added. */
  | { status: 'delivered'; result: unknown };

/** What {@link OutboxStore.outboxClaim} takes. */
export interface OutboxClaim extends LeaseRequest {
  /** At most this many items. */
  limit: number;
  /** At most this many items of one portal (default: no cap). */
  perMember?: number;
  /** Portals to leave alone (e.g. at their in-flight cap in this process). */
  skipMembers?: readonly string[];
}

/**
 * Durable replies until the portal confirmed them. Invariants every implementation keeps: only the head
 * (lowest id) of each dialogue (`memberId` + `dialogueKey`) is ever handed out, so replies are delivered
 * in order; a head waiting for its retry (`notBefore` in the future) holds back its dialogue; a delivered
 * idempotency key is remembered (with the portal's result) in the same write that removes the item.
 */
export interface OutboxStore {
  /**
   * Queues a reply (ready at once: `notBefore` 0), unless its idempotency key is already queued or was
   * delivered (see {@link OutboxAddResult}); the check and the insert are one atomic step. With `lease`,
   * the new item is also claimed by `lease.owner` if it is the head of its dialogue.
   */
  outboxAdd(item: Omit<OutboxItem, 'id' | 'attempts' | 'notBefore' | 'createdAt'>, lease?: LeaseRequest): Promise<OutboxAddResult>;
  /**
   * Claims up to `limit` ready heads (`notBefore <= clock()`), oldest first, leasing each to `owner`.
   * A head leased (live) by any owner, `owner` included, is not returned: one reply per dialogue is in
   * flight. An expired lease is claimable by anyone. Atomic across concurrent claims.
   */
  outboxClaim(claim: OutboxClaim): Promise<OutboxItem[]>;
  /**
   * Delivery completed, in one atomic write: removes the item and remembers its idempotency key with
   * `result` (JSON-serialisable) for the dedupe window. With `next`, also claims the new head of the same
   * dialogue when it is ready and not leased, and returns it (so a dialogue's replies flow without a claim
   * round trip).
   */
  outboxDelivered(item: OutboxItem, result: unknown, next?: LeaseRequest): Promise<OutboxItem | null>;
  /** Schedules another attempt: `attempts + 1`, `notBefore`, and the lease dropped. */
  outboxRetry(id: number, notBefore: number): Promise<void>;
  /**
   * Moves the item to the dead-letter table with the reason (one atomic write); with `next`, claims the
   * dialogue's new head as {@link outboxDelivered} does.
   */
  outboxDead(id: number, reason: string, next?: LeaseRequest): Promise<OutboxItem | null>;
  /** Drops the leases of `owner` (all when omitted). Returns how many were released. */
  outboxRelease(owner?: string): Promise<number>;
  /** The result remembered for a delivered idempotency key, or null. */
  outboxSent(idempotencyKey: string): Promise<{ result: unknown } | null>;
  /** Forgets delivered keys remembered before `before` (unix ms). Returns how many. */
  outboxPrune(before: number): Promise<number>;
  /** Heads of dialogues ready at `now` (leased or not), oldest first; diagnostics and wake-up planning. */
  outboxPending(limit: number, now: number): Promise<OutboxItem[]>;
  /** Dead letters newest first (by the time they died, then id), of one portal when `memberId` is given. */
  outboxDeadList(limit: number, memberId?: string): Promise<Array<OutboxItem & { reason: string }>>;
  /**
   * Every queued reply of one portal (heads, the replies behind them and those waiting for a retry), in id
   * order: what the app page shows as the portal's outbox.
   */
  outboxQueued(memberId: string, limit: number): Promise<OutboxItem[]>;
  /**
   * Puts dead letter `id` back in the outbox as a fresh reply (new id at the tail of its dialogue, no
   * attempts, ready at once) that keeps its idempotency key, and removes the dead letter, in one atomic
   * write. When the key was delivered meanwhile, or is queued again, nothing is added (the answer says
   * which, as {@link outboxAdd} does) and the dead letter is removed all the same. Null (nothing changed)
   * when there is no such dead letter, or it belongs to another portal than `memberId`.
   */
  outboxDeadRetry(id: number, memberId?: string): Promise<OutboxAddResult | null>;
  /** Deletes dead letter `id`; false (nothing changed) when absent or of another portal than `memberId`. */
  outboxDeadDiscard(id: number, memberId?: string): Promise<boolean>;
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
