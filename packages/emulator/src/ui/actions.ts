import { EmulatorError } from '../errors.js';
import type { Portal } from '../portal.js';
import type { PortalState } from '../portal-state.js';
import type { FaultSpec } from '../types.js';

// What the chat page's buttons do, on the scripted-user and control API of a portal. Every action
// takes a parsed JSON object; misuse throws EMULATOR_USAGE (answered 400 by the route).

type Body = Record<string, unknown>;

function usage(message: string): EmulatorError {
  return new EmulatorError('EMULATOR_USAGE', message);
}

function int(b: Body, key: string): number {
  const v = b[key];
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n)) throw usage(`"${key}" must be an integer`);
  return n;
}

function positive(b: Body, key: string): number {
  const n = Number(b[key]);
  if (!Number.isFinite(n) || n <= 0) throw usage(`"${key}" must be a positive number`);
  return n;
}

function text(b: Body, key: string, max = 20_000): string {
  const v = b[key];
  if (typeof v !== 'string' || v.length > max) throw usage(`"${key}" must be a string of at most ${max} characters`);
  return v;
}

function ints(b: Body, key: string): number[] {
  const v = b[key];
  if (!Array.isArray(v) || v.length > 200 || !v.every((x) => Number.isSafeInteger(x))) throw usage(`"${key}" must be a list of ids`);
  return v as number[];
}

function strings(b: Body, key: string): string[] {
  const v = b[key];
  if (!Array.isArray(v) || v.length > 200 || !v.every((x) => typeof x === 'string')) throw usage(`"${key}" must be a list of strings`);
  return v as string[];
}

/** Where a user's message goes: the group `chatN`, or the bot of a private chat. */
function target(state: PortalState, chatId: number, from: number): string {
  const chat = state.chats.chat(chatId);
  if (!chat) throw usage(`no chat ${chatId}`);
  if (chat.kind === 'group') return `chat${chat.id}`;
  const other = [...chat.members].find((id) => id !== from);
  const bot = other === undefined ? undefined : state.bots.byId(other);
  if (!bot) throw usage(`chat ${chatId} is not a dialog of user ${from} with a bot`);
  return bot.code;
}

/** Opens (creating) the private chat of a user with a bot; the first time, the bot gets JOINCHAT. */
async function openPrivate(portal: Portal, state: PortalState, b: Body): Promise<unknown> {
  const from = int(b, 'from');
  const bot = state.bots.byCode(text(b, 'bot', 100));
  if (!bot || !state.directory.get(from)) throw usage('no such user or bot');
  const fresh = !state.chats.allChats().some((c) => c.kind === 'private' && c.members.has(from) && c.members.has(bot.id));
  const chat = state.chats.privateChat(from, bot.id);
  if (fresh) await portal.openDialog(from, bot.code);
  return { chatId: chat.id };
}

async function createGroup(portal: Portal, b: Body): Promise<unknown> {
  const from = int(b, 'from');
  const title = text(b, 'title', 200).trim() || 'New chat';
  const dialogId = portal.createChat({ title, userIds: [from, ...ints(b, 'userIds')], ownerId: from });
  for (const code of strings(b, 'bots')) await portal.addBotToChat(code, dialogId, from);
  return { chatId: Number(dialogId.slice(4)) };
}

const FAULT_STATUS: Record<string, Partial<FaultSpec>> = {
  503: { kind: 'status', status: 503, error: 'QUERY_LIMIT_EXCEEDED', errorDescription: 'Too many requests' },
  429: { kind: 'status', status: 429, error: 'OPERATION_TIME_LIMIT', errorDescription: 'Method is blocked due to operation time limit.' },
  500: { kind: 'status', status: 500, error: 'INTERNAL_SERVER_ERROR', errorDescription: 'Internal server error' },
  502: { kind: 'status', status: 502, error: 'BAD_GATEWAY', errorDescription: 'Bad gateway' },
  timeout: { kind: 'timeout' },
  reset: { kind: 'reset' },
};

/** The fault panel: tokens, plan/bucket, REST faults per method, delivery faults, event mode. */
function fault(portal: Portal, b: Body): unknown {
  switch (text(b, 'op', 40)) {
    case 'expireTokens': return void portal.expireAccessTokens();
    case 'plan': {
      const plan = text(b, 'plan', 20);
      if (plan !== 'standard' && plan !== 'enterprise' && plan !== 'unlimited') throw usage('plan is standard, enterprise or unlimited');
      return void portal.setRateLimit(plan === 'unlimited' ? null : plan);
    }
    case 'bucket': return void portal.setRateLimit({ rate: positive(b, 'rate'), burst: positive(b, 'burst') });
    case 'inject': {
      const spec = FAULT_STATUS[text(b, 'fault', 20)];
      if (!spec) throw usage(`fault is one of ${Object.keys(FAULT_STATUS).join(', ')}`);
      const method = text(b, 'method', 200).trim();
      const times = b['times'] === undefined || b['times'] === '' ? undefined : int(b, 'times');
      portal.faults.add({ ...spec, kind: spec.kind ?? 'status', portal: portal.memberId,
        ...(method ? { method } : {}), ...(times !== undefined ? { times } : {}) });
      return portal.faults.list().length;
    }
    case 'clearFaults': return void portal.faults.clear();
    case 'delivery': {
      const kind = text(b, 'kind', 10);
      if (kind === 'none') return void portal.setDeliveryFault(null);
      if (kind !== 'drop' && kind !== 'delay') throw usage('kind is drop, delay or none');
      const times = b['times'] === undefined || b['times'] === '' ? undefined : int(b, 'times');
      return void portal.setDeliveryFault({ kind, ...(b['delayMs'] !== undefined ? { delayMs: int(b, 'delayMs') } : {}),
        ...(times !== undefined ? { times } : {}) });
    }
    case 'eventMode': {
      const mode = text(b, 'mode', 10);
      if (mode !== 'webhook' && mode !== 'fetch') throw usage('mode is webhook or fetch');
      return void portal.setEventMode(text(b, 'bot', 100), mode);
    }
    default: throw usage('unknown fault operation');
  }
}

/** Runs the page action `name` with its JSON body; resolves with what to answer. */
export async function runAction(portal: Portal, state: PortalState, name: string, b: Body): Promise<unknown> {
  switch (name) {
    case 'send': {
      const from = int(b, 'from');
      const res = await portal.sendMessage({ from, to: target(state, int(b, 'chatId'), from), text: text(b, 'text') });
      return { messageId: res.messageId };
    }
    case 'press': return portal.pressButton({ from: int(b, 'from'), messageId: int(b, 'messageId'), button: int(b, 'button') });
    case 'menu': return portal.pressMenuItem({ from: int(b, 'from'), messageId: int(b, 'messageId'), item: int(b, 'item') });
    case 'edit': return portal.editMessage({ from: int(b, 'from'), messageId: int(b, 'messageId'), text: text(b, 'text') });
    case 'delete': return portal.deleteMessage({ from: int(b, 'from'), messageId: int(b, 'messageId') });
    case 'react': return portal.react({ from: int(b, 'from'), messageId: int(b, 'messageId'), reaction: text(b, 'reaction', 40),
      action: b['action'] === 'delete' ? 'delete' : 'add' });
    case 'open': return openPrivate(portal, state, b);
    case 'group': {
      const out = await createGroup(portal, b);
      state.emitter.emit('chats');
      return out;
    }
    case 'fault': return fault(portal, b) ?? null;
    default: throw usage(`unknown action "${name}"`);
  }
}
