import { expect } from 'chai';
import { Keyboard, type KeyboardItemJSON } from '../../../src/protocol/keyboard.js';
import { expectCode } from './expect-code.js';

describe('Keyboard', () => {
  describe('reproduces the documented examples', () => {
    it('b24-api-facts §6.3 (v1 KEYBOARD, bare array), byte for byte', () => {
      const doc =
        '[{"TEXT":"Yes","COMMAND":"confirm","COMMAND_PARAMS":"yes","BG_COLOR":"#29619b","TEXT_COLOR":"#fff","DISPLAY":"LINE","BLOCK":"Y"},' +
        '{"TEXT":"No","COMMAND":"confirm","COMMAND_PARAMS":"no","DISPLAY":"LINE"},{"TYPE":"NEWLINE"},' +
        '{"TEXT":"Docs","LINK":"https://help.example.com"}]';
      const kb = new Keyboard()
        .command('Yes', 'confirm', 'yes', { color: '#29619b', textColor: '#fff', display: 'LINE', block: true })
        .command('No', 'confirm', 'no', { display: 'LINE' })
        .row()
        .link('Docs', 'https://help.example.com');
      expect(JSON.stringify(kb.toJSON().BUTTONS)).to.equal(doc);
      expect(JSON.stringify(kb)).to.equal(`{"BUTTONS":${doc}}`);
    });

    it('b24-v2-facts §4.1 (colour token), byte for byte', () => {
      const doc =
        '[{"TEXT":"Yes","COMMAND":"confirm","COMMAND_PARAMS":"yes","BG_COLOR_TOKEN":"primary","DISPLAY":"LINE","BLOCK":"Y"},' +
        '{"TEXT":"No","COMMAND":"confirm","COMMAND_PARAMS":"no","DISPLAY":"LINE"},{"TYPE":"NEWLINE"},' +
        '{"TEXT":"Docs","LINK":"https://help.example.com"}]';
      const kb = new Keyboard({ defaults: { display: 'LINE' } })
        .command('Yes', 'confirm', 'yes', { colorToken: 'primary', block: true })
        .command('No', 'confirm', 'no')
        .row()
        .add(Keyboard.link('Docs', 'https://help.example.com'));
      expect(JSON.stringify(kb.toJSON().BUTTONS)).to.equal(doc);
    });

    it('message-keyboards.md full form with BOT_ID, byte for byte', () => {
      const doc =
        '{"BOT_ID":456,"BUTTONS":[{"TEXT":"Открыть сайт","LINK":"https://www.example.ru/"},{"TYPE":"NEWLINE"},' +
        '{"TEXT":"Подставить команду","ACTION":"PUT","ACTION_VALUE":"/help"}]}';
      const kb = new Keyboard({ botId: 456 }).link('Открыть сайт', 'https://www.example.ru/').row().action('Подставить команду', 'PUT', '/help');
      expect(JSON.stringify(kb)).to.equal(doc);
    });

    it('keyboards.md EchoBot keyboard (same fields; the docs order one button differently)', () => {
      const doc: KeyboardItemJSON[] = [
        { TEXT: 'Bitrix24', LINK: 'http://bitrix24.com', BG_COLOR_TOKEN: 'primary', BG_COLOR: '#29619b', TEXT_COLOR: '#fff', DISPLAY: 'LINE' },
        { TEXT: 'BitBucket', LINK: 'https://bitbucket.org/Bitrix24com/rest-bot-echotest', BG_COLOR_TOKEN: 'secondary', BG_COLOR: '#2a4c7c', TEXT_COLOR: '#fff', DISPLAY: 'LINE' },
        { TYPE: 'NEWLINE' },
        { TEXT: 'Echo', COMMAND: 'echo', COMMAND_PARAMS: 'test from keyboard', DISPLAY: 'LINE', BG_COLOR_TOKEN: 'alert' },
        { TEXT: 'List', COMMAND: 'echoList', DISPLAY: 'LINE' },
        { TEXT: 'Help', COMMAND: 'help', DISPLAY: 'LINE' },
      ];
      const kb = Keyboard.from(
        [
          [
            Keyboard.link('Bitrix24', 'http://bitrix24.com', { colorToken: 'primary', color: '#29619b', textColor: '#fff', display: 'LINE' }),
            Keyboard.link('BitBucket', 'https://bitbucket.org/Bitrix24com/rest-bot-echotest', { colorToken: 'secondary', color: '#2a4c7c', textColor: '#fff', display: 'LINE' }),
          ],
          [
            Keyboard.command('Echo', 'echo', 'test from keyboard', { display: 'LINE', colorToken: 'alert' }),
            Keyboard.command('List', 'echoList', undefined, { display: 'LINE' }),
            Keyboard.command('Help', 'help', undefined, { display: 'LINE' }),
          ],
        ],
      );
      expect(kb.toJSON()).to.deep.equal({ BUTTONS: doc });
      expect(Keyboard.fromJSON(doc).toJSON()).to.deep.equal({ BUTTONS: doc });
    });
  });

  describe('building', () => {
    it('maps every option to its platform key', () => {
      const json = Keyboard.command('Go', 'go', undefined, {
        color: '#000', textColor: '#ffffff', offColor: '#111', offTextColor: '#222', colorToken: 'base',
        display: 'BLOCK', block: false, disabled: true, width: 120, context: 'MOBILE',
      });
      expect(json).to.deep.equal({
        TEXT: 'Go', COMMAND: 'go', BG_COLOR_TOKEN: 'base', BG_COLOR: '#000', TEXT_COLOR: '#ffffff', OFF_BG_COLOR: '#111',
        OFF_TEXT_COLOR: '#222', DISPLAY: 'BLOCK', BLOCK: 'N', DISABLED: 'Y', WIDTH: 120, CONTEXT: 'MOBILE',
      });
    });

    it('strips a leading slash from a command, as the platform does', () => {
      expect(Keyboard.command('Help', '/help')).to.deep.equal({ TEXT: 'Help', COMMAND: 'help' });
      expect(Keyboard.fromJSON([{ TEXT: 'Help', COMMAND: '/help', COMMAND_PARAMS: '' }]).toJSON().BUTTONS).to.deep.equal([
        { TEXT: 'Help', COMMAND: 'help', COMMAND_PARAMS: '' },
      ]);
    });

    it('is immutable: every method returns a new keyboard and toJSON returns copies', () => {
      const empty = new Keyboard();
      const one = empty.command('A', 'a');
      const two = one.link('B', '/b');
      expect(empty.toJSON().BUTTONS).to.have.length(0);
      expect(one.toJSON().BUTTONS).to.have.length(1);
      expect(two.size).to.equal(2);
      const out = two.toJSON();
      (out.BUTTONS[0] as { TEXT: string }).TEXT = 'changed';
      out.BUTTONS.push({ TYPE: 'NEWLINE' });
      expect(two.toJSON().BUTTONS).to.deep.equal([{ TEXT: 'A', COMMAND: 'a' }, { TEXT: 'B', LINK: '/b' }]);
    });

    it('row() never produces a leading, doubled or trailing line break', () => {
      const kb = new Keyboard().row().command('A', 'a').row().row().command('B', 'b').row();
      expect(kb.toJSON().BUTTONS).to.deep.equal([{ TEXT: 'A', COMMAND: 'a' }, { TYPE: 'NEWLINE' }, { TEXT: 'B', COMMAND: 'b' }]);
      expect(kb.size).to.equal(2);
    });

    it('applies keyboard defaults under the per-button options, but not to add()ed buttons', () => {
      const kb = new Keyboard({ defaults: { display: 'LINE', colorToken: 'secondary' } })
        .command('A', 'a', undefined, { colorToken: 'alert' })
        .add({ TEXT: 'Raw', LINK: '/raw' });
      expect(kb.toJSON().BUTTONS).to.deep.equal([
        { TEXT: 'A', COMMAND: 'a', BG_COLOR_TOKEN: 'alert', DISPLAY: 'LINE' },
        { TEXT: 'Raw', LINK: '/raw' },
      ]);
    });

    it('from() joins rows with NEWLINE and skips empty rows', () => {
      const kb = Keyboard.from([[Keyboard.command('A', 'a'), Keyboard.command('B', 'b')], [], [Keyboard.link('C', '/c')]]);
      expect(kb.toJSON().BUTTONS.map((b) => ('TYPE' in b ? '|' : b.TEXT)).join('')).to.equal('AB|C');
    });

    it('accepts every documented action', () => {
      for (const [action, value] of [['PUT', '/help'], ['SEND', 'Ready'], ['COPY', 'code-42'], ['CALL', '+1 (555) 123-45-67'], ['DIALOG', 'chat12'], ['DIALOG', '7']] as const) {
        expect(Keyboard.action('X', action, value)).to.deep.equal({ TEXT: 'X', ACTION: action, ACTION_VALUE: value });
      }
    });
  });

  describe('validation (KEYBOARD_INVALID)', () => {
    it('refuses commands with spaces or slashes inside', () => {
      for (const bad of ['do it', 'a/b', '', '/', ' ', 'tab\there']) {
        const err = expectCode(() => Keyboard.command('Go', bad), 'KEYBOARD_INVALID');
        expect(err.message).to.contain('button "Go"').and.contain('COMMAND');
      }
    });

    it('refuses empty or blank text', () => {
      expectCode(() => new Keyboard().command('', 'a'), 'KEYBOARD_INVALID');
      expectCode(() => new Keyboard().link('   ', '/a'), 'KEYBOARD_INVALID');
    });

    it('accepts #rgb and #rrggbb colours only', () => {
      expect(Keyboard.link('A', '/a', { color: '#AbC', textColor: '#a1B2c3' }).BG_COLOR).to.equal('#AbC');
      for (const bad of ['red', '#12', '#1234', '#12345g', 'fff', '#fffffff']) {
        const err = expectCode(() => Keyboard.link('A', '/a', { color: bad }), 'KEYBOARD_INVALID');
        expect(err.message).to.contain('BG_COLOR');
      }
      expectCode(() => Keyboard.link('A', '/a', { textColor: 'white' }), 'KEYBOARD_INVALID');
    });

    it('accepts http(s) links and portal paths only', () => {
      for (const good of ['http://x.io', 'https://x.io/a?b=1#c', '/crm/deal/1/', '/']) expect(Keyboard.link('A', good).LINK).to.equal(good);
      for (const bad of ['ftp://x.io', 'javascript:alert(1)', '//evil.example', 'HTTPS://x.io', 'https://', 'https://x.io/a b', 'x.io', 'https://x.io/\n']) {
        const err = expectCode(() => Keyboard.link('A', bad), 'KEYBOARD_INVALID');
        expect(err.message).to.contain('LINK');
      }
    });

    it('checks CALL numbers, DIALOG ids and the action name', () => {
      expectCode(() => Keyboard.action('X', 'CALL', 'call me'), 'KEYBOARD_INVALID');
      expectCode(() => Keyboard.action('X', 'DIALOG', 'chat'), 'KEYBOARD_INVALID');
      expectCode(() => Keyboard.action('X', 'SEND', '  '), 'KEYBOARD_INVALID');
      expectCode(() => Keyboard.fromJSON([{ TEXT: 'X', ACTION: 'OPEN' as 'PUT', ACTION_VALUE: 'y' }]), 'KEYBOARD_INVALID');
    });

    it('refuses bad width, display, context and botId', () => {
      expectCode(() => Keyboard.link('A', '/a', { width: 0 }), 'KEYBOARD_INVALID');
      expectCode(() => Keyboard.link('A', '/a', { width: 10.5 }), 'KEYBOARD_INVALID');
      expectCode(() => Keyboard.link('A', '/a', { display: 'ROW' as 'LINE' }), 'KEYBOARD_INVALID');
      expectCode(() => Keyboard.link('A', '/a', { context: 'TV' as 'ALL' }), 'KEYBOARD_INVALID');
      expectCode(() => new Keyboard({ botId: -1 }), 'KEYBOARD_INVALID');
      expect(expectCode(() => Keyboard.link('A', '/a', { colour: '#fff' } as never), 'KEYBOARD_INVALID').message).to.contain('unknown option colour');
    });

    it('checks plain JSON: exactly one action, known fields, well-formed NEWLINE', () => {
      const twoActions = expectCode(() => Keyboard.fromJSON([{ TEXT: 'X', LINK: '/a', COMMAND: 'b' }]), 'KEYBOARD_INVALID');
      expect(twoActions.message).to.contain('button 1').and.contain('exactly one action');
      expectCode(() => Keyboard.fromJSON([{ TEXT: 'X' }]), 'KEYBOARD_INVALID');
      const typo = expectCode(() => Keyboard.fromJSON([{ TEXT: 'X', LINK: '/a', BG_COLOUR: '#fff' } as never]), 'KEYBOARD_INVALID');
      expect(typo.message).to.contain('unknown field BG_COLOUR');
      expectCode(() => Keyboard.fromJSON([{ TYPE: 'NEWLINE', TEXT: 'x' } as never]), 'KEYBOARD_INVALID');
      expectCode(() => Keyboard.fromJSON([{ TYPE: 'BREAK' } as never]), 'KEYBOARD_INVALID');
      expectCode(() => Keyboard.fromJSON([{ TEXT: 'X', LINK: '/a', COMMAND_PARAMS: 'p' }]), 'KEYBOARD_INVALID');
      expectCode(() => Keyboard.fromJSON([{ TEXT: 'X', APP_PARAMS: 'p', LINK: '/a' }]), 'KEYBOARD_INVALID');
      expectCode(() => Keyboard.fromJSON({ BUTTONS: 'nope' } as never), 'KEYBOARD_INVALID');
      expectCode(() => Keyboard.fromJSON(['x'] as never), 'KEYBOARD_INVALID');
    });

    it('accepts the legacy APP_ID action and keeps BOT_ID from JSON', () => {
      const kb = Keyboard.fromJSON({ BOT_ID: 9, BUTTONS: [{ TEXT: 'App', APP_ID: 3, APP_PARAMS: 'x=1' }] });
      expect(kb.toJSON()).to.deep.equal({ BOT_ID: 9, BUTTONS: [{ TEXT: 'App', APP_ID: 3, APP_PARAMS: 'x=1' }] });
    });
  });
});
