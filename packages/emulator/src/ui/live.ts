import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MessageRec } from '../chats.js';
import type { PortalState } from '../portal-state.js';
import type { DeliveryRecord, RestRequestLog } from '../types.js';
import { deliveryView, messageView, requestView } from './views.js';

const STATE_METHODS = /(register|unregister|update|bot\.add|bot\.delete|chat\.user\.add|Chat\.join)/i;

/** One open server-sent-events stream. */
function write(res: ServerResponse, event: string, data: unknown): void {
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

/** The portal's bucket level, sampled for the inspector's chart. */
function bucketSample(state: PortalState, clock: () => number): Record<string, unknown> {
  const b = state.bucket;
  return b ? { at: clock(), level: Math.round(b.level(clock()) * 100) / 100, rate: b.rate, burst: b.burst } : { at: clock(), level: null };
}

/**
 * Serves `GET /ui/api/events`: a server-sent-events stream of the portal's life: `message` (a message
 * was posted or changed, rendered), `typing`, `request` (a REST call), `delivery` (an event push),
 * `bucket` (the leaky-bucket level, every second) and `state` (bots, chats or members changed).
 */
export function serveEvents(state: PortalState, clock: () => number, req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
  res.write('retry: 1000\n\n');
  const onMessage = (m: MessageRec): void => write(res, 'message', messageView(state, m));
  const onTyping = (t: { userId: number; chatId: number }): void => write(res, 'typing', { ...t, name: state.directory.get(t.userId)?.name ?? '' });
  const onChats = (): void => write(res, 'state', {});
  const offRequest = state.stats.onRequest((e: RestRequestLog) => {
    write(res, 'request', requestView(e));
    if (e.status === 200 && STATE_METHODS.test(e.method)) write(res, 'state', {});
  });
  const offDelivery = state.stats.onDelivery((d: DeliveryRecord) => write(res, 'delivery', deliveryView(d)));
  state.emitter.on('posted', onMessage);
  state.emitter.on('message', onMessage);
  state.emitter.on('typing', onTyping);
  state.emitter.on('chats', onChats);
  const timer = setInterval(() => write(res, 'bucket', bucketSample(state, clock)), 1000);
  write(res, 'bucket', bucketSample(state, clock));
  const close = (): void => {
    clearInterval(timer);
    offRequest();
    offDelivery();
    state.emitter.off('posted', onMessage);
    state.emitter.off('message', onMessage);
    state.emitter.off('typing', onTyping);
    state.emitter.off('chats', onChats);
  };
  req.once('close', close);
  res.once('close', close);
}
