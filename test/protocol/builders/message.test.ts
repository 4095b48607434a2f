import { expect } from 'chai';
import { Attach } from '../../../src/protocol/attach.js';
import { Keyboard } from '../../../src/protocol/keyboard.js';
import { MAX_KEYBOARD_BYTES, MAX_MESSAGE_LENGTH } from '../../../src/protocol/limits.js';
import { Menu } from '../../../src/protocol/menu.js';
import { normalizeMessage, type OutgoingMessage } from '../../../src/protocol/message.js';
import { expectCode } from './expect-code.js';

const isPlain = (value: unknown): boolean =>
  value === null || typeof value !== 'object'
    ? true
    : (Array.isArray(value) || Object.getPrototypeOf(value) === Object.prototype) && Object.values(value).every(isPlain);

describe('normalizeMessage', () => {
  it('turns a string into a text message', () => {
    expect(normalizeMessage('hi')).to.deep.equal({ text: 'hi' });
  });

  it('serializes builders into plain platform JSON that survives a JSON round trip', () => {
    const out = normalizeMessage({
      text: 'Ticket',
      keyboard: new Keyboard().command('Close', 'close', '142'),
      attach: new Attach().message('body'),
      menu: new Menu().link('Open', '/crm/'),
      system: false,
      urlPreview: false,
      replyTo: 77,
    });
    expect(out).to.deep.equal({
      text: 'Ticket',
      keyboard: { BUTTONS: [{ TEXT: 'Close', COMMAND: 'close', COMMAND_PARAMS: '142' }] },
      attach: { BLOCKS: [{ MESSAGE: 'body' }] },
      menu: { ITEMS: [{ TEXT: 'Open', LINK: '/crm/' }] },
      system: false,
      urlPreview: false,
      replyTo: 77,
    });
    expect(isPlain(out)).to.equal(true);
    expect(JSON.parse(JSON.stringify(out))).to.deep.equal(out);
  });

  it('accepts plain JSON: bare arrays are wrapped, full forms kept, and everything is validated', () => {
    const out = normalizeMessage({
      text: 'x',
      keyboard: [{ TEXT: 'Help', COMMAND: '/help' }],
      attach: [{ MESSAGE: 'm' }],
      menu: [{ TEXT: 'A', LINK: '/a' }],
    });
    expect(out.keyboard).to.deep.equal({ BUTTONS: [{ TEXT: 'Help', COMMAND: 'help' }] });
    expect(out.attach).to.deep.equal({ BLOCKS: [{ MESSAGE: 'm' }] });
    expect(out.menu).to.deep.equal({ ITEMS: [{ TEXT: 'A', LINK: '/a' }] });
    expect(normalizeMessage({ text: 'x', keyboard: { BOT_ID: 5, BUTTONS: [{ TEXT: 'A', LINK: '/a' }] } }).keyboard).to.deep.equal({
      BOT_ID: 5,
      BUTTONS: [{ TEXT: 'A', LINK: '/a' }],
    });
    expectCode(() => normalizeMessage({ text: 'x', keyboard: [{ TEXT: 'A', COMMAND: 'two words' }] }), 'KEYBOARD_INVALID');
    expectCode(() => normalizeMessage({ text: 'x', attach: [{ LINK: { LINK: 'ftp://x' } }] }), 'ATTACH_INVALID');
    expectCode(() => normalizeMessage({ text: 'x', menu: [{ TEXT: 'A' }] }), 'MENU_INVALID');
  });

  it('does not alias the caller objects', () => {
    const buttons = [{ TEXT: 'A', LINK: '/a' }];
    const out = normalizeMessage({ text: 'x', keyboard: buttons });
    buttons[0]!.TEXT = 'changed';
    expect(out.keyboard!.BUTTONS[0]).to.deep.equal({ TEXT: 'A', LINK: '/a' });
  });

  it('refuses empty text unless an attachment carries the message', () => {
    for (const text of ['', '   ', '\n']) expectCode(() => normalizeMessage(text), 'MESSAGE_INVALID');
    expectCode(() => normalizeMessage({ text: '', keyboard: new Keyboard().link('A', '/a') }), 'MESSAGE_INVALID');
    expect(normalizeMessage({ text: '', attach: new Attach().message('card') }).text).to.equal('');
  });

  it('refuses empty keyboards, attachments and menus', () => {
    expectCode(() => normalizeMessage({ text: 'x', keyboard: new Keyboard() }), 'KEYBOARD_INVALID');
    expectCode(() => normalizeMessage({ text: 'x', keyboard: [{ TYPE: 'NEWLINE' }] }), 'KEYBOARD_INVALID');
    expectCode(() => normalizeMessage({ text: 'x', attach: [] }), 'ATTACH_INVALID');
    expectCode(() => normalizeMessage({ text: 'x', menu: new Menu() }), 'MENU_INVALID');
  });

  it('refuses wrong field types and unknown fields', () => {
    const bad = (msg: unknown): OutgoingMessage => msg as OutgoingMessage;
    expectCode(() => normalizeMessage(bad(null)), 'MESSAGE_INVALID');
    expectCode(() => normalizeMessage(bad({ text: 5 })), 'MESSAGE_INVALID');
    expectCode(() => normalizeMessage(bad({ text: 'x', system: 'Y' })), 'MESSAGE_INVALID');
    expectCode(() => normalizeMessage(bad({ text: 'x', urlPreview: 1 })), 'MESSAGE_INVALID');
    expectCode(() => normalizeMessage({ text: 'x', replyTo: 0 }), 'MESSAGE_INVALID');
    expectCode(() => normalizeMessage({ text: 'x', replyTo: 1.5 }), 'MESSAGE_INVALID');
    expect(expectCode(() => normalizeMessage(bad({ text: 'x', keybaord: [] })), 'MESSAGE_INVALID').message).to.contain('keybaord');
    expectCode(() => normalizeMessage(bad({ text: 'x', keyboard: null })), 'KEYBOARD_INVALID');
    expectCode(() => normalizeMessage(bad({ text: 'x', keyboard: { BUTTONS: [{ TEXT: 'A', LINK: '/a' }], COLORS: {} } })), 'KEYBOARD_INVALID');
    expectCode(() => normalizeMessage(bad({ text: 'x', attach: 'card' })), 'ATTACH_INVALID');
    expectCode(() => normalizeMessage(bad({ text: 'x', menu: null })), 'MENU_INVALID');
  });

  it('checks the size limits before anything is queued', () => {
    normalizeMessage('x'.repeat(MAX_MESSAGE_LENGTH));
    expectCode(() => normalizeMessage('x'.repeat(MAX_MESSAGE_LENGTH + 1)), 'MESSAGE_TOO_LONG');
    const many = Array.from({ length: 1000 }, (_, n) => Keyboard.command(`Button ${n}`, 'pick', String(n)));
    const kb = Keyboard.from([many]);
    expect(JSON.stringify(kb).length).to.be.above(MAX_KEYBOARD_BYTES);
    expectCode(() => normalizeMessage({ text: 'x', keyboard: kb }), 'KEYBOARD_OVERSIZE');
  });
});
