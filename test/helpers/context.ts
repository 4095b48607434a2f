import type { BotEvent } from '../../src/protocol/events.js';
import { protocolV2 } from '../../src/protocol/outbound-v2.js';
import { Context, type ReplySink } from '../../src/router/context.js';
import { createDialogueControl } from '../../src/router/dialogue-control.js';
import { createTranslator } from '../../src/router/i18n.js';
import { createSession } from '../../src/router/session.js';
import { createMemoryStore } from '../../src/store/memory.js';

/** A call the context handed to its sink. */
export interface SentCall {
  method: string;
  params: Record<string, unknown>;
  dialogueKey: string;
}

/** A context over a memory store whose sink records calls instead of sending them. */
export function testContext<E extends BotEvent>(event: E): { ctx: Context<E>; sent: SentCall[] } {
  const sent: SentCall[] = [];
  const sink: ReplySink = {
    enqueue: async (item) => {
      sent.push({ method: item.method, params: item.params, dialogueKey: item.dialogueKey });
      return { delivered: Promise.resolve({ id: sent.length }) };
    },
  };
  const store = createMemoryStore();
  const clock = (): number => Date.now();
  const ctx = new Context(event, {
    protocol: protocolV2,
    identity: { botId: event.bot.id, botToken: null },
    sink,
    client: { call: async () => { throw new Error('no REST in unit tests'); } },
    userSession: createSession(store, 'u', clock, 60),
    chatSession: createSession(store, 'c', clock, 60),
    nextKey: () => crypto.randomUUID(),
    translate: createTranslator({ en: { hi: 'Hi {name}' }, de: { hi: 'Hallo {name}' } }, 'en'),
    dialogue: (c) => createDialogueControl({ store, key: 'dlg', clock, ttlS: 60, dialogues: new Map() }, () => c),
  });
  return { ctx, sent };
}
