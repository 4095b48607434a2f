import { startPoller, type Poller, type PollerOptions } from '../intake/poller.js';
import type { RegistryStore } from '../store/types.js';

/** The fetch-mode pollers of this process: one per v2 bot registered with `eventMode: fetch`. */
export class PollerSet {
  readonly #pollers = new Map<string, Poller>();
  readonly #store: Pick<RegistryStore, 'listBots'>;
  readonly #options: PollerOptions;

  constructor(store: Pick<RegistryStore, 'listBots'>, options: PollerOptions) {
    this.#store = store;
    this.#options = options;
  }

  /** Starts a poller for every fetch-mode bot of the portal that has none yet. */
  async startFor(memberId: string): Promise<void> {
    for (const bot of await this.#store.listBots(memberId)) {
      const key = `${memberId}:${bot.code}:${bot.botId}`;
      if (bot.api !== 'v2' || bot.eventMode !== 'fetch' || bot.botId <= 0 || this.#pollers.has(key)) continue;
      const poller = startPoller(bot, this.#options);
      this.#pollers.set(key, poller);
      // A poller that ended by itself (bot deleted, portal gone) is forgotten, so a re-sync can start a new one.
      void poller.done.then(() => {
        if (this.#pollers.get(key) === poller) this.#pollers.delete(key);
      });
    }
  }

  /** Stops every poller after its current poll. */
  async stopAll(): Promise<void> {
    await Promise.all([...this.#pollers.values()].map((p) => p.stop()));
    this.#pollers.clear();
  }
}
