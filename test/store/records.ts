import { portalRecord } from '../helpers/common.js';
import type { BotRecord, CommandRecord, InboxItem, OutboxItem, PortalRecord } from '../../src/store/types.js';

/** An OAuth portal record with every field set; override what a test is about. */
export function makePortal(overrides: Partial<PortalRecord> = {}): PortalRecord {
  return portalRecord({
    memberId: 'm-1', domain: 'one.bitrix24.test', clientEndpoint: 'https://one.bitrix24.test/rest/',
    applicationToken: 'app-token-1', expiresAt: 5_000_000, installedAt: 100, updatedAt: 200, ...overrides,
  });
}

/** A v2 webhook-mode bot on portal `m-1`. */
export function makeBot(overrides: Partial<BotRecord> = {}): BotRecord {
  return {
    memberId: 'm-1',
    code: 'echo',
    botId: 45,
    api: 'v2',
    eventMode: 'webhook',
    botToken: 'bot-token',
    handlerUrl: 'https://bots.example.com/events',
    registeredAt: 300,
    ...overrides,
  };
}

/** A command of bot `echo` on portal `m-1`. */
export function makeCommand(overrides: Partial<CommandRecord> = {}): CommandRecord {
  return { memberId: 'm-1', botCode: 'echo', command: 'help', commandId: 7, ...overrides };
}

/** An inbox item for dialogue `chat1`. */
export function makeInbox(overrides: Partial<InboxItem> = {}): InboxItem {
  return { key: 'evt-1', memberId: 'm-1', dialogueKey: 'chat1', payload: '{"text":"hi"}', receivedAt: 1_000, ...overrides };
}

/** What `outboxAdd` takes: a reply for dialogue `chat1`. */
export function makeReply(
  overrides: Partial<Omit<OutboxItem, 'id' | 'attempts' | 'notBefore' | 'createdAt'>> = {},
): Omit<OutboxItem, 'id' | 'attempts' | 'notBefore' | 'createdAt'> {
  return {
    memberId: 'm-1',
    dialogueKey: 'chat1',
    method: 'imbot.v2.Chat.Message.send',
    params: '{"message":"hello"}',
    idempotencyKey: 'idem-1',
    ...overrides,
  };
}
