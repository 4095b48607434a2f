import { Keyboard, bb, defineBot, type Context, type CommandEvent } from '../../src/index.js';

/** One poll, kept in the chat's session. */
interface Poll {
  question: string;
  options: string[];
  /** user id → option index */
  votes: Record<string, number>;
  messageId: number | null;
}

function render(poll: Poll, id: string): { text: string; keyboard: Keyboard } {
  const counts = poll.options.map((_, i) => Object.values(poll.votes).filter((v) => v === i).length);
  const lines = poll.options.map((o, i) => `${bb.escape(o)}: ${counts[i]}`);
  const keyboard = poll.options.reduce((kb, o, i) => kb.command(o, 'vote', `${id}:${i}`, { display: 'LINE' }), new Keyboard());
  return { text: `[B]${bb.escape(poll.question)}[/B]\n${lines.join('\n')}`, keyboard };
}

async function vote(ctx: Context<CommandEvent>): Promise<void> {
  const [id = '', choice = ''] = ctx.event.command.params.split(':');
  const poll = await ctx.chatSession.get<Poll>(`poll:${id}`);
  const index = Number(choice);
  if (!poll || !Number.isInteger(index) || index < 0 || index >= poll.options.length) return;
  poll.votes[String(ctx.user.id)] = index;
  await ctx.chatSession.set(`poll:${id}`, poll);
  if (poll.messageId !== null) await ctx.update(poll.messageId, render(poll, id));
}

/**
 * Poll: a group-chat bot. `/poll Lunch? | Pizza | Sushi` posts a question with one button per option;
 * members press to vote and the message updates with the counts.
 */
export const poll = defineBot({
  code: 'poll',
  properties: { name: 'Poll', color: 'purple', workPosition: 'Runs quick polls in group chats' },
  commands: [
    { name: 'poll', title: { en: 'Start a poll' }, params: { en: 'question | option | option' } },
    { name: 'vote', hidden: true },
  ],
})
  .command('poll', async (ctx) => {
    const [question = '', ...options] = ctx.event.command.params.split('|').map((s) => s.trim()).filter(Boolean);
    if (options.length < 2) {
      await ctx.answer('Usage: /poll Question? | option 1 | option 2');
      return;
    }
    const id = String(ctx.event.messageId);
    const state: Poll = { question, options: options.slice(0, 10), votes: {}, messageId: null };
    // The id is needed to update the message on each vote: wait for the portal to post it.
    state.messageId = await (await ctx.reply(render(state, id))).delivered;
    await ctx.chatSession.set(`poll:${id}`, state);
  })
  .button('vote', vote)
  .join((ctx) => ctx.reply('Hi! Start a poll with /poll Question? | option 1 | option 2'));
