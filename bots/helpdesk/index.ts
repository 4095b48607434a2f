import { Attach, END, Keyboard, bb, defineBot, defineDialogue, describeFile, retry } from '../../src/index.js';

/** The data one ticket collects, step by step. */
interface Ticket {
  subject: string;
  description: string;
  priority: string;
  /** The optional file attached at the description step: `name (size)`, and its id on the portal. */
  attachment: { id: number; label: string } | null;
}

const PRIORITIES: Readonly<Record<string, string>> = { low: 'Low', normal: 'Normal', high: 'High' };
const BTN = 'ticket_btn';
const cancelKeyboard = new Keyboard().command('Cancel', BTN, 'cancel', { colorToken: 'alert' });

/** Subject → description → priority (keyboard) → confirm (Submit/Cancel) → summary attachment. */
export const ticket = defineDialogue({
  name: 'ticket',
  start: 'subject',
  initial: (): Ticket => ({ subject: '', description: '', priority: '', attachment: null }),
  steps: {
    subject: {
      enter: (ctx) => ctx.reply({ text: 'New ticket. What is the subject? (/cancel stops at any step)', keyboard: cancelKeyboard }),
      text: (ctx, t) => {
        if (ctx.text.trim().length < 3) return retry('The subject needs at least 3 characters. What is the subject?');
        t.subject = ctx.text.trim();
        return 'description';
      },
    },
    description: {
      enter: (ctx) => ctx.reply({ text: 'Describe the problem in one message. You may attach a file (a screenshot, a log).', keyboard: cancelKeyboard }),
      text: async (ctx, t) => {
        const [file] = ctx.event.type === 'message' ? ctx.event.message.files : [];
        if (ctx.text.trim() === '' && file === undefined) return retry('Please describe the problem (text, a file, or both).');
        t.description = ctx.text.trim();
        t.attachment = file === undefined ? null : { id: file.id, label: describeFile(await ctx.fileInfo(file)) };
        return 'priority';
      },
    },
    priority: {
      enter: (ctx) => ctx.reply({
        text: 'How urgent is it?',
        keyboard: Object.entries(PRIORITIES)
          .reduce((kb, [value, label]) => kb.command(label, BTN, value, { display: 'LINE' }), new Keyboard())
          .row()
          .command('Cancel', BTN, 'cancel', { colorToken: 'alert' }),
      }),
      text: () => retry('Please press one of the buttons: Low, Normal or High.'),
      button: (_ctx, t, value) => {
        if (!(value in PRIORITIES)) return retry('Please press one of the buttons: Low, Normal or High.');
        t.priority = value;
        return 'confirm';
      },
    },
    confirm: {
      enter: (ctx) => ctx.reply({
        text: 'Submit this ticket?',
        keyboard: new Keyboard()
          .command('Submit', BTN, 'submit', { colorToken: 'primary', display: 'LINE' })
          .command('Cancel', BTN, 'cancel', { colorToken: 'alert', display: 'LINE' }),
      }),
      text: () => retry('Press Submit or Cancel.'),
      button: async (ctx, t, value) => {
        if (value !== 'submit') return retry('Press Submit or Cancel.');
        const count = ((await ctx.session.get<number>('tickets')) ?? 0) + 1;
        await ctx.session.set('tickets', count);
        const id = `HD-${ctx.user.id}-${count}`;
        await ctx.reply({
          text: `Ticket ${id} submitted. We will get back to you.`,
          attach: new Attach({ colorToken: 'primary' })
            .message(`[B]${id}: ${bb.escape(t.subject)}[/B]`)
            .grid([
              { name: 'Priority', value: PRIORITIES[t.priority] ?? t.priority, display: 'LINE' },
              { name: 'Author', value: bb.escape(ctx.user.name), display: 'LINE' },
              ...(t.attachment ? [{ name: 'Attachment', value: bb.escape(t.attachment.label), display: 'LINE' as const }] : []),
            ])
            .delimiter()
            .message(bb.escape(t.description) || '(see the attachment)'),
        });
        return END;
      },
    },
  },
  onCancel: (ctx) => ctx.reply('Ticket cancelled.'),
});

/** HelpDesk: `/ticket` opens a ticket through a multi-step dialogue. */
export const helpdesk = defineBot({
  code: 'helpdesk',
  properties: { name: 'HelpDesk', color: 'mint', workPosition: 'Opens support tickets' },
  commands: [{ name: 'ticket', title: { en: 'Open a support ticket', de: 'Support-Ticket öffnen' } }],
})
  .dialogue(ticket)
  .command('ticket', (ctx) => ctx.dialogue.enter('ticket'))
  .command('cancel', (ctx) => ctx.reply('Nothing to cancel.'))
  .join((ctx) => ctx.reply('Hi! Type /ticket to open a support ticket.'))
  .text(null, (ctx) => ctx.reply('Type /ticket to open a support ticket.'));
