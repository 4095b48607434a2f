import { EventEmitter } from 'node:events';
import { BotRegistry, type BotRec } from './bots.js';
import { ChatStore } from './chats.js';
import { Stats } from './counters.js';
import { Directory, type UserRec } from './directory.js';
import { EventLog } from './event-log.js';
import { FileStore } from './files.js';
import { FrameSessions } from './frame/sessions.js';
import { randomHex } from './ids.js';
import { LeakyBucket } from './leaky-bucket.js';
import { OperatingBudget } from './operating.js';
import type { DeliveryFault, OperatingOptions, RateLimit } from './types.js';
import { MessageUuids } from './uuids.js';

/** Limits of the two plans (facts §7.1). */
export const PLAN_LIMITS: Readonly<Record<'standard' | 'enterprise', RateLimit>> = {
  standard: { rate: 2, burst: 50 },
  enterprise: { rate: 5, burst: 250 },
};

/** What a portal is built from. */
export interface PortalInit {
  index: number;
  url: string;
  host: string;
  rateLimit: RateLimit | null;
  operating: OperatingOptions | undefined;
  nextEventId: () => number;
  nowMs: number;
}

/** The whole state of one emulated portal. Index 0 is the default portal at `/rest/`. */
export class PortalState {
  readonly index: number;
  readonly memberId = randomHex(16);
  readonly applicationToken = randomHex(16);
  readonly basePath: string;
  readonly baseUrl: string;
  readonly clientEndpoint: string;
  readonly domain: string;
  readonly directory = new Directory();
  readonly chats = new ChatStore();
  readonly bots = new BotRegistry();
  /** v2 `templateId`s, portal-wide (see {@link MessageUuids}). */
  readonly uuids = new MessageUuids();
  readonly stats = new Stats();
  /** Chat files (uploads and generated ones) and their download tokens. */
  readonly files = new FileStore();
  /** Webhook code → the user it acts as. */
  readonly webhooks = new Map<string, number>();
  /**
   * Whether the app counts as installed (`app.info` INSTALLED). True for an API-only app (installed as soon
   * as it is added); false from {@link EmulatedPortal.beginUiInstall} until the install page calls
   * `installFinish` (DOC settings/app-installation/installation-finish.md): until then no events go out.
   */
  installFinished = true;
  /** The app frames rendered on this portal, by `APP_SID` (see frame/routes.ts). */
  readonly frames = new FrameSessions();
  /** The leaky bucket; replaced by {@link EmulatedPortal.setRateLimit}. */
  bucket: LeakyBucket | null;
  /** An injected fault of event pushes (drop or delay), see {@link EmulatedPortal.setDeliveryFault}. */
  deliveryFault: DeliveryFault | null = null;
  readonly operating: OperatingBudget;
  readonly eventLog: EventLog;
  /**
   * Emits `posted` (a bot message was stored or changed), `message` (a user's message was stored or
   * changed, or got a reaction), `typing` (`{userId, chatId}`) and `chats` (chats or members changed).
   */
  readonly emitter = new EventEmitter();

  constructor(init: PortalInit) {
    this.index = init.index;
    this.basePath = init.index === 0 ? '' : `/p/${init.index}`;
    this.baseUrl = `${init.url}${this.basePath}`;
    this.clientEndpoint = `${this.baseUrl}/rest/`;
    this.domain = init.host;
    this.bucket = init.rateLimit ? new LeakyBucket(init.rateLimit.rate, init.rateLimit.burst, init.nowMs) : null;
    this.operating = new OperatingBudget(init.operating);
    this.eventLog = new EventLog(init.nextEventId);
    this.emitter.setMaxListeners(0);
  }

  /** The user record of a bot (bots are users). */
  botUser(bot: BotRec): UserRec {
    return this.directory.get(bot.id) ?? {
      id: bot.id, name: bot.code, firstName: bot.code, lastName: '', workPosition: '', gender: 'M', isBot: true, admin: false,
    };
  }
}
