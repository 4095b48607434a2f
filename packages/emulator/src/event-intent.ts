import type { BotRec, CommandRec } from './bots.js';
import type { ChatRec, MessageRec } from './chats.js';
import type { Core } from './core.js';
import type { UserRec } from './directory.js';
import type { PortalState } from './portal-state.js';

/** The portal an event comes from, with the shared services. */
export interface PayloadEnv {
  core: Core;
  portal: PortalState;
}

/** Something that happened and must reach bots, before it is shaped for a generation and a mode. */
export type EventIntent =
  | { kind: 'message'; op: 'add' | 'update' | 'delete'; message: MessageRec; chat: ChatRec; user: UserRec; bots: BotRec[] }
  | { kind: 'command'; bot: BotRec; command: CommandRec; params: string; context: 'textarea' | 'keyboard' | 'menu';
      message: MessageRec; chat: ChatRec; user: UserRec }
  | { kind: 'join'; bot: BotRec; chat: ChatRec; user: UserRec }
  | { kind: 'reaction'; bot: BotRec; message: MessageRec; chat: ChatRec; user: UserRec; reaction: string; action: 'add' | 'delete' }
  | { kind: 'botDelete'; bot: BotRec; userId: number };

const V1_MESSAGE = { add: 'ONIMBOTMESSAGEADD', update: 'ONIMBOTMESSAGEUPDATE', delete: 'ONIMBOTMESSAGEDELETE' } as const;
const V2_MESSAGE = { add: 'ONIMBOTV2MESSAGEADD', update: 'ONIMBOTV2MESSAGEUPDATE', delete: 'ONIMBOTV2MESSAGEDELETE' } as const;

/** The wire event name of an intent for a generation; null when the generation has no such event. */
export function eventName(intent: EventIntent, api: 'v1' | 'v2'): string | null {
  switch (intent.kind) {
    case 'message': return api === 'v1' ? V1_MESSAGE[intent.op] : V2_MESSAGE[intent.op];
    case 'command': return api === 'v1' ? 'ONIMCOMMANDADD' : 'ONIMBOTV2COMMANDADD';
    case 'join': return api === 'v1' ? 'ONIMBOTJOINCHAT' : 'ONIMBOTV2JOINCHAT';
    case 'reaction': return api === 'v1' ? null : 'ONIMBOTV2REACTIONCHANGE';
    case 'botDelete': return api === 'v1' ? 'ONIMBOTDELETE' : 'ONIMBOTV2DELETE';
  }
}

/** The bots an intent targets. */
export function intentBots(intent: EventIntent): BotRec[] {
  return intent.kind === 'message' ? intent.bots : [intent.bot];
}

/** The user whose action caused the event (the top-level `auth` belongs to this user). */
export function actingUserId(intent: EventIntent): number {
  return intent.kind === 'botDelete' ? intent.userId : intent.user.id;
}
