import type { UserRec } from '../directory.js';
import type { AppLaunch } from '../types.js';

const esc = (s: unknown): string => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function head(title: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · Bitrix24 emulator</title><link rel="icon" href="data:,"><link rel="stylesheet" href="/app-frame/frame.css"></head>`;
}

function topBar(user: UserRec, crumb: string): string {
  return `<header class="top"><span class="logo">B24</span><b>Bitrix24 emulator</b>
<nav class="crumbs">Applications › <span>${esc(crumb)}</span></nav>
<span class="user" title="The user the app was opened as">${esc(user.name)}${user.admin ? ' <i>administrator</i>' : ''}</span></header>`;
}

/** The portal page around the app: top bar, the app's iframe (posted to by a hidden form) and a message log. */
export function framePage(user: UserRec, launch: AppLaunch, apiBase: string): string {
  const install = launch.install;
  const data = JSON.stringify({ appSid: launch.appSid, appOrigin: launch.appOrigin, api: apiBase, init: launch.init })
    .replace(/</g, '\\u003c');
  const inputs = Object.entries(launch.form).map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`).join('');
  return `${head(install ? 'Installing the application' : 'Application')}<body>
${topBar(user, new URL(launch.url).host)}
<main>
  <div class="app-head"><h1 id="frame-title">${install ? 'Installing the application' : 'Application'}</h1>
    <span class="pill ${install ? 'install' : ''}" id="frame-mode">${install ? 'install page' : 'app page'}</span></div>
  <iframe id="app-frame" name="${esc(launch.frameName)}" title="Application"></iframe>
  <form id="launch" method="post" action="${esc(launch.url)}" target="${esc(launch.frameName)}">${inputs}</form>
  <details id="frame-log"><summary>Portal ↔ app messages (<span id="log-count">0</span>)</summary><ol></ol></details>
</main>
<script type="application/json" id="frame-data">${data}</script>
<script src="/app-frame/parent.js"></script>
</body></html>`;
}

/**
 * What a user sees instead of the app (DOC settings/app-installation/installation-finish.md: before
 * `installFinish` a non-administrator sees "the app is not fully installed yet").
 */
export function noticePage(user: UserRec, crumb: string, title: string, text: string): string {
  return `${head(title)}<body>
${topBar(user, crumb)}
<main><div class="notice" role="alert"><h1>${esc(title)}</h1><p>${esc(text)}</p></div></main>
</body></html>`;
}
