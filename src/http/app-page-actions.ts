import { HttpError } from '../errors.js';
import type { Logger } from '../log.js';
import type { SyncPlan } from '../registry/plan.js';
import type { SyncReport } from '../registry/sync.js';
import type { OutboxAddResult, PortalRecord, Store } from '../store/types.js';
import type { Notice, PageFrame } from './app-page-html.js';
import { renderOverview } from './app-page-render.js';
import { renderConfirm, renderPlan, renderPlanFailed, renderSyncResult } from './app-page-results.js';
import { collectState, type StateSources } from './app-page-state.js';

/** The operations behind the app page's (and `/admin`'s) actions. */
export interface PageOperations {
  planSync(memberId: string): Promise<SyncPlan>;
  syncPortal(memberId: string): Promise<SyncReport>;
  unregisterBot(memberId: string, code: string): Promise<{ botId: number } | null>;
  /** Puts a dead letter back in the outbox and wakes the worker (`Outbox.retryDead`). */
  retryDead(id: number, memberId?: string): Promise<OutboxAddResult | null>;
}

/** A verified request of a session: the portal, the administrator and the frame of the page to render. */
export interface SessionContext {
  portal: PortalRecord;
  userId: number;
  frame: PageFrame;
}

/** A rendered answer. */
export interface PageAnswer {
  status: number;
  html: string;
}

/** What the actions need. */
export interface ActionDeps extends StateSources {
  store: Store;
  ops: PageOperations;
  log: Logger;
}

const BOT_CODE = /^[A-Za-z0-9_-]{1,64}$/;

/** The dead-letter id of a route parameter, or `404 APP_NOT_FOUND`. */
export function deadId(raw: unknown): number {
  const id = Number(raw);
  if (typeof raw !== 'string' || !/^[1-9][0-9]{0,15}$/.test(raw) || !Number.isSafeInteger(id)) throw notFound(`no dead letter ${String(raw).slice(0, 40)}`);
  return id;
}

const notFound = (message: string): HttpError => new HttpError(404, 'APP_NOT_FOUND', message);

/** The actions of the app page, each answering with a rendered page. */
export function pageActions(d: ActionDeps) {
  const overview = async (c: SessionContext, notice?: Notice): Promise<PageAnswer> =>
    ({ status: 200, html: renderOverview(c.frame, await collectState(d, c.portal), notice) });
  const meta = (c: SessionContext, more: Record<string, unknown> = {}): Record<string, unknown> => ({ memberId: c.portal.memberId, userId: c.userId, ...more });

  async function registeredBot(c: SessionContext, code: string): Promise<number> {
    const bot = BOT_CODE.test(code) ? (await d.store.listBots(c.portal.memberId)).find((b) => b.code === code && b.botId > 0) : undefined;
    if (!bot) throw notFound(`no bot ${code.slice(0, 64)} is registered on this portal`);
    return bot.botId;
  }

  return {
    overview,

    async plan(c: SessionContext): Promise<PageAnswer> {
      let plan: SyncPlan;
      try {
        plan = await d.ops.planSync(c.portal.memberId);
      } catch (e) {
        d.log.warn('app page: sync plan failed', meta(c, { err: e }));
        return { status: 502, html: renderPlanFailed(c.frame, (e as Error).message) };
      }
      d.log.info('app page: sync plan shown', meta(c, { changes: plan.changes.length }));
      return { status: 200, html: renderPlan(c.frame, plan) };
    },

    async sync(c: SessionContext): Promise<PageAnswer> {
      const report = await d.ops.syncPortal(c.portal.memberId);
      d.log.info('app page: sync run', meta(c, { changes: report.changes.length, failed: report.changes.filter((x) => !x.ok).length }));
      return { status: 200, html: renderSyncResult(c.frame, report) };
    },

    async unregister(c: SessionContext, code: string, confirmed: boolean): Promise<PageAnswer> {
      const botId = await registeredBot(c, code);
      if (!confirmed) {
        return { status: 200, html: renderConfirm(c.frame, {
          title: `Unregister bot ${code}?`, button: `Unregister ${code}`, action: `/bots/${encodeURIComponent(code)}/unregister`,
          text: `Bot ${code} (#${botId}) will be removed from ${c.portal.domain} with its commands; its chats with users are lost. `
            + 'While it is still declared in bots/, the next sync registers it again as a new bot.',
        }) };
      }
      const done = await d.ops.unregisterBot(c.portal.memberId, code);
      if (!done) throw notFound(`no bot ${code} is registered on this portal`);
      d.log.info('app page: bot unregistered', meta(c, { botCode: code, botId: done.botId }));
      return overview(c, { kind: 'ok', text: `Bot ${code} (#${done.botId}) was unregistered.` });
    },

    async retry(c: SessionContext, id: number): Promise<PageAnswer> {
      const r = await d.ops.retryDead(id, c.portal.memberId);
      if (!r) throw notFound(`no dead letter ${id} on this portal`);
      d.log.info('app page: dead letter retried', meta(c, { id, status: r.status }));
      const text = r.status === 'queued' ? `Dead letter ${id} was queued again as reply ${r.id}.`
        : r.status === 'pending' ? `Dead letter ${id} was already queued again as reply ${r.id}; the dead letter was removed.`
          : `Dead letter ${id} had been delivered meanwhile; the dead letter was removed.`;
      return overview(c, { kind: 'ok', text });
    },

    async discard(c: SessionContext, id: number, confirmed: boolean): Promise<PageAnswer> {
      if (!confirmed) {
        const letter = (await d.store.outboxDeadList(10_000, c.portal.memberId)).find((x) => x.id === id);
        if (!letter) throw notFound(`no dead letter ${id} on this portal`);
        return { status: 200, html: renderConfirm(c.frame, {
          title: `Discard dead letter ${id}?`, button: `Discard ${id}`, action: `/dead/${id}/discard`,
          text: `The ${letter.method} call for dialogue ${letter.dialogueKey} (${letter.reason}) will be deleted and never sent.`,
        }) };
      }
      if (!(await d.store.outboxDeadDiscard(id, c.portal.memberId))) throw notFound(`no dead letter ${id} on this portal`);
      d.log.info('app page: dead letter discarded', meta(c, { id }));
      return overview(c, { kind: 'ok', text: `Dead letter ${id} was discarded.` });
    },
  };
}
