import type { BotDeleteEvent, BotEvent, CommandEvent, JoinEvent, MessageEvent, MessageExtras } from '../../src/protocol/events.js';

type Base = Omit<MessageEvent, 'type' | 'message'>;

/** A typed event base for unit tests; override any field. */
export function baseEvent(over: Partial<Base> = {}): Base {
  return {
    api: 'v2',
    memberId: 'm1',
    domain: 'acme.bitrix24.com',
    bot: { id: 45, code: 'echo' },
    chat: { id: 17, dialogId: '1', kind: 'private', title: '' },
    user: { id: 1, name: 'John Smith', firstName: 'John', lastName: 'Smith', isBot: false, isExtranet: false },
    language: 'en',
    ts: 1772097308,
    eventId: null,
    raw: {},
    ...over,
  };
}

/** The extras of a plain message: no files, no reply, no forward, not a system message. */
export const NO_EXTRAS: MessageExtras = { files: [], replyToId: null, forward: null, isSystem: false };

/** A message event. */
export function messageEvent(text: string, over: Partial<Base> & { addressed?: boolean; messageId?: number } = {}): MessageEvent {
  const { addressed = true, messageId = 100, ...rest } = over;
  return { ...baseEvent(rest), type: 'message', message: { id: messageId, text, originalText: text, addressed, ...NO_EXTRAS } };
}

/** A command event. */
export function commandEvent(name: string, params = '', over: Partial<Base> & { context?: CommandEvent['command']['context'] } = {}): CommandEvent {
  const { context = 'textarea', ...rest } = over;
  return { ...baseEvent(rest), type: 'command', command: { id: 7, name, params, context }, messageId: 101 };
}

/** A join event. */
export function joinEvent(over: Partial<Base> = {}): JoinEvent {
  return { ...baseEvent(over), type: 'join' };
}

/** A bot deletion event. */
export function botDeleteEvent(over: Partial<Base> = {}): BotDeleteEvent {
  return { ...baseEvent(over), type: 'bot_delete' };
}

/** Any event list, typed. */
export type AnyEvent = BotEvent;
