import { expect } from 'chai';
import fc from 'fast-check';
import { renderBbCode } from '../../src/emulator/ui/bbcode.js';
import { renderAttach, renderKeyboard, renderMenu } from '../../src/emulator/ui/blocks.js';
import { Attach, Keyboard } from '../../src/index.js';

const DOCS = 'api-reference/chat-bots/chat-bots-v2/imbot.v2/messages';

/** Every tag the renderers may emit, with only whitelisted attributes whose values hold no quotes or brackets. */
const SAFE_TAG = /^<\/?(b|i|u|s|br|pre|blockquote|span|a|img|time|div|hr|button|details|summary|ul|li)((\s+(class|style|href|target|rel|src|alt|title|width|height|data-[a-z]+|role|tabindex|datetime|aria-[a-z]+)="[^"<>]*")|\s+disabled)*\s*>$/;

function assertInert(html: string): void {
  for (const tag of html.match(/<[^>]*>?/g) ?? []) {
    expect(tag, html).to.match(SAFE_TAG);
    const href = /\s(?:href|src)="([^"]*)"/.exec(tag)?.[1];
    if (href !== undefined) expect(href, html).to.match(/^(https?:\/\/|\/(?!\/))/i);
    for (const [, style] of tag.matchAll(/style="([^"]*)"/g)) {
      expect(style, html).to.match(/^((font-size:\d+px|color:#[0-9a-f]{3,6}|background:#[0-9a-f]{3,6}|width:\d+px|max-width:\d+px|border-left-color:#[0-9a-f]{3,6}|border-color:#[0-9a-f]{3,6});?)*$/i);
    }
  }
}

describe('chat page rendering (the messenger\'s rules, everything else escaped)', () => {
  describe(`BB-code (docs ${DOCS}/message-formatting.md)`, () => {
    it('renders the text tags b, i, u, s, size (8-30 px) and hex color, in any case and nested', () => {
      expect(renderBbCode('[b]a[/b] [I]b[/I] [u]c[/u] [s]d[/s] [b][i]e[/i][/b]')).to.equal('<b>a</b> <i>b</i> <u>c</u> <s>d</s> <b><i>e</i></b>');
      expect(renderBbCode('[size=50]x[/size][size=4]y[/size]')).to.equal('<span style="font-size:30px">x</span><span style="font-size:8px">y</span>');
      expect(renderBbCode('[color=#ff0000]r[/color][color=red]n[/color]')).to.equal('<span style="color:#ff0000">r</span>n');
    });

    it('renders links (http(s) or relative only), mentions, send/put actions, code, quotes and line breaks', () => {
      expect(renderBbCode('[url]https://e.com/a?b=1[/url]')).to.equal('<a href="https://e.com/a?b=1" target="_blank" rel="noopener noreferrer">https://e.com/a?b=1</a>');
      expect(renderBbCode('[url=javascript:alert(1)]x[/url]')).to.equal('x');
      expect(renderBbCode('[USER=12]Ann[/USER] [user=all]All[/user]')).to.equal('<span class="bb-mention" data-user="12">Ann</span> <span class="bb-mention" data-user="all">All</span>');
      expect(renderBbCode('[send=/help]Help[/send]')).to.include('data-send="/help"');
      expect(renderBbCode('[put=/search ]Find[/put]')).to.include('data-put="/search "');
      expect(renderBbCode('[code][b]raw[/b][/code]')).to.equal('<pre class="bb-code">[b]raw[/b]</pre>');
      expect(renderBbCode('>>one\n>>two\nafter')).to.equal('<blockquote class="bb-line-quote">one<br>two</blockquote>after');
      expect(renderBbCode('a[br]b\nc')).to.equal('a<br>b<br>c');
      expect(renderBbCode('[img size=medium]https://e.com/p.png [/img]')).to.equal('<img class="bb-img bb-img-medium" src="https://e.com/p.png" alt="">');
    });

    it('leaves unknown and malformed tags as text, HTML escaped', () => {
      expect(renderBbCode('[blink]x[/blink] [b]open')).to.equal('[blink]x[/blink] [b]open');
      expect(renderBbCode('<script>alert(1)</script>')).to.equal('&#60;script&#62;alert(1)&#60;/script&#62;');
      expect(renderBbCode('[url=https://x.com/" onmouseover="alert(1)]x[/url]')).to.equal('x');
    });

    it('keeps a tag inside a link out of its href (regression: [url]https://x.y/[br][/url] put <br> into the attribute)', () => {
      const html = renderBbCode('[url]https://x.y/[br][/url]');
      assertInert(html);
      expect(html).to.not.include('href');
    });

    it('keeps any input inert: only whitelisted tags and attributes, safe URLs and styles (property)', () => {
      const piece = fc.constantFrom('[b]', '[/b]', '[url=', '[url]', '[/url]', ']', '[color=', '#fff', '[size=', '[/size]', '[/color]',
        '[user=1]', '[/user]', '[img size=small]', '[/img]', '[icon=', ' size=20 title=', '[send=', '[/send]', '[code]', '[/code]',
        '"', "'", '<', '>', '&', 'javascript:', 'https://x.y/', '/rel', ' ', '\n', '>>', '------\n', 'on', '=', '[br]', '\u0000');
      fc.assert(fc.property(fc.array(fc.oneof(piece, fc.string({ maxLength: 4 })), { maxLength: 30 }), (parts) => {
        assertInert(renderBbCode(parts.join('')));
      }), { numRuns: 400 });
    });
  });

  describe(`attachments (docs ${DOCS}/attachments/)`, () => {
    it('renders every block of our Attach builder: message, link, image, file, delimiter, grid, user', () => {
      const attach = new Attach({ colorToken: 'alert' })
        .message('[b]Ticket[/b] created')
        .link({ link: 'https://e.com/t/1', name: 'Ticket 1', desc: 'Open it' })
        .image({ link: 'https://e.com/i.png', name: 'shot' })
        .file({ link: 'https://e.com/f.pdf', name: 'report.pdf', size: 2048 })
        .delimiter({ size: 200, color: '#c6c6c6' })
        .grid([{ display: 'ROW', name: 'Priority', value: '[b]High[/b]' }])
        .grid([{ display: 'LINE', name: 'Status', value: 'open', width: 100 }])
        .user({ name: 'Ann Lee', link: 'https://e.com/u/2' })
        .toJSON();
      const html = renderAttach(attach);
      expect(html).to.include('class="attach at-token-alert"');
      expect(html).to.include('<div class="at-message"><b>Ticket</b> created</div>');
      expect(html).to.include('href="https://e.com/t/1"').and.include('<b>Ticket 1</b>').and.include('Open it');
      expect(html).to.include('<img class="at-image" src="https://e.com/i.png" alt="shot">');
      expect(html).to.include('report.pdf').and.include('2.0 KB');
      expect(html).to.include('<hr class="at-delimiter" style="width:200px;border-color:#c6c6c6">');
      expect(html).to.include('at-grid-row').and.include('<div class="at-grid-name">Priority</div><div class="at-grid-value"><b>High</b></div>');
      expect(html).to.include('at-grid-line').and.include('style="width:100px"');
      expect(html).to.include('<div class="at-user">').and.include('Ann Lee');
      assertInert(html);
    });

    it('accepts the short form (a bare block list) and escapes hostile fields', () => {
      const html = renderAttach([{ MESSAGE: '<img src=x onerror=alert(1)>' }, { LINK: { LINK: 'javascript:alert(1)', NAME: '"><script>' } },
        { GRID: [{ DISPLAY: 'BLOCK', NAME: '<b>', VALUE: 'v', COLOR: 'red;background:url(x)' }] }]);
      expect(html).to.include('&#60;img src=x onerror=alert(1)&#62;').and.not.include('javascript:');
      expect(html).to.include('&#34;&#62;&#60;script&#62;');
      assertInert(html);
    });
  });

  describe(`keyboards (docs ${DOCS}/message-keyboards.md) and classic menus`, () => {
    it('draws rows (NEWLINE), command buttons with their press index, links, client actions, colours, disabled and blocked', () => {
      const kb = new Keyboard()
        .command('Yes', 'vote', 'yes', { colorToken: 'primary' })
        .command('No', 'vote', 'no', { color: '#ff0000', textColor: '#ffffff', display: 'LINE' })
        .row()
        .link('Docs', 'https://e.com/docs')
        .action('Copy', 'COPY', 'abc')
        .toJSON();
      const html = renderKeyboard(kb, 42, new Set([1]));
      const rows = html.match(/<div class="kb-row">/g) ?? [];
      expect(rows).to.have.length(2);
      expect(html).to.include('<button class="kb-btn kb-primary kb-block" data-press="42:0">Yes</button>');
      expect(html).to.include('data-press="42:1" disabled aria-disabled="true"');
      expect(html).to.include('<a class="kb-btn kb-base kb-block" href="https://e.com/docs"');
      expect(html).to.include('data-action="copy" data-value="abc"');
      assertInert(html);
    });

    it('escapes button text and drops unsafe links and colours', () => {
      const html = renderKeyboard([{ TEXT: '<svg onload=alert(1)>', LINK: 'javascript:alert(1)' }, { TEXT: 'x', COMMAND: 'c', BG_COLOR: 'red' }], 1, new Set());
      expect(html).to.include('&#60;svg onload=alert(1)&#62;').and.not.include('javascript');
      expect(html).to.not.include('background:red');
      assertInert(html);
    });

    it('renders a context menu with command items pressable by index', () => {
      const html = renderMenu({ ITEMS: [{ TEXT: 'Delete', COMMAND: 'del', COMMAND_PARAMS: '5' }, { TEXT: 'Help', LINK: 'https://e.com/h' }] }, 7);
      expect(html).to.include('data-menu="7:0">Delete</button>').and.include('href="https://e.com/h"');
      assertInert(html);
    });
  });
});
