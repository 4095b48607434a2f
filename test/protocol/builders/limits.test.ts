import { expect } from 'chai';
import { Keyboard } from '../../../src/protocol/keyboard.js';
import {
  checkOutgoingMessage, isPlatformLink, jsonBytes, MAX_ATTACH_BYTES, MAX_ATTACH_CHARS, MAX_KEYBOARD_BYTES, MAX_MENU_BYTES,
  MAX_MESSAGE_LENGTH, platformJsonChars, textLength,
} from '../../../src/protocol/limits.js';
import type { AttachJSON, KeyboardJSON, MenuJSON } from '../../../src/protocol/message.js';
import { expectCode } from './expect-code.js';

/** Pads the one free text of `make` so that `measure` of the result is exactly `target`. */
function exactly<T>(target: number, make: (pad: string) => T, measure: (value: T) => number = jsonBytes, unit = 'a'): T {
  const base = measure(make(''));
  const perUnit = measure(make(unit)) - base;
  const n = (target - base) / perUnit;
  if (!Number.isInteger(n) || n < 0) throw new Error(`cannot reach ${target} from ${base} in steps of ${perUnit}`);
  const value = make(unit.repeat(n));
  expect(measure(value)).to.equal(target);
  return value;
}

const keyboard = (pad: string): KeyboardJSON => ({ BUTTONS: [{ TEXT: `Go${pad}`, COMMAND: 'go' }] });
const menu = (pad: string): MenuJSON => ({ ITEMS: [{ TEXT: `Go${pad}`, LINK: '/go' }] });
const attach = (pad: string): AttachJSON => ({ BLOCKS: [{ MESSAGE: `m${pad}` }] });

