import { expect } from 'chai';
import { defineBot, isBotDefinition } from '../../src/router/bot.js';
import { END, defineDialogue } from '../../src/router/dialogue.js';
import type { BotType } from '../../src/protocol/outbound.js';

describe('router/bot', () => {
  it('derives the group policy from the bot type; groupMessages overrides it', () => {
    const policy = (type: BotType | undefined, groupMessages?: 'all' | 'addressed') => {
      const b = defineBot({ code: 'b', properties: { name: 'B' }, ...(type ? { type } : {}), ...(groupMessages ? { groupMessages } : {}) });
      return [b.seesEveryGroupMessage, b.groupPolicy];
    };
    expect([undefined, 'bot', 'openline', 'supervisor', 'personal'].map((t) => policy(t as BotType | undefined))).to.deep.equal([
      [false, 'addressed'], [false, 'addressed'], [false, 'addressed'], [true, 'all'], [true, 'all'],
    ]);
    expect(policy('personal', 'addressed')).to.deep.equal([true, 'addressed']);
    expect(policy('bot', 'all')).to.deep.equal([false, 'all']);
  });

  it('lists commands once per name, case-insensitively: options first, then declared, then dialogue commands', () => {
    const d = defineDialogue({ name: 'form', start: 'a', initial: () => ({}), steps: { a: { text: () => END } } });
    const d2 = defineDialogue({ name: 'poll', start: 'a', initial: () => ({}), cancelCommands: ['stop', 'cancel'], steps: { a: {} } });
    const bot = defineBot({
      code: 'b', properties: { name: 'B' },
      commands: [{ name: 'Help', title: 'from options' }, { name: 'form_btn', title: 'mine' }, { name: 'cancel', title: 'Abort' }],
    })
      .declareCommands({ name: 'help', title: 'declared' }, { name: 'extra', title: 'declared' }, { name: 'Stop', title: 'declared' })
      .dialogue(d)
      .dialogue(d2);
    expect(bot.commands).to.deep.equal([
      { name: 'Help', title: 'from options' }, { name: 'form_btn', title: 'mine' }, { name: 'cancel', title: 'Abort' },
      { name: 'extra', title: 'declared' }, { name: 'Stop', title: 'declared' }, { name: 'poll_btn', hidden: true },
    ]);
    expect(defineBot({ code: 'bare', properties: { name: 'B' } }).commands).to.deep.equal([]);
  });

  it('recognises a bot definition from another copy of the module by its registered symbol', () => {
    expect(isBotDefinition(defineBot({ code: 'b', properties: { name: 'B' } }))).to.equal(true);
    expect(isBotDefinition({ [Symbol.for('b24-botkit.BotDefinition')]: true })).to.equal(true);
    expect(isBotDefinition({ code: 'b', options: {} })).to.equal(false);
    expect(isBotDefinition(null)).to.equal(false);
    expect(isBotDefinition('echo')).to.equal(false);
  });
});
