import { encodePhpForm } from './php-form.js';
import type { BotRec, V1Handlers } from './bots.js';
import { actingUserId, eventName, intentBots, type EventIntent, type PayloadEnv } from './event-intent.js';
import { envelopeAuth } from './payload-auth.js';
import { v1Command, v1Join, v1MessageAdd, v1MessageChange } from './payload-v1.js';
import { v2Data } from './payload-v2.js';
import type { PortalState } from './portal-state.js';
import type { PostResult } from './poster.js';
import type { Delivery } from './types.js';
import { isoDate } from './views.js';

type Form = Record<string, unknown>;

const handlerIds = new WeakMap<PortalState, Map<string, number>>();

/** A stable `event_handler_id` per bound handler, like the portal's event table row ids. */
function handlerId(portal: PortalState, key: string): number {
  let ids = handlerIds.get(portal);
  if (!ids) handlerIds.set(portal, (ids = new Map()));
  let id = ids.get(key);
  if (id === undefined) ids.set(key, (id = 401 + ids.size * 2));
  return id;
}

/** Top-level `refresh_token` comes with message and command events only (facts §3). */
function withRefresh(intent: EventIntent): boolean {
  return intent.kind === 'message' || intent.kind === 'command';
}

function envelope(env: PayloadEnv, event: string, url: string, data: Form, bot: BotRec, intent: EventIntent): Form {
  return {
    event, event_handler_id: handlerId(env.portal, `${bot.ownerKey}|${event}|${url}`), data,
    ts: Math.floor(env.core.clock() / 1000), auth: envelopeAuth(env, bot, actingUserId(intent), withRefresh(intent)),
  };
}

/** Takes one hit of the portal's delivery fault: what to do with the next push. */
function takeDeliveryFault(env: PayloadEnv): { kind: 'drop' | 'delay'; delayMs: number } | null {
  const f = env.portal.deliveryFault;
  if (!f) return null;
  if (f.times !== undefined && (f.times -= 1) <= 0) env.portal.deliveryFault = null;
  return { kind: f.kind, delayMs: f.delayMs ?? 2000 };
}

async function post(env: PayloadEnv, url: string, body: string): Promise<PostResult> {
  const fault = takeDeliveryFault(env);
  if (fault?.kind === 'drop') return { status: null, body: '', error: 'dropped by an injected fault' };
  if (fault) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
  return env.core.poster.post(url, body);
}

async function push(env: PayloadEnv, url: string, form: Form, event: string, bots: BotRec[]): Promise<Delivery[]> {
  const body = encodePhpForm(form);
  const at = env.core.clock();
  const started = Date.now();
  const res = await post(env, url, body);
  const durationMs = Date.now() - started;
  const ok = res.status !== null && res.status >= 200 && res.status < 300;
  env.portal.stats.bump(ok ? 'eventsDelivered' : 'eventsFailed', bots.length);
  env.core.log.debug('emulator event pushed', { event, status: res.status, error: res.error });
  return bots.map((bot) => {
    const d: Delivery = { event, botCode: bot.code, mode: 'webhook', status: res.status, ...(res.error ? { error: res.error } : {}) };
    env.portal.stats.recordDelivery({ ...d, at, url, body, answer: res.body.slice(0, 2000), durationMs });
    return d;
  });
}

async function deliverV2(env: PayloadEnv, intent: EventIntent, bot: BotRec): Promise<Delivery[]> {
  const event = eventName(intent, 'v2');
  if (event === null) return [];
  if (bot.eventMode === 'fetch') {
    const now = env.core.clock();
    env.portal.eventLog.append(bot.id, event, isoDate(now), v2Data(env, intent, bot, 'fetch'), now);
    env.portal.stats.bump('eventsQueued');
    return [{ event, botCode: bot.code, mode: 'fetch', status: null }];
  }
  if (bot.webhookUrl === null) return [];
  const form = envelope(env, event, bot.webhookUrl, v2Data(env, intent, bot, 'webhook'), bot, intent);
  return push(env, bot.webhookUrl, form, event, [bot]);
}

