import { Context } from '../../src/router/context.js';
import { END, defineDialogue, retry } from '../../src/router/dialogue.js';
import { defineBot } from '../../src/router/bot.js';
import { assertType, expectType, type Equal } from './expect.js';

// Step names are inferred from `steps`; `start` and every returned name must be one of them.
const form = defineDialogue({
  name: 'form',
  start: 'ask',
  initial: () => ({ answer: '' }),
  steps: {
    ask: {
      enter: (ctx) => ctx.reply('?'),
      text: (ctx, s) => {
        expectType<string>()(s.answer);
        if (ctx.text.length < 2) return retry('longer');
        s.answer = ctx.text;
        return 'confirm';
      },
    },
    confirm: {
      button: (_ctx, _s, value) => (value === 'yes' ? END : 'ask'),
    },
  },
});
assertType<Equal<typeof form.start, 'ask' | 'confirm'>>();
defineBot({ code: 'f', properties: { name: 'F' } }).dialogue(form);

defineDialogue({
  name: 'typo',
  start: 'ask',
  initial: () => ({}),
  steps: {
    // @ts-expect-error 'confrim' is not a step of this dialogue
    ask: { text: () => 'confrim' },
    confirm: { text: () => END },
  },
});

defineDialogue({
  name: 'bad-start',
  // @ts-expect-error the start step must exist
  start: 'begin',
  initial: () => ({}),
  steps: { ask: { text: () => END } },
});

// Steps of a dialogue for a custom context see its fields.
type TenantContext = Context & { tenant: string };
const tenantForm = defineDialogue({
  name: 'tenant',
  start: 'only',
  initial: () => 0,
  steps: { only: { enter: (ctx: TenantContext) => ctx.reply(ctx.tenant), text: (ctx) => (expectType<string>()(ctx.tenant), END) } },
});
defineBot<TenantContext>({ code: 't', properties: { name: 'T' } }).dialogue(tenantForm);
// @ts-expect-error a dialogue that needs `tenant` does not fit a bot without it
defineBot({ code: 'u', properties: { name: 'U' } }).dialogue(tenantForm);
