import { expect } from 'chai';
import { BotkitError } from '../../src/errors.js';
import { Composer } from '../../src/router/composer.js';
import type { Context } from '../../src/router/context.js';
import { testContext } from '../helpers/context.js';
import { baseEvent, commandEvent, joinEvent, messageEvent } from '../helpers/events.js';
import { rejection } from '../helpers/common.js';

async function run(c: Composer, ctx: Context): Promise<void> {
  await c.middleware()(ctx, async () => undefined);
}

describe('router/composer', () => {
  it('routes a typed command and a keyboard press of the same command to one handler', async () => {
    const got: string[] = [];
    const c = new Composer().command('echo', (ctx) => void got.push(`${ctx.event.command.context}:${ctx.event.command.params}`));
    await run(c, testContext(commandEvent('echo', 'a')).ctx);
    await run(c, testContext(commandEvent('echo', 'b', { context: 'keyboard' })).ctx);
    await run(c, testContext(commandEvent('other', 'c')).ctx);
    expect(got).to.deep.equal(['textarea:a', 'keyboard:b']);
  });

  it('button() only sees presses, not typed commands', async () => {
    const got: string[] = [];
    const c = new Composer().button('vote', (ctx) => void got.push(ctx.event.command.params));
    await run(c, testContext(commandEvent('vote', 'typed')).ctx);
    await run(c, testContext(commandEvent('vote', 'pressed', { context: 'keyboard' })).ctx);
    expect(got).to.deep.equal(['pressed']);
  });

  it('text() matches strings case-insensitively and RegExps with the match on ctx.match', async () => {
    const got: string[] = [];
    const c = new Composer()
      .text('hello', () => void got.push('string'))
      .text(/^order (\d+)$/, (ctx) => void got.push(`order ${ctx.match?.[1]}`))
      .text(null, (ctx) => void got.push(`any ${ctx.text}`));
    for (const t of ['  HELLO ', 'order 42', 'something']) await run(c, testContext(messageEvent(t)).ctx);
    expect(got).to.deep.equal(['string', 'order 42', 'any something']);
  });

  it('passes on with next() in order and stops when a handler does not call it', async () => {
    const order: number[] = [];
    const c = new Composer()
      .use(async (_ctx, next) => { order.push(1); await next(); order.push(4); })
      .use(async (_ctx, next) => { order.push(2); await next(); })
      .use(() => void order.push(3))
      .use(() => void order.push(99));
    await run(c, testContext(messageEvent('x')).ctx);
    expect(order).to.deep.equal([1, 2, 3, 4]);
  });

  it('throws NEXT_CALLED_TWICE when a middleware calls next() twice', async () => {
    const c = new Composer().use(async (_ctx, next) => { await next(); await next(); });
    const err = await rejection(run(c, testContext(messageEvent('x')).ctx));
    expect(err).to.be.instanceOf(BotkitError).and.to.have.property('code', 'NEXT_CALLED_TWICE');
  });

  it('on() narrows by event type and join() sees joins only', async () => {
    const got: string[] = [];
    const c = new Composer().on(['join', 'command'], (ctx) => void got.push(ctx.event.type)).join(() => void got.push('join2'));
    await run(c, testContext(joinEvent()).ctx);
    await run(c, testContext(messageEvent('x')).ctx);
    expect(got).to.deep.equal(['join']);
  });

  it('errorBoundary() catches errors of its own middleware only', async () => {
    const caught: string[] = [];
    const c = new Composer().errorBoundary((e) => void caught.push((e as Error).message), () => { throw new Error('inner'); });
    await run(c, testContext(messageEvent('x')).ctx);
    expect(caught).to.deep.equal(['inner']);
    const outer = new Composer().errorBoundary(() => undefined, (_ctx, next) => next()).use(() => { throw new Error('after'); });
    const err = await rejection(run(outer, testContext(messageEvent('x')).ctx));
    expect(err).to.have.property('message', 'after');
  });

  it('filter() runs its middleware only when the predicate holds, sync or async', async () => {
    const got: string[] = [];
    const c = new Composer()
      .filter((ctx) => ctx.user.id === 2, () => void got.push('two'))
      .filter(async (ctx) => ctx.text === 'async', (_ctx, next) => { got.push('async'); return next(); })
      .use((ctx) => void got.push(`rest ${ctx.text}`));
    await run(c, testContext(messageEvent('x')).ctx);
    await run(c, testContext(messageEvent('y', { user: { ...baseEvent().user, id: 2 } })).ctx);
    await run(c, testContext(messageEvent('async')).ctx);
    expect(got).to.deep.equal(['rest x', 'two', 'async', 'rest async']);
  });

  it('errorBoundary() passes on only when its middleware called next()', async () => {
    const got: string[] = [];
    const c = new Composer()
      .errorBoundary(() => void got.push('caught'), (ctx, next) => (ctx.text === 'pass' ? next() : ctx.text === 'throw' ? Promise.reject(new Error('x')) : undefined))
      .use((ctx) => void got.push(`after ${ctx.text}`));
    for (const t of ['pass', 'throw', 'stop']) await run(c, testContext(messageEvent(t)).ctx);
    expect(got).to.deep.equal(['after pass', 'caught']);
  });

  it('use() accepts composers: their chain runs in place and passes on with next()', async () => {
    const got: string[] = [];
    const inner = new Composer().command('a', () => void got.push('inner a')).use((_ctx, next) => { got.push('inner pass'); return next(); });
    const c = new Composer().use(inner).use(() => void got.push('outer'));
    await run(c, testContext(commandEvent('a')).ctx);
    await run(c, testContext(commandEvent('b')).ctx);
    expect(got).to.deep.equal(['inner a', 'inner pass', 'outer']);
  });
});

