import { expect } from 'chai';
import { Menu } from '../../../src/protocol/menu.js';
import { expectCode } from './expect-code.js';

describe('Menu', () => {
  it('reproduces the menu.md example (full form), byte for byte', () => {
    const doc = '{"ITEMS":[{"TEXT":"Открыть сайт","LINK":"https://www.example.ru/"},{"TEXT":"Отправить текст","ACTION":"SEND","ACTION_VALUE":"Готово"}]}';
    const menu = new Menu().link('Открыть сайт', 'https://www.example.ru/').action('Отправить текст', 'SEND', 'Готово');
    expect(JSON.stringify(menu)).to.equal(doc);
  });

  it('builds command items (slash stripped) with context and disabled', () => {
    const menu = new Menu().command('Close', '/close', '142', { context: 'DESKTOP', disabled: false }).command('Help', 'help');
    expect(menu.toJSON()).to.deep.equal({
      ITEMS: [
        { TEXT: 'Close', COMMAND: 'close', COMMAND_PARAMS: '142', CONTEXT: 'DESKTOP', DISABLED: 'N' },
        { TEXT: 'Help', COMMAND: 'help' },
      ],
    });
    expect(menu.size).to.equal(2);
  });

  it('is immutable', () => {
    const a = new Menu();
    const b = a.link('A', '/a');
    expect(a.size).to.equal(0);
    const out = b.toJSON();
    out.ITEMS[0]!.TEXT = 'changed';
    expect(b.toJSON().ITEMS[0]!.TEXT).to.equal('A');
  });

  it('validates plain JSON, bare array or {ITEMS}', () => {
    expect(Menu.fromJSON([{ TEXT: 'A', LINK: '/a' }]).toJSON()).to.deep.equal({ ITEMS: [{ TEXT: 'A', LINK: '/a' }] });
    expect(Menu.fromJSON({ ITEMS: [{ TEXT: 'A', COMMAND: '/a' }] }).toJSON()).to.deep.equal({ ITEMS: [{ TEXT: 'A', COMMAND: 'a' }] });
  });

  it('refuses malformed items with MENU_INVALID naming the item and field', () => {
    expect(expectCode(() => new Menu().command('Go', 'go now'), 'MENU_INVALID').message).to.contain('menu item "Go"').and.contain('COMMAND');
    expectCode(() => new Menu().link('', '/a'), 'MENU_INVALID');
    expectCode(() => new Menu().link('A', 'javascript:alert(1)'), 'MENU_INVALID');
    expectCode(() => new Menu().action('A', 'CALL', 'nope'), 'MENU_INVALID');
    expectCode(() => new Menu().link('A', '/a', { display: 'LINE' } as never), 'MENU_INVALID');
    expect(expectCode(() => Menu.fromJSON([{ TEXT: 'A', LINK: '/a' }, { TEXT: 'B' }]), 'MENU_INVALID').message).to.contain('menu item 2');
    // keyboard-only fields do not belong in a menu
    expectCode(() => Menu.fromJSON([{ TEXT: 'A', LINK: '/a', DISPLAY: 'LINE' } as never]), 'MENU_INVALID');
    expectCode(() => Menu.fromJSON([{ TYPE: 'NEWLINE' } as never]), 'MENU_INVALID');
    expectCode(() => Menu.fromJSON({ ITEMS: {} } as never), 'MENU_INVALID');
  });
});