const V1_HANDLER: Record<EventIntent['kind'], keyof V1Handlers> = {
  message: 'messageAdd', command: 'commandAdd', join: 'joinChat', reaction: 'messageAdd', botDelete: 'botDelete',
};

/** The URL a v1 bot's event goes to; webhook-registered bots get `CLIENT_ID` appended (facts §4). */
function v1Url(env: PayloadEnv, bot: BotRec, intent: EventIntent): string | null {
  const h = env.portal.bots.handlers(bot.ownerKey);
  const key = intent.kind === 'message' && intent.op !== 'add'
    ? (intent.op === 'update' ? 'messageUpdate' : 'messageDelete') : V1_HANDLER[intent.kind];
  const url = h[key];
  if (url === null || bot.authKind === 'oauth') return url;
  const u = new URL(url);
  u.searchParams.set('CLIENT_ID', bot.ownerKey.slice('custom'.length));
  return u.toString();
}

function v1Data(env: PayloadEnv, intent: EventIntent, bots: BotRec[]): Form {
  switch (intent.kind) {
    case 'message':
      return intent.op === 'add'
        ? v1MessageAdd(env, bots, intent.message, intent.chat, intent.user)
        : v1MessageChange(env, intent.op, bots, intent.message, intent.chat, intent.user);
    case 'join': return v1Join(env, intent.bot, intent.chat, intent.user);
    case 'command':
      return v1Command(env, intent.bot, intent.command, intent.params, intent.context, intent.message, intent.chat, intent.user);
    case 'botDelete': return { BOT_ID: intent.bot.id, BOT_CODE: intent.bot.code };
    case 'reaction': return {};
  }
}

function deliverV1(env: PayloadEnv, intent: EventIntent, bots: BotRec[]): Array<Promise<Delivery[]>> {
  const event = eventName(intent, 'v1');
  if (event === null) return [];
  const byUrl = new Map<string, BotRec[]>();
  for (const bot of bots) {
    const url = v1Url(env, bot, intent);
    if (url !== null) byUrl.set(url, [...(byUrl.get(url) ?? []), bot]);
  }
  return [...byUrl].map(([url, group]) => {
    const first = group[0] as BotRec;
    return push(env, url, envelope(env, event, url, v1Data(env, intent, group), first, intent), event, group);
  });
}

const HELD = 'not sent: the app installation is not finished (installFinish was not called)';

/**
 * DOC settings/app-installation/installation-finish.md: until the install page calls `installFinish`, no
 * event goes to the app's handlers. Bots of webhooks (not of the app) are not affected.
 */
function isHeld(env: PayloadEnv, bot: BotRec): boolean {
  return bot.authKind === 'oauth' && !env.portal.installFinished;
}

/**
 * Shapes each intent for every targeted bot (v1 or v2, push or fetch) and delivers it. v1 bots of one
 * app that share a handler URL get one request with several `data[BOT][<id>]` blocks; v2 bots get one
 * request each. Resolves when every push has its HTTP answer.
 */
export async function deliver(env: PayloadEnv, intents: EventIntent[]): Promise<Delivery[]> {
  const jobs: Array<Promise<Delivery[]>> = [];
  const held: Delivery[] = [];
  for (const intent of intents) {
    const bots = intentBots(intent).filter((bot) => {
      if (!isHeld(env, bot)) return true;
      const event = eventName(intent, bot.api);
      if (event !== null) held.push({ event, botCode: bot.code, mode: bot.eventMode, status: null, error: HELD });
      return false;
    });
    for (const bot of bots.filter((b) => b.api === 'v2')) jobs.push(deliverV2(env, intent, bot));
    jobs.push(...deliverV1(env, intent, bots.filter((b) => b.api === 'v1')));
  }
  return [...held, ...(await Promise.all(jobs)).flat()];
}