describe('router/context', () => {
  it('reply() posts to the event dialogue via the sink with a templateId', async () => {
    const { ctx, sent } = testContext(messageEvent('hi'));
    await ctx.reply('hello');
    expect(sent).to.have.length(1);
    expect(sent[0]?.method).to.equal('imbot.v2.Chat.Message.send');
    expect(sent[0]?.params).to.deep.include({ botId: 45, dialogId: '1' });
    expect((sent[0]?.params['fields'] as Record<string, unknown>)['message']).to.equal('hello');
    expect((sent[0]?.params['fields'] as Record<string, unknown>)['templateId']).to.match(/^[0-9a-f-]{36}$/);
  });

  it('answer() outside a command throws CONTEXT_UNSUPPORTED and sends nothing', async () => {
    const { ctx, sent } = testContext(messageEvent('hi'));
    const err = await rejection(ctx.answer('x'));
    expect(err).to.be.instanceOf(BotkitError).and.to.have.property('code', 'CONTEXT_UNSUPPORTED');
    expect(sent).to.have.length(0);
  });

  it('answer() on a command uses Command.answer with the command and message ids', async () => {
    const { ctx, sent } = testContext(commandEvent('echo', 'x'));
    await ctx.answer('x');
    expect(sent[0]?.method).to.equal('imbot.v2.Command.answer');
    expect(sent[0]?.params).to.deep.include({ commandId: 7, messageId: 101, dialogId: '1' });
  });

  it('refuses an oversize message with MESSAGE_TOO_LONG before anything is queued', async () => {
    const { ctx, sent } = testContext(messageEvent('hi'));
    const err = await rejection(ctx.reply('x'.repeat(20_001)));
    expect(err).to.have.property('code', 'MESSAGE_TOO_LONG');
    expect(sent).to.have.length(0);
  });

  it('t() picks the event language and falls back', () => {
    expect(testContext(messageEvent('x', { language: 'de' })).ctx.t('hi', { name: 'Anna' })).to.equal('Hallo Anna');
    expect(testContext(messageEvent('x', { language: 'fr' })).ctx.t('hi', { name: 'Anna' })).to.equal('Hi Anna');
  });
});
