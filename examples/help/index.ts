// The help plugin: /help lists the declared commands in the user's language, with a button for each.
import { commandHelp, defineBot } from '../../src/index.js';

export const desk = defineBot({
  code: 'desk',
  properties: { name: 'Desk' },
  commands: [
    { name: 'ticket', title: { en: 'New ticket', de: 'Neues Ticket' } },
    { name: 'find', title: { en: 'Find a ticket', de: 'Ticket suchen' }, params: { en: 'number', de: 'Nummer' } },
    { name: 'desk_btn', hidden: true },
  ],
})
  .install(commandHelp({ header: { en: 'I can do this:', de: 'Das kann ich:' } }))
  .command('ticket', (ctx) => ctx.answer('Ticket #1 created'))
  .command('find', (ctx) => ctx.answer(`Ticket #${ctx.event.command.params}: open`));
