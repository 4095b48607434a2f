import type { Poller } from '../intake/poller.js';
import type { Logger } from '../log.js';
import type { BotRecord, RegistryStore } from '../store/types.js';

/** What {@link LeaderPollers} needs. */
export interface LeaderPollersOptions {
  store: Pick<RegistryStore, 'listBots'>;
  /** Takes or keeps a named lease for this instance (the database's `leases` table). */
  tryLease(name: string, leaseMs: number): Promise<boolean>;
  dropLease(name: string): Promise<void>;
  /** Starts the poll loop of one bot. */
  start(bot: BotRecord): Poller;
  log: Logger;
  /** Leadership lease (default 6 s); renewed every third of it, so a dead leader is replaced within it. */
  leaseMs?: number;
}

/**
 * Fetch-mode pollers of a cluster: one poller per bot across every instance. For each v2 fetch-mode bot of a
 * watched portal the instances compete for the lease `poller:<memberId>:<botId>`; the holder polls and renews
 * it, the others stand by, and when the holder dies (its lease expires) one of them takes over from the
 * stored offset. Same surface as the single-process `PollerSet`.
 */
export class LeaderPollers {
  readonly #o: LeaderPollersOptions;
  readonly #leaseMs: number;
  readonly #members = new Set<string>();
  readonly #running = new Map<string, Poller>();
  #timer: NodeJS.Timeout | null = null;
  #ticking: Promise<void> | null = null;
  #stopped = false;

  constructor(opts: LeaderPollersOptions) {
    this.#o = opts;
    this.#leaseMs = opts.leaseMs ?? 6000;
  }

  /** Watches the portal's fetch-mode bots: this instance polls those whose lease it holds. */
  async startFor(memberId: string): Promise<void> {
    this.#members.add(memberId);
    if (!this.#timer) {
      this.#timer = setInterval(() => void this.#tick(), Math.floor(this.#leaseMs / 3));
      this.#timer.unref();
    }
    await this.#tick();
  }

  /** Number of bots this instance polls now. */
  get leading(): number {
    return this.#running.size;
  }

  /** Stops every poller and gives the leaderships up, so another instance takes over at once. */
  async stopAll(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#ticking;
    await Promise.all([...this.#running.entries()].map(async ([name, p]) => {
      await p.stop();
      await this.#o.dropLease(name).catch(() => undefined);
    }));
    this.#running.clear();
  }

  #tick(): Promise<void> {
    this.#ticking ??= this.#round().finally(() => (this.#ticking = null));
    return this.#ticking;
  }

  async #round(): Promise<void> {
    for (const memberId of this.#members) {
      let bots: BotRecord[];
      try {
        bots = await this.#o.store.listBots(memberId);
      } catch (e) {
        this.#o.log.warn('poller leadership: reading bots failed', { memberId, err: e });
        continue;
      }
      for (const bot of bots) {
        if (bot.api !== 'v2' || bot.eventMode !== 'fetch' || bot.botId <= 0 || this.#stopped) continue;
        await this.#lead(`poller:${memberId}:${bot.botId}`, bot);
      }
    }
  }

  async #lead(name: string, bot: BotRecord): Promise<void> {
    let held = false;
    try {
      held = await this.#o.tryLease(name, this.#leaseMs);
    } catch (e) {
      // Cannot renew: stop polling, another instance may already lead (its lease is live, ours not renewed).
      this.#o.log.warn('poller leadership: lease not renewed', { name, err: e });
    }
    const running = this.#running.get(name);
    if (held && !running && !this.#stopped) {
      this.#o.log.info('leading the fetch poller of a bot', { memberId: bot.memberId, botCode: bot.code });
      const poller = this.#o.start(bot);
      this.#running.set(name, poller);
      void poller.done.then(() => {
        if (this.#running.get(name) === poller) this.#running.delete(name);
      });
    } else if (!held && running) {
      this.#o.log.info('fetch poller handed over to another instance', { memberId: bot.memberId, botCode: bot.code });
      this.#running.delete(name);
      await running.stop();
    }
  }
}
