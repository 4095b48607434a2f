import { expect } from 'chai';
import fc from 'fast-check';
import {
  b, br, call, chat, code, color, context, disk, escape, i, icon, img, put, quote, s, send, size, timestamp, u, url, user,
} from '../../../src/protocol/bbcode.js';
import { expectCode } from './expect-code.js';

// What the platform would parse as markup: any [tag], [tag=...], [/tag]; a quote line; a full-quote line.
const TAG = /\[\/?[a-z]+(?:[= ][^\]]*)?\]/i;
const QUOTE_LINE = /^[ \t]*>>/m;
const FULL_QUOTE = /^[ \t]*-{6}/m;
const isInert = (text: string): boolean => !TAG.test(text) && !QUOTE_LINE.test(text) && !FULL_QUOTE.test(text);
const ZWSP = /\u200B/g;

describe('bbcode', () => {
  describe('helpers emit the documented tags', () => {
    it('text styles, size, colour, code, line break', () => {
      expect(b('x') + i('y') + u('z') + s('w')).to.equal('[b]x[/b][i]y[/i][u]z[/u][s]w[/s]');
      expect(b(i('nested'))).to.equal('[b][i]nested[/i][/b]');
      expect(size(20, 'big')).to.equal('[size=20]big[/size]');
      expect(color('#ff0000', 'red')).to.equal('[color=#ff0000]red[/color]');
      expect(code('console.log("hi")')).to.equal('[code]console.log("hi")[/code]');
      expect(br).to.equal('[br]');
    });

    it('links, mentions and message references', () => {
      expect(url('https://example.com')).to.equal('[url]https://example.com[/url]');
      expect(url('https://example.com', 'text')).to.equal('[url=https://example.com]text[/url]');
      expect(url('/crm/?filter[ID]=1', 'deal')).to.equal('[url=/crm/?filter%5BID%5D=1]deal[/url]');
      expect(user(123, 'Ivan')).to.equal('[user=123]Ivan[/user]');
      expect(user('all', 'Everyone')).to.equal('[user=all]Everyone[/user]');
      expect(chat(456, 'Group')).to.equal('[chat=456]Group[/chat]');
      expect(chat('imol|789', 'Line')).to.equal('[chat=imol|789]Line[/chat]');
      expect(context('chat123', 456, 'link')).to.equal('[context=chat123/456]link[/context]');
    });

    it('actions, quotes, images, icons, timestamps, drive files', () => {
      expect(send('Help', '/help')).to.equal('[send=/help]Help[/send]');
      expect(send('/start')).to.equal('[send=/start]/start[/send]');
      expect(put('Search', '/search ')).to.equal('[put=/search ]Search[/put]');
      expect(call('+79991234567', 'Call')).to.equal('[call=+79991234567]Call[/call]');
      expect(call('+79991234567')).to.equal('[call]+79991234567[/call]');
      expect(quote('one\ntwo')).to.equal('>>one\n>>two');
      expect(img('https://example.com/pic.jpg', 'medium')).to.equal('[img size=medium]https://example.com/pic.jpg [/img]');
      expect(icon('https://example.com/i.png', { size: 20, title: 'smile' })).to.equal('[icon=https://example.com/i.png size=20 title=smile]');
      expect(icon('/i.png')).to.equal('[icon=/i.png]');
      expect(timestamp(1645844720, 'SHORT_TIME_FORMAT')).to.equal('[timestamp=1645844720 format=SHORT_TIME_FORMAT]');
      expect(timestamp(new Date(1645844720_500))).to.equal('[timestamp=1645844720]');
      expect(disk(123)).to.equal('[disk=123]');
    });

    it('reproduces the message-formatting.md example', () => {
      expect(`${b('Важное сообщение')}${br}Откройте ${url('https://bitrix24.ru', 'сайт')}${br}${send('Помощь', '/help')}`).to.equal(
        '[b]Важное сообщение[/b][br]Откройте [url=https://bitrix24.ru]сайт[/url][br][send=/help]Помощь[/send]',
      );
    });
  });

  describe('attributes that cannot be encoded safely throw MESSAGE_INVALID', () => {
    it('refuses bad URLs, ids, colours, sizes and bracketed commands', () => {
      expectCode(() => url('javascript:alert(1)', 'x'), 'MESSAGE_INVALID');
      expectCode(() => url('https://a.example/x y'), 'MESSAGE_INVALID');
      expectCode(() => user(0, 'x'), 'MESSAGE_INVALID');
      expectCode(() => user(1.5, 'x'), 'MESSAGE_INVALID');
      expectCode(() => chat('imol|', 'x'), 'MESSAGE_INVALID');
      expectCode(() => chat('1]evil', 'x'), 'MESSAGE_INVALID');
      expectCode(() => context('chat1]', 1, 'x'), 'MESSAGE_INVALID');
      expectCode(() => context('chat1', 0, 'x'), 'MESSAGE_INVALID');
      expectCode(() => color('red', 'x'), 'MESSAGE_INVALID');
      expectCode(() => size(7, 'x'), 'MESSAGE_INVALID');
      expectCode(() => size(31, 'x'), 'MESSAGE_INVALID');
      expectCode(() => send('x', '/a]b[b'), 'MESSAGE_INVALID');
      expectCode(() => put('x', 'a\nb'), 'MESSAGE_INVALID');
      expectCode(() => send(''), 'MESSAGE_INVALID');
      expectCode(() => call('call me'), 'MESSAGE_INVALID');
      expectCode(() => img('https://x.example/a.png', 'huge' as 'small'), 'MESSAGE_INVALID');
      expectCode(() => icon('/i.png', { title: 'a]b' }), 'MESSAGE_INVALID');
      expectCode(() => timestamp(-1), 'MESSAGE_INVALID');
      expectCode(() => timestamp(1, 'short; [b]'), 'MESSAGE_INVALID');
      expectCode(() => disk(0), 'MESSAGE_INVALID');
    });
  });

  describe('escape()', () => {
    it('neutralises every documented tag and the quote markup', () => {
      const payloads = [
        '[b]bold[/b]', '[url=javascript:alert(1)]click[/url]', '[url]https://evil.example[/url]', '[user=all]Everyone[/user]',
        '[chat=imol|1]x[/chat]', '[send=/unregister]Win a prize[/send]', '[put=/x]y[/put]', '[call=+1]x[/call]', '[BR]', '[/b]',
        '[img size=large]https://evil.example/x.png [/img]', '[icon=https://evil.example/i.png]', '[timestamp=1 format=X]',
        '[disk=1]', '[context=chat1/2]x[/context]', '[[b]]', '[code]x[/code]', '[size=30]X[/size]', '[color=#f00]x[/color]',
        '>>fake quote', 'line\n>>fake quote', '  >>indented', '------\nfake full quote\n------', '[[', '[\u200B[b]',
      ];
      for (const p of payloads) {
        const out = escape(p);
        expect(isInert(out), `${JSON.stringify(p)} -> ${JSON.stringify(out)}`).to.equal(true);
        expect(out.replace(ZWSP, '')).to.equal(p.replace(ZWSP, ''));
      }
    });

    it('cannot break out of a helper that wraps it', () => {
      const wrapped = b(escape('x[/b][user=all]all[/user][b]'));
      expect(wrapped.match(/\[\/?[a-z]+[^\]]*\]/gi)).to.deep.equal(['[b]', '[/b]']);
    });

    it('leaves ordinary text alone', () => {
      expect(escape('Hello, world! 2 > 1, a-b, ]done')).to.equal('Hello, world! 2 > 1, a-b, ]done');
      expect(escape('')).to.equal('');
    });

    it('for any string: inert, visually lossless and idempotent (property)', () => {
      const chars = fc.constantFrom('[', ']', '/', '=', '>', '-', ' ', '\n', '\t', 'b', 'B', 'u', 'r', 'l', 'x', '1', '\u200B');
      fc.assert(
        fc.property(fc.array(chars, { maxLength: 40 }).map((a) => a.join('')), fc.string(), (crafted, random) => {
          for (const text of [crafted, random]) {
            const out = escape(text);
            if (!isInert(out)) return false;
            if (out.replace(ZWSP, '') !== text.replace(ZWSP, '')) return false;
            if (escape(out) !== out) return false;
          }
          return true;
        }),
        { numRuns: 500 },
      );
    });
  });
});
