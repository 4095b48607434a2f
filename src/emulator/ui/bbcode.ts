// BB-code to HTML as the messenger renders it: the tags of docs
// api-reference/chat-bots/chat-bots-v2/imbot.v2/messages/message-formatting.md, everything else escaped.
// The text is HTML-escaped first; tags are then matched on the escaped text, so no input can produce
// markup of its own. URLs must be http(s) or a relative path; colours must be hex; sizes are clamped.

/** Escapes text for HTML content and attribute values. */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** An escaped URL if it is http(s) or a relative path (`/...`), else null (no `javascript:` and the like). */
export function safeUrl(escapedUrl: string): string | null {
  const url = escapedUrl.trim();
  // No brackets: a tag inside the URL (`[br]`) would otherwise become markup inside the attribute.
  return /^(https?:\/\/|\/(?!\/))[^\s[\]]*$/i.test(url) ? url : null;
}

/** A `#rgb` / `#rrggbb` colour, else null. */
export function safeColor(color: string): string | null {
  return /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i.test(color.trim()) ? color.trim() : null;
}

const MAX_PASSES = 8;

/** Applies a paired-tag rule until nothing changes (nested tags of one kind), at most 8 levels. */
function paired(html: string, tag: string, arg: string | null, render: (inner: string, value: string) => string): string {
  const re = new RegExp(`\\[${tag}${arg === null ? '' : `=${arg}`}\\]((?:(?!\\[${tag}[\\]=])[\\s\\S])*?)\\[\\/${tag}\\]`, 'gi');
  let out = html;
  for (let i = 0; i < MAX_PASSES; i++) {
    const next = out.replace(re, (...m: string[]) => (arg === null ? render(m[1] ?? '', '') : render(m[2] ?? '', m[1] ?? '')));
    if (next === out) break;
    out = next;
  }
  return out;
}

function timestamp(unix: string, format: string): string {
  const d = new Date(Number(unix) * 1000);
  if (Number.isNaN(d.getTime())) return '';
  const iso = d.toISOString();
  const text = /TIME/i.test(format) && !/DATE/i.test(format) ? iso.slice(11, 16) : `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
  return `<time class="bb-time" datetime="${iso}">${text} UTC</time>`;
}

function inline(html: string): string {
  let out = html;
  for (const [tag, el] of [['b', 'b'], ['i', 'i'], ['u', 'u'], ['s', 's']] as const) {
    out = paired(out, tag, null, (inner) => `<${el}>${inner}</${el}>`);
  }
  out = paired(out, 'size', '(\\d{1,3})(?:px)?', (inner, n) => `<span style="font-size:${Math.min(30, Math.max(8, Number(n)))}px">${inner}</span>`);
  out = paired(out, 'color', '([^\\]]{1,20})', (inner, c) => {
    const color = safeColor(c);
    return color ? `<span style="color:${color}">${inner}</span>` : inner;
  });
  out = paired(out, 'url', null, (inner) => {
    const url = safeUrl(inner);
    return url ? `<a href="${url}" target="_blank" rel="noopener noreferrer">${inner}</a>` : inner;
  });
  out = paired(out, 'url', '([^\\]]{1,2000})', (inner, u) => {
    const url = safeUrl(u);
    return url ? `<a href="${url}" target="_blank" rel="noopener noreferrer">${inner}</a>` : inner;
  });
  out = paired(out, 'user', '(\\d{1,10}|all)', (inner, id) => `<span class="bb-mention" data-user="${id}">${inner}</span>`);
  out = paired(out, 'chat', '([\\w|]{1,40})', (inner, id) => `<span class="bb-mention bb-chat" data-chat="${id}">${inner}</span>`);
  out = paired(out, 'context', '([\\w/]{1,60})', (inner) => `<span class="bb-context">${inner}</span>`);
  out = paired(out, 'send', '([^\\]]{1,500})', (inner, cmd) => `<span class="bb-action" role="button" tabindex="0" data-send="${cmd}">${inner}</span>`);
  out = paired(out, 'put', '([^\\]]{1,500})', (inner, cmd) => `<span class="bb-action" role="button" tabindex="0" data-put="${cmd}">${inner}</span>`);
  out = paired(out, 'call', '([+\\d\\s()-]{1,30})', (inner) => `<span class="bb-call">${inner}</span>`);
  out = paired(out, 'call', null, (inner) => `<span class="bb-call">${inner}</span>`);
  out = out.replace(/\[img size=(small|medium|large)\]([^\s[]+) ?\[\/img\]/gi, (all, size: string, u: string) => {
    const url = safeUrl(u);
    return url ? `<img class="bb-img bb-img-${size.toLowerCase()}" src="${url}" alt="">` : all;
  });
  out = out.replace(/\[icon=([^\s\]]+)((?: (?:size|title)=[^\s\]]+)*)\]/gi, (all, u: string, rest: string) => {
    const url = safeUrl(u);
    const size = Math.min(64, Math.max(8, Number(/size=(\d+)/.exec(rest)?.[1] ?? 20)));
    const title = /title=([^\s\]]+)/.exec(rest)?.[1] ?? '';
    return url ? `<img class="bb-icon" src="${url}" width="${size}" height="${size}" title="${title}" alt="${title}">` : all;
  });
  out = out.replace(/\[timestamp=(\d{1,12})(?: format=([A-Z_]+))?\]/gi, (_a, unix: string, fmt: string | undefined) => timestamp(unix, fmt ?? ''));
  out = out.replace(/\[disk=(\d{1,12})\]/gi, (_a, id: string) => `<span class="bb-disk">file ${id}</span>`);
  return out.replace(/\[br\]/gi, '<br>');
}

function quotes(html: string): string {
  const lines = html.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (/^-{6,}$/.test(line.trim())) {
      const end = lines.findIndex((l, j) => j > i && /^-{6,}$/.test(l.trim()));
      if (end > i) {
        out.push(`<blockquote class="bb-quote">${lines.slice(i + 1, end).join('<br>')}</blockquote>`);
        i = end;
        continue;
      }
    }
    const m = /^&#62;&#62;(.*)$/.exec(line);
    if (m) {
      const prev = out.at(-1);
      if (prev?.startsWith('<blockquote class="bb-line-quote">')) out[out.length - 1] = prev.replace(/<\/blockquote>$/, `<br>${m[1]}</blockquote>`);
      else out.push(`<blockquote class="bb-line-quote">${m[1]}</blockquote>`);
      continue;
    }
    out.push(line);
  }
  return out.map((l, i) => (l.startsWith('<blockquote') || i === out.length - 1 ? l : `${l}<br>`)).join('')
    .replace(/<br>(<blockquote)/g, '$1');
}

/**
 * Renders a message text: escapes it, then turns the documented BB-codes into markup: `b i u s size color
 * url user chat context code send put call img icon timestamp disk br`, `>>` quote lines, `------` quote
 * blocks, newlines and 4-space tabs. Unknown or malformed tags stay as text.
 */
export function renderBbCode(text: string): string {
  const codes: string[] = [];
  const withoutCode = esc(text.replace(/\u0000/g, '')).replace(/\[code\]([\s\S]*?)\[\/code\]/gi, (_all, inner: string) => {
    codes.push(`<pre class="bb-code">${inner.replace(/^\n/, '')}</pre>`);
    return `\u0000${codes.length - 1}\u0000`;
  });
  const html = quotes(inline(withoutCode)).replace(/ {4}/g, '&emsp;');
  return html.replace(/\u0000(\d+)\u0000/g, (_a, i: string) => codes[Number(i)] ?? '');
}
