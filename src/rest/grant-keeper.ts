import { backoffDelay, type BackoffPolicy } from '../backoff.js';
import type { Logger } from '../log.js';
import type { PortalRecord, TokenStore, TokenUpdate } from '../store/types.js';

/** How often a grant the store refused is written again by default: 250 ms doubling to 10 s (with the usual jitter). */
export const DEFAULT_PERSIST_BACKOFF: BackoffPolicy = { baseMs: 250, maxMs: 10_000 };

/** A grant not yet stored: the newest pair, and the stored refresh token it replaces (the compare-and-swap's expected value). */
interface Pending {
  tokens: TokenUpdate;
  base: string;
}

/** How the first write of a grant ended. */
export type WriteOutcome = 'stored' | 'lost' | 'kept';

interface KeeperDeps {
  store: Pick<TokenStore, 'getPortal' | 'updateTokens'>;
  log: Logger;
  backoff: BackoffPolicy;
}

/**
 * Keeps token pairs the OAuth server issued until the store has them. Refresh tokens are single-use: once the
 * server rotated the pair, the new one is the only valid pair, so a failed store write must not drop it. The
 * pending pair serves calls and the next refresh ({@link overlay}) and is written again with backoff until the
 * store takes it, or until another writer's pair is found there (the stored pair wins, as `updateTokens` says).
 */
export class GrantKeeper {
  readonly #deps: KeeperDeps;
  readonly #pending = new Map<string, Pending>();
  readonly #wake = new Set<() => void>();
  readonly #settling = new Set<string>();
  #closed = false;

  constructor(deps: KeeperDeps) {
    this.#deps = deps;
  }

  /** True while a grant of the portal waits to be stored. */
  has(memberId: string): boolean {
    return this.#pending.has(memberId);
  }

  /** The pending pair's access token, or null. */
  accessToken(memberId: string): string | null {
    return this.#pending.get(memberId)?.tokens.accessToken ?? null;
  }

  /** The portal as calls and refreshes must see it: the pending pair while the store still holds the pair it replaced. */
  overlay(portal: PortalRecord): PortalRecord {
    const p = this.#pending.get(portal.memberId);
    if (!p || portal.refreshToken !== p.base) return portal;
    return { ...portal, ...p.tokens };
  }

  /**
   * Writes a grant (compare-and-swap on `base`, the stored refresh token). `stored`: done; `lost`: another writer
   * rotated first; `kept`: the store failed (or a write is already pending): the pair stays pending until {@link settle}.
   */
  async write(memberId: string, tokens: TokenUpdate, base: string): Promise<WriteOutcome> {
    const running = this.#pending.get(memberId);
    if (running) {
      // A write loop is running for an older pending pair: it stores this newer one next.
      running.tokens = tokens;
      running.base = base;
      return 'kept';
    }
    const entry: Pending = { tokens, base };
    this.#pending.set(memberId, entry);
    try {
      return await this.#attempt(memberId, entry);
    } catch (e) {
      this.#deps.log.warn('refreshed oauth tokens could not be stored: kept in memory, written again until stored', { memberId, err: e });
      return 'kept';
    }
  }

  /** Writes the pending pair again with backoff until the store takes it (or, after {@link close}, once more). */
  async settle(memberId: string): Promise<void> {
    // One loop per portal: a newer pair joins the running loop's entry.
    if (this.#settling.has(memberId)) return;
    this.#settling.add(memberId);
    try {
      await this.#settle(memberId);
    } finally {
      this.#settling.delete(memberId);
    }
  }

  async #settle(memberId: string): Promise<void> {
    const { log, backoff } = this.#deps;
    let failures = 1;
    for (;;) {
      const entry = this.#pending.get(memberId);
      if (!entry) return;
      const closing = this.#closed;
      if (!closing) await this.#sleep(backoffDelay(backoff, failures - 1));
      try {
        const outcome = await this.#attempt(memberId, entry);
        if (outcome === 'stored') log.info('oauth tokens refreshed (stored after failed writes)', { memberId, failures });
        if (outcome !== 'kept') return;
      } catch (e) {
        failures++;
        if (closing) {
          this.#pending.delete(memberId);
          log.error('refreshed oauth tokens were never stored (closed): the portal may need a reinstall', { memberId, err: e });
          return;
        }
      }
    }
  }

  /** Stops waiting between writes: each pending pair gets one last write. */
  close(): void {
    this.#closed = true;
    for (const wake of this.#wake) wake();
  }

  /** One write of `entry`; throws when the store fails. `kept`: a newer pair arrived meanwhile, write again. */
  async #attempt(memberId: string, entry: Pending): Promise<WriteOutcome> {
    const { store, log } = this.#deps;
    const tokens = entry.tokens;
    // Refused: an earlier write that reported a failure may have committed; else another writer rotated the pair.
    const landed = (await store.updateTokens(memberId, tokens, entry.base)) || (await store.getPortal(memberId))?.refreshToken === tokens.refreshToken;
    if (entry.tokens !== tokens) {
      if (landed) entry.base = tokens.refreshToken;
      return 'kept';
    }
    this.#pending.delete(memberId);
    if (landed) return 'stored';
    log.warn('oauth refresh lost a race: another writer rotated the tokens first', { memberId });
    return 'lost';
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#wake.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      timer.unref();
      this.#wake.add(done);
    });
  }
}
