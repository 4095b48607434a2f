import type { Logger } from '../log.js';
import type { BotEvent } from '../protocol/events.js';
import type { BotIdentity, BotProtocol } from '../protocol/outbound.js';
import { protocolV1 } from '../protocol/outbound-v1.js';
import { protocolV2 } from '../protocol/outbound-v2.js';
import type { Store } from '../store/types.js';
import type { BotDefinition } from './bot.js';
import { Context, type PortalClient, type ReplySink } from './context.js';
import { createDialogueControl } from './dialogue-control.js';
import { createTranslator, type Translator } from './i18n.js';
import { createSession } from './session.js';

/** The REST capability the runtime needs: any method on any stored portal. */
export interface PortalCaller {
  call<T = unknown>(memberId: string, method: string, params?: Record<string, unknown>): Promise<T>;
}

/** What the runtime needs. */
export interface RuntimeOptions {
  store: Store;
  bots: ReadonlyMap<string, BotDefinition>;
  sink: ReplySink;
  client: PortalCaller;
  log: Logger;
  clock?: () => number;
  dialogueTtlS?: number;
}

/** Runs bot modules for decoded events. */
export interface Runtime {
  /** Handles one event with the bot it is addressed to; throws what the bot's handlers throw. */
  handle(event: BotEvent): Promise<void>;
}

/** The protocol adapter of an API generation. */
export function protocolFor(api: 'v1' | 'v2'): BotProtocol {
  return api === 'v1' ? protocolV1 : protocolV2;
}

/** True when a group-chat message is not for this bot under its policy. */
function ignoredInGroup(event: BotEvent, def: BotDefinition): boolean {
  if (event.type !== 'message' && event.type !== 'message_edit') return false;
  if (event.chat.kind === 'private') return false;
  return def.groupPolicy === 'addressed' && !event.message.addressed;
}

/**
 * Creates the runtime: for each event it finds the bot module by code, builds a {@link Context}
 * bound to the portal, applies the group-chat policy and runs the bot's middleware.
 */
export function createRuntime(opts: RuntimeOptions): Runtime {
  const { store, bots, sink, client, log } = opts;
  const clock = opts.clock ?? Date.now;
  const ttlS = opts.dialogueTtlS ?? 86_400;
  const translators = new Map<string, Translator>();
  const translatorFor = (def: BotDefinition): Translator => {
    let t = translators.get(def.code);
    if (!t) translators.set(def.code, (t = createTranslator(def.options.texts ?? {}, def.options.fallbackLanguage ?? 'en')));
    return t;
  };

  async function identityOf(event: BotEvent): Promise<{ identity: BotIdentity; protocol: BotProtocol }> {
    const record = (await store.listBots(event.memberId)).find((b) => b.code === event.bot.code);
    const api = record?.api ?? event.api;
    return { identity: { botId: record?.botId ?? event.bot.id, botToken: record?.botToken ?? null }, protocol: protocolFor(api) };
  }

  function contextFor(event: BotEvent, def: BotDefinition, identity: BotIdentity, protocol: BotProtocol): Context {
    const base = `${event.memberId}:${identity.botId}`;
    const portalClient: PortalClient = { call: (method, params) => client.call(event.memberId, method, params) };
    return new Context(event, {
      protocol,
      identity,
      sink,
      client: portalClient,
      userSession: createSession(store, `sess:${base}:user:${event.user.id}`, clock, ttlS),
      chatSession: createSession(store, `sess:${base}:chat:${event.chat.dialogId}`, clock, ttlS),
      translate: translatorFor(def),
      dialogue: (ctx) => createDialogueControl(
        { store, clock, ttlS, dialogues: def.dialogues, key: `dlg:${base}:${event.chat.dialogId}:${event.user.id}` },
        () => ctx,
      ),
    });
  }

  return {
    async handle(event) {
      const def = bots.get(event.bot.code);
      if (!def) {
        log.debug('event for a bot with no module', { botCode: event.bot.code, memberId: event.memberId, type: event.type });
        return;
      }
      if (ignoredInGroup(event, def)) return;
      const { identity, protocol } = await identityOf(event);
      await def.middleware()(contextFor(event, def, identity, protocol), async () => undefined);
    },
  };
}
