import type { Logger } from './log.js';
import type { FaultRegistry } from './faults.js';
import type { PortalState } from './portal-state.js';
import type { EventPoster } from './poster.js';
import type { TokenStore } from './tokens.js';

/** The services every part of the emulator shares: clock, tokens, faults, event transport, portals. */
export interface Core {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** `127.0.0.1:<port>` */
  readonly host: string;
  readonly clock: () => number;
  readonly log: Logger;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly tokens: TokenStore;
  readonly faults: FaultRegistry;
  readonly poster: EventPoster;
  /** Whether v2 group message events drop the receiving bot's mention (see `EmulatorOptions.v2GroupMentions`). */
  readonly v2StripMentions: boolean;
  /** The OAuth server's REST endpoint, `${url}/rest/`. */
  readonly serverEndpoint: string;
  portal(memberId: string): PortalState | undefined;
  portalAt(index: number): PortalState | undefined;
  portals(): PortalState[];
  nextEventId(): number;
  /** Keeps a background task (an event push after an answer) so that close() can wait for it. */
  track(task: Promise<unknown>): void;
}