describe('limits', () => {
  it('has the documented values', () => {
    expect([MAX_MESSAGE_LENGTH, MAX_KEYBOARD_BYTES, MAX_MENU_BYTES, MAX_ATTACH_BYTES, MAX_ATTACH_CHARS]).to.deep.equal([20000, 30720, 30720, 30720, 60000]);
  });

  describe('message text (MESSAGE_TOO_LONG)', () => {
    it('accepts 20,000 characters and refuses 20,001, naming both numbers', () => {
      checkOutgoingMessage({ text: 'x'.repeat(MAX_MESSAGE_LENGTH) });
      const err = expectCode(() => checkOutgoingMessage({ text: 'x'.repeat(MAX_MESSAGE_LENGTH + 1) }), 'MESSAGE_TOO_LONG');
      expect(err.message).to.contain('20001').and.contain('20000');
    });

    it('counts characters (code points), not UTF-16 units or bytes', () => {
      expect(textLength('😀я')).to.equal(2);
      checkOutgoingMessage({ text: '😀'.repeat(MAX_MESSAGE_LENGTH) });
      expectCode(() => checkOutgoingMessage({ text: '😀'.repeat(MAX_MESSAGE_LENGTH) + 'я' }), 'MESSAGE_TOO_LONG');
    });
  });

  describe('keyboard (KEYBOARD_OVERSIZE)', () => {
    it('accepts exactly 30 KB of JSON and refuses one byte more', () => {
      checkOutgoingMessage({ text: 'x', keyboard: exactly(MAX_KEYBOARD_BYTES, keyboard) });
      const err = expectCode(() => checkOutgoingMessage({ text: 'x', keyboard: exactly(MAX_KEYBOARD_BYTES + 1, keyboard) }), 'KEYBOARD_OVERSIZE');
      expect(err.message).to.contain('30721 bytes').and.contain('30720').and.contain('MAX_KEYBOARD_BYTES');
    });

    it('measures UTF-8 bytes (two per Cyrillic letter) on the wrapped form, also for builders and bare arrays', () => {
      const atLimit = exactly(MAX_KEYBOARD_BYTES, keyboard, jsonBytes, 'я');
      checkOutgoingMessage({ text: 'x', keyboard: atLimit.BUTTONS });
      const over = exactly(MAX_KEYBOARD_BYTES + 2, keyboard, jsonBytes, 'я');
      expectCode(() => checkOutgoingMessage({ text: 'x', keyboard: over }), 'KEYBOARD_OVERSIZE');
      expectCode(() => checkOutgoingMessage({ text: 'x', keyboard: Keyboard.fromJSON(over) }), 'KEYBOARD_OVERSIZE');
    });
  });

  describe('menu (MENU_OVERSIZE)', () => {
    it('accepts exactly 30 KB of JSON and refuses one byte more', () => {
      checkOutgoingMessage({ text: 'x', menu: exactly(MAX_MENU_BYTES, menu) });
      const err = expectCode(() => checkOutgoingMessage({ text: 'x', menu: exactly(MAX_MENU_BYTES + 1, menu).ITEMS }), 'MENU_OVERSIZE');
      expect(err.message).to.contain('30721 bytes').and.contain('MAX_MENU_BYTES');
    });
  });

  describe('attachment (ATTACH_OVERSIZE): 30 KB and 60,000 characters both apply', () => {
    it('accepts exactly 30 KB and refuses one byte more, naming the byte limit only', () => {
      checkOutgoingMessage({ text: 'x', attach: exactly(MAX_ATTACH_BYTES, attach) });
      const err = expectCode(() => checkOutgoingMessage({ text: 'x', attach: exactly(MAX_ATTACH_BYTES + 1, attach) }), 'ATTACH_OVERSIZE');
      expect(err.message).to.contain('30721 bytes').and.contain('MAX_ATTACH_BYTES').and.not.contain('MAX_ATTACH_CHARS');
    });

    it('counts characters as the platform serializes them (escaped slashes, U+2028/9)', () => {
      expect(platformJsonChars({ A: 'a/b' })).to.equal(JSON.stringify({ A: 'a/b' }).length + 1);
      expect(platformJsonChars('\u2028я')).to.equal(2 + 6 + 1);
      expect(jsonBytes('я')).to.equal(4);
    });

    it('accepts 59,999 platform characters and refuses 60,000 (the platform tests < 60000), naming the character limit only', () => {
      // A slash is one byte but two platform characters: 30 KB of slashes is over 60,000 characters.
      const slashes = (target: number): AttachJSON => {
        const base = platformJsonChars(attach(''));
        const half = Math.floor((target - base) / 2);
        return attach('/'.repeat(half) + 'a'.repeat(target - base - 2 * half));
      };
      const ok = slashes(MAX_ATTACH_CHARS - 1);
      expect(platformJsonChars(ok)).to.equal(59999);
      expect(jsonBytes(ok)).to.be.below(MAX_ATTACH_BYTES);
      checkOutgoingMessage({ text: 'x', attach: ok });
      const over = slashes(MAX_ATTACH_CHARS);
      expect(jsonBytes(over)).to.be.below(MAX_ATTACH_BYTES);
      const err = expectCode(() => checkOutgoingMessage({ text: 'x', attach: over.BLOCKS }), 'ATTACH_OVERSIZE');
      expect(err.message).to.contain('60000 characters').and.contain('MAX_ATTACH_CHARS').and.not.contain('MAX_ATTACH_BYTES');
    });

    it('names both limits when both are exceeded', () => {
      const err = expectCode(() => checkOutgoingMessage({ text: 'x', attach: attach('/'.repeat(31000)) }), 'ATTACH_OVERSIZE');
      expect(err.message).to.contain('MAX_ATTACH_BYTES').and.contain('MAX_ATTACH_CHARS');
    });
  });

  it('isPlatformLink follows the server rule: lower-case http(s) with a host, or a single-slash path', () => {
    expect(['http://a.io', 'https://a.io:8443/x?y#z', '/x', '/'].every(isPlatformLink)).to.equal(true);
    expect(['HTTP://a.io', 'https:/a.io', '//a.io', 'mailto:a@b.c', 'a.io', '', ' /x', '/x\t'].some(isPlatformLink)).to.equal(false);
  });
});
