import type { ErrorCode } from '../errors.js';
import { esc } from './html.js';

/** One bot as the install page lists it. */
export interface InstalledBot {
  code: string;
  /** null: defined in `bots/` but not registered (see the server log). */
  botId: number | null;
  api: string | null;
  eventMode: string | null;
  commands: string[];
}

const STYLE = `
:root{--ink:#333;--muted:#6b7480;--line:#e2e6ea;--ok:#2e9e4f;--bad:#d64545;--accent:#0b66c3;font:14px/1.45 "Helvetica Neue",Helvetica,Arial,sans-serif;color:var(--ink)}
*{box-sizing:border-box}body{margin:0;padding:16px;background:#f4f6f8}
.card{max-width:760px;margin:0 auto;background:#fff;border:1px solid var(--line);border-radius:12px;padding:24px 28px}
header{display:flex;gap:14px;align-items:center;margin-bottom:16px}
h1{font-size:19px;margin:0;font-weight:600}.sub{margin:2px 0 0;color:var(--muted);font-size:12px;word-break:break-all}
.mark{flex:none;width:38px;height:38px;border-radius:50%;display:flex;align-items:center;justify-content:center;color:#fff;font-weight:700;font-size:19px;background:var(--ok)}
.mark.bad{background:var(--bad)}
table{width:100%;border-collapse:collapse;margin:8px 0 18px}
th,td{text-align:left;padding:7px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:11px;text-transform:uppercase;letter-spacing:.05em;color:var(--muted);font-weight:600}
td.num{font-variant-numeric:tabular-nums}code{font-size:12px;background:#f1f3f5;border-radius:4px;padding:1px 5px;margin:0 3px 3px 0;display:inline-block}
.missing{color:var(--bad)}.none{color:var(--muted)}
.status{margin:0;padding:10px 14px;border-radius:8px;background:#eef5fc;color:var(--accent)}
.status.ok{background:#eaf6ee;color:#1f6f38}.status.warn{background:#fdf1f1;color:#a12f2f}
.hint{color:var(--muted)}`;

function layout(title: string, nonce: string, body: string, head = ''): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · b24-botkit</title><style nonce="${nonce}">${STYLE}</style>${head}</head>
<body><main class="card">${body}</main></body></html>`;
}

function botRows(bots: readonly InstalledBot[]): string {
  if (bots.length === 0) return '<p class="none">No bot modules are loaded (<code>BOTS_DIR</code>): nothing was registered.</p>';
  const rows = bots.map((b) => `<tr><td><b>${esc(b.code)}</b></td>`
    + (b.botId === null
      ? '<td class="missing" colspan="3">not registered: see the server log</td>'
      : `<td class="num">${b.botId}</td><td>${esc(b.api ?? '')}</td><td>${esc(b.eventMode ?? '')}</td>`)
    + `<td>${b.commands.length ? b.commands.map((c) => `<code>/${esc(c)}</code>`).join('') : '<span class="none">—</span>'}</td></tr>`).join('');
  return `<table><thead><tr><th>Bot</th><th>ID</th><th>API</th><th>Events</th><th>Commands</th></tr></thead><tbody>${rows}</tbody></table>`;
}

// Runs in the portal's frame: BX24.init, then fit the frame and finish the installation
// (DOC settings/app-installation/installation-finish.md, sdk/bx24-js-sdk/system-functions/bx24-install-finish.md).
const FINISH_SCRIPT = `(function(){var s=document.getElementById('status');
function say(c,t){s.className='status '+c;s.textContent=t;}
if(!window.BX24){say('warn','The Bitrix24 library did not load: open the application from Bitrix24 to finish the installation.');return;}
var done=false;setTimeout(function(){if(!done)say('warn','Bitrix24 did not answer: open the application from Bitrix24 to finish the installation.');},10000);
BX24.init(function(){done=true;BX24.fitWindow();BX24.installFinish();say('ok','Installation finished. Bitrix24 now opens the application.');});})();`;

/** The install page after a verified install: the bots as registered, and the `BX24.installFinish()` call. */
export function installedPage(o: { domain: string; memberId: string; bots: readonly InstalledBot[]; scriptUrl: string; nonce: string }): string {
  const registered = o.bots.filter((b) => b.botId !== null).length;
  const body = `<header><span class="mark" aria-hidden="true">✓</span><div><h1>b24-botkit is installed on ${esc(o.domain)}</h1>
<p class="sub">${registered} of ${o.bots.length} bot${o.bots.length === 1 ? '' : 's'} registered · portal ${esc(o.memberId)}</p></div></header>
${botRows(o.bots)}
<p id="status" class="status" role="status">Finishing the installation with Bitrix24…</p>
<script nonce="${o.nonce}">${FINISH_SCRIPT}</script>`;
  return layout('Installed', o.nonce, body, `<script src="${esc(o.scriptUrl)}" nonce="${o.nonce}"></script>`);
}

const REFUSALS: Partial<Record<ErrorCode, { title: string; hint: string }>> = {
  INSTALL_NOT_ADMIN: { title: 'Only an administrator can install this app', hint: 'Ask a Bitrix24 administrator to open the application to finish the installation.' },
  INSTALL_VERIFY_FAILED: { title: 'Bitrix24 did not confirm this installation', hint: 'Open the application from Bitrix24 again. If it keeps failing, check the app\'s client id and secret on the server.' },
  INSTALL_HOST_REFUSED: { title: 'This Bitrix24 address is not allowed', hint: 'The server accepts the portal hosts in B24_PORTAL_HOSTS only.' },
  INSTALL_MEMBER_MISMATCH: { title: 'The tokens belong to another Bitrix24', hint: 'Open the application from the Bitrix24 it is installed on.' },
  INSTALL_PAGE_INVALID: { title: 'Open this page from Bitrix24', hint: 'Bitrix24 opens this install page in its own frame, with the installing administrator\'s tokens.' },
};

/** The page of a refused install: what went wrong and the stable error code. Nothing was stored. */
export function refusedPage(o: { code: ErrorCode; message: string; nonce: string }): string {
  const r = REFUSALS[o.code] ?? { title: 'The installation failed', hint: 'See the server log.' };
  const body = `<header><span class="mark bad" aria-hidden="true">!</span><div><h1>${esc(r.title)}</h1>
<p class="sub">${esc(o.code)}</p></div></header><p>${esc(o.message.charAt(0).toUpperCase() + o.message.slice(1))}. Nothing was installed.</p><p class="hint">${esc(r.hint)}</p>`;
  return layout('Installation refused', o.nonce, body);
}
