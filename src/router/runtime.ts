import { createHash, randomUUID } from 'node:crypto';
import type { Logger } from '../log.js';
import type { BotEvent } from '../protocol/events.js';
import type { BotIdentity, BotProtocol } from '../protocol/outbound.js';
import { ReadCache } from '../store/read-cache.js';
import type { BotRecord, RegistryStore, StateStore } from '../store/types.js';
import type { AnyBotDefinition } from './bot.js';
import { Context, type PortalClient, type ReplySink } from './context.js';
import { createDialogueControl } from './dialogue-control.js';
import { createTranslator, type Translator } from './i18n.js';
import { createSession } from './session.js';
import { protocolFor } from '../protocol/protocols.js';
import type { PortalCaller } from '../rest/client.js';

export type { PortalCaller };

/** What the runtime needs. */
export interface RuntimeOptions {
  /** Bots (identity per portal) and state (sessions, dialogues). */
  store: Pick<RegistryStore, 'listBots' | 'deleteBot'> & StateStore;
  /** How long a portal's bot records are reused across events (default 5 s). */
  botCacheMs?: number;
  bots: ReadonlyMap<string, AnyBotDefinition>;
  sink: ReplySink;
  client: PortalCaller;
  log: Logger;
  clock?: () => number;
  dialogueTtlS?: number;
}

/** Runs bot modules for decoded events. */
export interface Runtime {
  /**
   * Handles one event with the bot it is addressed to; throws what the bot's handlers throw. `key` (the
   * event's dedupe key) makes the handler's outgoing idempotency keys stable across re-runs.
   */
  handle(event: BotEvent, key?: string): Promise<void>;
}

export { protocolFor };

/**
 * A lowercase UUIDv4 derived from `seed` (version nibble `4`, variant `8`-`b`): the v2 `templateId`.
 * The platform keeps only values matching its `Message\Uuid::validate` pattern and silently drops
 * any other, so a key of another shape would not be deduplicated at all.
 */
export function stableUuid(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  const variant = ((parseInt(h.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Idempotency keys for one handler run: stable per event key and call position, random without a key. */
function keySequence(eventKey: string | undefined): () => string {
  let n = 0;
  return () => (eventKey === undefined ? randomUUID() : stableUuid(`${eventKey}#${n++}`));
}

/**
 * Applies the group-chat policy. The platform delivers group messages to `bot`/`openline` bots only
 * when they are addressed (`chat-bots-v2/index.md#bot-types`; ONIMBOTV2MESSAGEADD is "a message
 * addressed to the bot"), whether or not the delivered text still shows the mention: such an event
 * is addressed. Supervisor and personal bots get every message of their chats; only they can filter
 * by mention (or command), with `groupMessages: 'addressed'`. Returns null when the bot ignores it.
 */
function underGroupPolicy(event: BotEvent, def: AnyBotDefinition): BotEvent | null {
  if (event.type !== 'message' && event.type !== 'message_edit') return event;
  if (event.chat.kind === 'private') return event;
  if (!def.seesEveryGroupMessage) return event.message.addressed ? event : { ...event, message: { ...event.message, addressed: true } };
  return def.groupPolicy === 'addressed' && !event.message.addressed ? null : event;
}

/**
 * Creates the runtime: for each event it finds the bot module by code, builds a {@link Context}
 * bound to the portal, applies the group-chat policy and runs the bot's middleware.
 */
export function createRuntime(opts: RuntimeOptions): Runtime {
  const { store, bots, sink, client, log } = opts;
  const botCache = new ReadCache<BotRecord[]>({ ttlMs: opts.botCacheMs ?? 5000, ...(opts.clock ? { clock: opts.clock } : {}) });
  const clock = opts.clock ?? Date.now;
  const ttlS = opts.dialogueTtlS ?? 86_400;
  const translators = new Map<string, Translator>();
  // Bots are complete once loaded: compose each chain once, not per event.
  const chains = new Map([...bots].map(([code, def]) => [code, def.middleware()]));
  const translatorFor = (def: AnyBotDefinition): Translator => {
    let t = translators.get(def.code);
    if (!t) translators.set(def.code, (t = createTranslator(def.options.texts ?? {}, def.options.fallbackLanguage ?? 'en')));
    return t;
  };

  async function identityOf(event: BotEvent): Promise<{ identity: BotIdentity; protocol: BotProtocol }> {
    const load = (): Promise<BotRecord[]> => store.listBots(event.memberId);
    let record = (await botCache.get(event.memberId, load)).find((b) => b.code === event.bot.code);
    // A bot registered again (new id and token) must not answer with the cached identity.
    if (!record || record.botId !== event.bot.id) record = (await botCache.refresh(event.memberId, load)).find((b) => b.code === event.bot.code);
    const api = record?.api ?? event.api;
    return { identity: { botId: record?.botId ?? event.bot.id, botToken: record?.botToken ?? null }, protocol: protocolFor(api) };
  }

  function contextFor(event: BotEvent, def: AnyBotDefinition, identity: BotIdentity, protocol: BotProtocol, key: string | undefined): Context {
    const base = `${event.memberId}:${identity.botId}`;
    const portalClient: PortalClient = {
      call: (method, ...params) => client.call(event.memberId, method, params[0] as Record<string, unknown> | undefined) as never,
    };
    return new Context(event, {
      protocol,
      identity,
      sink,
      client: portalClient,
      userSession: createSession(store, `sess:${base}:user:${event.user.id}`, clock, ttlS),
      chatSession: createSession(store, `sess:${base}:chat:${event.chat.dialogId}`, clock, ttlS),
      translate: translatorFor(def),
      nextKey: keySequence(key),
      dialogue: (ctx) => createDialogueControl(
        { store, clock, ttlS, dialogues: def.dialogues, key: `dlg:${base}:${event.chat.dialogId}:${event.user.id}` },
        () => ctx,
      ),
    });
  }

  async function run(event: BotEvent, key: string | undefined): Promise<void> {
    const def = bots.get(event.bot.code);
    if (!def) {
      log.debug('event for a bot with no module', { botCode: event.bot.code, memberId: event.memberId, type: event.type });
      return;
    }
    const routed = underGroupPolicy(event, def);
    if (routed === null) return;
    const { identity, protocol } = await identityOf(routed);
    const chain = chains.get(routed.bot.code) ?? def.middleware();
    // A bot's chain expects its own context type; the fields it adds to Context are installed by the
    // plugins at the head of that chain, so the plain context is what it starts from.
    await chain(contextFor(routed, def, identity, protocol, key) as never, async () => undefined);
  }

  return {
    async handle(event, key) {
      try {
        await run(event, key);
      } finally {
        // The platform deleted the bot: forget it, so that a re-sync registers it again.
        if (event.type === 'bot_delete') {
          await store.deleteBot(event.memberId, event.bot.code);
          botCache.forget(event.memberId);
          log.warn('bot deleted on the portal', { memberId: event.memberId, botCode: event.bot.code });
        }
      }
    },
  };
}
