import type { AppliedChange } from '../registry/apply.js';
import { describeChange, type SyncPlan } from '../registry/plan.js';
import type { SyncReport } from '../registry/sync.js';
import { badge, layout, postForm, type PageFrame } from './app-page-html.js';
import { esc } from './html.js';

const back = (f: PageFrame, label = 'Back to the bots'): string => postForm(f, '/view', label);

/** The sync plan: every change a sync would make, and a form that runs it. */
export function renderPlan(f: PageFrame, plan: SyncPlan): string {
  const list = plan.changes.length === 0
    ? '<p class="notice ok">The portal matches bots/: a sync would change nothing.</p>'
    : `<ul class="changes" id="plan">${plan.changes.map((c) => `<li>${badge(c.action.startsWith('unregister') ? 'bad' : c.action.startsWith('register') ? 'ok' : 'info', c.action)} <span>${esc(describeChange(c))}</span></li>`).join('')}</ul>`;
  const run = plan.changes.length === 0 ? '' : postForm(f, '/sync', `Run sync: ${plan.changes.length} change${plan.changes.length === 1 ? '' : 's'}`, { cls: 'primary' });
  return layout(f, 'Sync plan', `<h1>Sync plan</h1><p>What a sync of this portal with bots/ would change. Nothing has been changed yet.</p>
${list}<div class="row">${run}${back(f, plan.changes.length === 0 ? 'Back to the bots' : 'Cancel')}</div>`);
}

/** The plan could not be made: the portal could not be read. */
export function renderPlanFailed(f: PageFrame, message: string): string {
  return layout(f, 'Sync plan', `<h1>Sync plan</h1><div class="row">${back(f)}</div>`, { kind: 'bad', text: `The portal could not be read, so no plan could be made: ${message}` });
}

function changeLine(c: AppliedChange): string {
  const state = c.ok ? badge('ok', 'done') : badge('bad', 'failed');
  return `<li>${state} <span>${esc(describeChange(c))}${c.error ? `<span class="muted small"> — ${esc(c.error)}</span>` : ''}</span></li>`;
}

/** What a sync did: each change with its outcome, and the bots as registered afterwards. */
export function renderSyncResult(f: PageFrame, report: SyncReport): string {
  const failed = report.changes.filter((c) => !c.ok).length;
  const changes = report.changes.length === 0 ? '<p class="muted">Nothing needed changing.</p>' : `<ul class="changes" id="result">${report.changes.map(changeLine).join('')}</ul>`;
  const bots = report.bots.map((b) => `<tr><td class="mono">${esc(b.code)}</td><td>${b.botId === null ? badge('bad', 'not registered') : `#${b.botId}`}</td>
<td class="mono">${esc(b.commands.map((c) => `/${c}`).join(' '))}</td><td>${esc(b.error ?? '')}</td></tr>`).join('');
  const notice = failed > 0
    ? { kind: 'bad' as const, text: `Sync finished with ${failed} failed change${failed === 1 ? '' : 's'}; the others were applied. Run it again once the cause is fixed.` }
    : { kind: 'ok' as const, text: `Sync finished: ${report.changes.length} change${report.changes.length === 1 ? '' : 's'} applied.` };
  return layout(f, 'Sync result', `<h1>Sync result</h1>${changes}<h2>Bots</h2><div class="table"><table><tr><th>bot</th><th>id</th><th>commands</th><th>error</th></tr>${bots}</table></div>
<div class="row">${back(f)}</div>`, notice);
}

/** A confirmation step before a destructive action. */
export function renderConfirm(f: PageFrame, o: { title: string; text: string; action: string; button: string }): string {
  return layout(f, o.title, `<h1>${esc(o.title)}</h1><p>${esc(o.text)}</p>
<div class="row">${postForm(f, o.action, o.button, { cls: 'danger', fields: { confirm: 'yes' } })}${back(f, 'Cancel')}</div>`);
}
