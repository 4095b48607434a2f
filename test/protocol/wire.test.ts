import { expect } from 'chai';
import { BotkitError } from '../../src/errors.js';
import {
  commandContext,
  commandName,
  fieldPath,
  mentionsBot,
  objectOf,
  redactedCopy,
  startsWithCommand,
  stripLeadingMention,
  toBool,
  toInt,
  toStr,
  trimAfterMention,
} from '../../src/protocol/wire.js';

describe('protocol/wire coercion helpers', () => {
  it('toInt reads numbers and digit strings, defaults on absent/empty, refuses the rest', () => {
    expect([toInt(12, 'f'), toInt('12', 'f'), toInt(' 7 ', 'f'), toInt('-3', 'f')]).to.deep.equal([12, 12, 7, -3]);
    expect([toInt(undefined, 'f'), toInt(null, 'f'), toInt('', 'f', 9)]).to.deep.equal([0, 0, 9]);
    for (const bad of ['12a', '1.5', 1.5, ['1'], { a: 1 }, true, '1234567890123456']) {
      expect(() => toInt(bad, 'data[X]'), String(bad)).to.throw(BotkitError, 'data[X] must be an integer');
    }
  });

  it('toStr keeps strings, prints numbers and booleans as PHP would, refuses arrays and objects', () => {
    expect([toStr('a', 'f'), toStr(5, 'f'), toStr(true, 'f'), toStr(false, 'f'), toStr(null, 'f', 'd')]).to.deep.equal(['a', '5', '1', '0', 'd']);
    expect(() => toStr(['a'], 'data[Y]')).to.throw(BotkitError, 'data[Y] must be a scalar');
    expect(() => toStr({}, 'data[Y]')).to.throw(BotkitError, 'data[Y] must be a scalar');
  });

  it('toBool accepts Y / 1 / true (any case) from both wire forms', () => {
    expect([true, 1, '1', 'Y', 'y', 'TRUE', ' Y '].map(toBool)).to.deep.equal(Array(7).fill(true));
    expect([false, 0, '0', 'N', '', 'yes', null, undefined, ['Y']].map(toBool)).to.deep.equal(Array(9).fill(false));
  });

  it('objectOf turns absent, null and PHP `[]` into an empty object and refuses scalars', () => {
    expect(Object.keys(objectOf(undefined, 'f'))).to.deep.equal([]);
    expect(Object.keys(objectOf([], 'f'))).to.deep.equal([]);
    expect(() => objectOf('x', 'data[USER]')).to.throw(BotkitError, 'data[USER] must be an object');
    expect(() => objectOf([1], 'data[USER]')).to.throw(BotkitError, 'data[USER] must be an object');
  });

  it('fieldPath writes bracket paths', () => {
    expect(fieldPath('data', ['PARAMS', 'MESSAGE'])).to.equal('data[PARAMS][MESSAGE]');
    expect(fieldPath('', ['auth', 'member_id'])).to.equal('auth[member_id]');
    expect(fieldPath('', [])).to.equal('body');
  });

  it('redactedCopy drops every key naming a token, auth, secret or client_id, and freezes the copy', () => {
    const copy = redactedCopy({
      BOT: { 5: { access_token: 'a', AUTH: { refresh_token: 'r' }, client_id: 'c', BOT_ID: '5' } },
      bot: { id: 1, auth: { x: 1 }, botToken: 't' },
      list: [{ application_token: 'x', keep: 1 }],
      client_secret: 's',
      MESSAGE: 'hi',
    });
    expect(copy).to.deep.equal({ BOT: { 5: { BOT_ID: '5' } }, bot: { id: 1 }, list: [{ keep: 1 }], MESSAGE: 'hi' });
    expect(Object.isFrozen(copy) && Object.isFrozen(copy['BOT'])).to.equal(true);
  });

  it('finds, strips and trims mentions of one bot only', () => {
    expect(mentionsBot('x [USER=45]Bot[/USER]', 45)).to.equal(true);
    expect(mentionsBot('x [user=45 REPLACE]Bot[/user]', 45)).to.equal(true);
    expect(mentionsBot('x [USER=450]Bot[/USER]', 45)).to.equal(false);
    expect(mentionsBot('[USER=0]x[/USER]', 0)).to.equal(false);
    expect(stripLeadingMention('[USER=45]Echo bot[/USER], what time is it?', 45)).to.equal('what time is it?');
    expect(stripLeadingMention('[USER=45]Echo[/USER]', 45)).to.equal('');
    expect(stripLeadingMention('[USER=46]Other[/USER], hi', 45)).to.equal('[USER=46]Other[/USER], hi');
    expect(trimAfterMention(' , : hi')).to.equal('hi');
    expect(trimAfterMention('- hi')).to.equal('hi');
    expect(trimAfterMention('-5 degrees')).to.equal('-5 degrees');
  });

  it('recognises commands and normalises command names and contexts', () => {
    expect([startsWithCommand('/help'), startsWithCommand('  /помощь'), startsWithCommand('/ x'), startsWithCommand('a/b')]).to.deep.equal([true, true, false, false]);
    expect(commandName(' /Help ', 'f')).to.equal('help');
    expect([commandContext('TEXTAREA', 'f'), commandContext('Keyboard', 'f'), commandContext('menu', 'f'), commandContext(undefined, 'f')]).to.deep.equal(['textarea', 'keyboard', 'menu', 'textarea']);
    expect(commandContext('voice', 'data[command][context]'), 'unknown: a typed command, never a refusal').to.equal('textarea');
  });
});
