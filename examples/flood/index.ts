// The flood guard: at most 3 messages per user per 10 s reach the handlers; one warning per window.
import { defineBot, floodGuard } from '../../src/index.js';

export const calm = defineBot({ code: 'calm', properties: { name: 'Calm' } })
  .use(floodGuard({ limit: 3, windowMs: 10_000, types: ['message', 'command'], onLimit: (ctx, ms) => ctx.reply(`Slow down: try again in ${Math.ceil(ms / 1000)} s.`) }))
  .text(null, (ctx) => ctx.reply(`Got: ${ctx.text}`));
