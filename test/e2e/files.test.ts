/**
 * Files, replies, forwards, the system flag and the message helpers, end to end: the real server and the
 * real emulator over loopback, both API generations. Platform behaviour from the official docs
 * (`v2/imbot.v2/files/*.md`, `v2/imbot.v2/messages/chat-message-{get,read}.md`,
 * `v2/imbot.v2/ui/chat-text-field-enabled.md`, `outdated/messages/imbot-message-like.md`).
 */
import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { Keyboard, defineBot } from '../../src/index.js';
import type { BotkitError } from '../../src/errors.js';
import type { MessageEvent } from '../../src/protocol/events.js';
import { createLogger } from '../../src/log.js';
import { createOutbox } from '../../src/outbox/outbox.js';
import type { BotDefinition } from '../../src/router/bot.js';
import { createRuntime } from '../../src/router/runtime.js';
import { messageEvent } from '../helpers/events.js';
import { startStack, type Stack } from './harness.js';

const seen: MessageEvent[] = [];
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex').slice(0, 16);

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

const code = (e: unknown): string => (e as BotkitError).code ?? String(e);

function filer(type: 'bot' | 'supervisor'): BotDefinition {
  return defineBot({ code: 'filer', type, properties: { name: 'Filer' } })
    .text('upload', async (ctx) => {
      const sent = await ctx.replyWithFile({ name: 'report.txt', content: Buffer.from('hello file') }, 'Here it is');
      await ctx.reply(`uploaded ${sent.fileId} in ${sent.messageId}`);
    })
    .text('file-caption', async (ctx) => {
      await ctx.reply({ text: 'the caption', file: { name: 'c.txt', content: Buffer.from('cap') } });
    })
    .text('file-kb', async (ctx) => {
      await ctx.reply({ text: 'with buttons', keyboard: new Keyboard().link('Docs', 'https://example.com/'), file: { name: 'k.txt', content: Buffer.from('kb') } });
    })
    .text('file-badkb', async (ctx) => {
      await ctx.reply({ text: 'x', keyboard: 'nope' as never, file: { name: 'x.txt', content: Buffer.from('x') } }).catch((e: unknown) => ctx.reply(code(e)));
    })
    .text('upload-big', async (ctx) => {
      await ctx.replyWithFile({ name: 'big.bin', content: Buffer.alloc(64) }, undefined, { maxBytes: 32 }).catch((e: unknown) => ctx.reply(code(e)));
    })
    .text('upload-portal-refuses', async (ctx) => {
      await ctx.replyWithFile({ name: 'mid.bin', content: Buffer.alloc(2048) }).catch((e: unknown) => ctx.reply(`refused ${code(e)} ${String((e as { apiCode?: string }).apiCode)}`));
    })
    .text(/^get (\d+)$/, async (ctx) => {
      const m = await ctx.getMessage(Number(ctx.match?.[1])).then(
        (r) => `${r.text} files=${r.files.map((f) => f.id).join(',')} reply=${r.replyToId}`,
        (e: unknown) => `error ${code(e)} ${String((e as { apiCode?: string }).apiCode)}`,
      );
      await ctx.reply(`got: ${m}`);
    })
    .text(/^context (\d+) (\d+)$/, async (ctx) => {
      const w = await ctx.getContext(Number(ctx.match?.[1]), Number(ctx.match?.[2]));
      await ctx.reply(`${w.messages.map((m) => m.text).join('|')} prev=${w.hasPrevPage} next=${w.hasNextPage}`);
    })
    .text('read', async (ctx) => {
      await ctx.markRead(ctx.event.message.id);
      await ctx.reply('marked');
    })
    .text('unlike', async (ctx) => {
      await ctx.react('like');
      await ctx.unreact('like');
      await ctx.reply('unliked');
    })
    .text('unsupported', async (ctx) => {
      const codes = await Promise.all([
        ctx.replyWithFile({ name: 'a.txt', content: Buffer.from('a') }).then(() => 'ok', code),
        ctx.getMessage(1).then(() => 'ok', code),
        ctx.markRead().then(() => 'ok', code),
        ctx.setInput(false).then(() => 'ok', code),
      ]);
      await ctx.reply(codes.join(','));
    })
    .text('lock', async (ctx) => {
      await ctx.setInput(false).catch((e: unknown) => ctx.reply(code(e)));
      await ctx.reply('locked');
    })
    .text(null, async (ctx) => {
      seen.push(ctx.event);
      const out: string[] = [];
      for (const f of ctx.event.message.files) {
        try {
          const dl = await ctx.download(f, { maxBytes: 1000 });
          out.push(`${dl.name} ${dl.size} ${sha(await readAll(dl.stream))}`);
        } catch (e) {
          out.push(`${f.id} ${code(e)}`);
        }
      }
      await ctx.reply(out.length > 0 ? out.join('; ') : 'no files');
    });
}

async function withStack(api: 'v1' | 'v2', type: 'bot' | 'supervisor', run: (s: Stack) => Promise<void>): Promise<void> {
  const stack = await startStack({ api, bots: new Map([['filer', filer(type)]]) });
  try {
    await run(stack);
  } finally {
    await stack.close();
  }
}

/** What the durable outbox holds: pending items and the methods of dead letters. */
async function outboxState(s: Stack): Promise<{ pending: number; dead: string[] }> {
  const pending = await s.kit.store.outboxPending(1000, Number.MAX_SAFE_INTEGER);
  return { pending: pending.length, dead: (await s.kit.store.outboxDeadList(100)).map((d) => d.method) };
}

/** Sends a message to the bot and returns the text of its last answer, once the event is fully handled. */
async function say(s: Stack, text: string, extra: Record<string, unknown> = {}, answers = 1): Promise<string> {
  const before = s.emu.portal.messages({ botCode: 'filer' }).length;
  await s.emu.portal.sendMessage({ from: 1, to: 'filer', text, ...extra });
  const all = await s.emu.portal.waitForMessages(before + answers, { botCode: 'filer' });
  await s.kit.idle();
  return all.at(-1)!.text;
}

describe('e2e: files, replies, forwards and message helpers', function () {
  this.timeout(20_000);
  beforeEach(() => { seen.length = 0; });

  for (const api of ['v2', 'v1'] as const) {
    describe(`${api}: decoded fields of a user's message`, () => {
      it('files: id and (classic) name/size/type; the bytes download as a stream (name and size from the headers)', async () => {
        await withStack(api, 'bot', async (s) => {
          const answer = await say(s, 'see attached', { files: [{ name: 'notes.txt', content: 'twelve bytes' }] });
          const [file] = seen[0]!.message.files;
          expect(file!.id).to.be.a('number').above(0);
          if (api === 'v1') expect(file).to.deep.include({ name: 'notes.txt', size: 12, type: 'file' });
          else expect(file).to.deep.include({ name: null, size: null, type: null }); // v2 events name files by id only
          expect(answer).to.equal(`notes.txt 12 ${sha(Buffer.from('twelve bytes'))}`);
          const method = api === 'v2' ? 'imbot.v2.File.download' : 'disk.file.get';
          expect(s.emu.portal.requests().filter((r) => r.method === method && r.status === 200)).to.have.length(1);
        });
      });

      it('a download over the cap fails with FILE_TOO_LARGE before any byte is read', async () => {
        await withStack(api, 'bot', async (s) => {
          const answer = await say(s, 'huge', { files: [{ name: 'huge.bin', size: 5000 }] });
          expect(answer).to.match(/ FILE_TOO_LARGE$/);
        });
      });

      it('replyToId, forward and isSystem', async () => {
        await withStack(api, 'bot', async (s) => {
          const first = await s.emu.portal.sendMessage({ from: 1, to: 'filer', text: 'original' });
          await s.emu.portal.waitForMessages(1, { botCode: 'filer' });
          await say(s, 'a reply', { replyTo: first.messageId });
          await say(s, 'a forward', { forwardOf: first.messageId });
          await say(s, 'a notice', { system: true });
          const [orig, reply, fwd, sys] = seen.map((e) => e.message);
          expect([orig!.replyToId, orig!.forward, orig!.isSystem]).to.deep.equal([null, null, false]);
          expect(reply!.replyToId).to.equal(first.messageId);
          expect(fwd!.forward).to.deep.include({ messageId: first.messageId, userId: 1 });
          expect(fwd!.forward!.chatId).to.be.above(0);
          expect(sys!.isSystem).to.equal(true);
        });
      });
    });
  }

  it('v2 fetch mode with webhook auth (botToken): the same files decoded from Event.get, downloaded with the botToken', async () => {
    const stack = await startStack({ api: 'v2', auth: 'webhook', eventMode: 'fetch', bots: new Map([['filer', filer('bot')]]) });
    try {
      const answer = await say(stack, 'fetched', { files: [{ name: 'f.txt', content: 'via fetch' }], replyTo: 1 });
      expect(answer).to.equal(`f.txt 9 ${sha(Buffer.from('via fetch'))}`);
      expect(seen[0]!.eventId).to.be.a('number');
      expect(seen[0]!.message.replyToId).to.equal(1);
      const dl = stack.emu.portal.requests().filter((r) => r.method === 'imbot.v2.File.download');
      expect(dl.map((r) => [r.status, r.auth])).to.deep.equal([[200, 'webhook']]);
    } finally {
      await stack.close();
    }
  });

  describe('v2 helpers', () => {
    it('replyWithFile: File.upload with the caption; the file is on the portal and downloads back', async () => {
      await withStack('v2', 'bot', async (s) => {
        const answer = await say(s, 'upload', {}, 2);
        const [fileMsg] = s.emu.portal.messages({ botCode: 'filer' }).filter((m) => m.via === 'imbot.v2.File.upload');
        expect(fileMsg!.text).to.equal('Here it is');
        expect(fileMsg!.fileIds).to.have.length(1);
        expect(answer).to.equal(`uploaded ${fileMsg!.fileIds[0]} in ${fileMsg!.id}`);
        const stored = s.emu.portal.files.get(fileMsg!.fileIds[0]!);
        expect(stored!.content!.toString()).to.equal('hello file');
      });
    });

    it('reply({ text, file }): one File.upload with the text as caption', async () => {
      await withStack('v2', 'bot', async (s) => {
        await say(s, 'file-caption');
        const posted = s.emu.portal.messages({ botCode: 'filer' });
        expect(posted.map((m) => [m.via, m.text, m.fileIds.length])).to.deep.equal([['imbot.v2.File.upload', 'the caption', 1]]);
      });
    });

    it('reply({ text, keyboard, file }): upload, then send the rest once the upload is confirmed', async () => {
      await withStack('v2', 'bot', async (s) => {
        await say(s, 'file-kb', {}, 2);
        const posted = s.emu.portal.messages({ botCode: 'filer' });
        expect(posted.map((m) => [m.via, m.text, m.fileIds.length])).to.deep.equal([
          ['imbot.v2.File.upload', '', 1], ['imbot.v2.Chat.Message.send', 'with buttons', 0],
        ]);
        expect(JSON.stringify(posted[1]!.keyboard)).to.contain('https://example.com/');
      });
    });

    it('reply({ bad keyboard, file }): KEYBOARD_INVALID before anything is queued (nothing half-sent)', async () => {
      await withStack('v2', 'bot', async (s) => {
        expect(await say(s, 'file-badkb')).to.equal('KEYBOARD_INVALID');
        expect(s.emu.portal.requests().filter((r) => r.method === 'imbot.v2.File.upload')).to.have.length(0);
        expect(await outboxState(s)).to.deep.equal({ pending: 0, dead: [] });
      });
    });

    it('an oversized upload fails with FILE_TOO_LARGE and nothing reaches the outbox or the portal', async () => {
      await withStack('v2', 'bot', async (s) => {
        expect(await say(s, 'upload-big')).to.equal('FILE_TOO_LARGE');
        expect(s.emu.portal.requests().filter((r) => r.method === 'imbot.v2.File.upload')).to.have.length(0);
        expect(await outboxState(s)).to.deep.equal({ pending: 0, dead: [] });
      });
    });

    it('an upload the portal refuses (FILE_TOO_LARGE) is dead-lettered once, not retried, nothing half-sent', async () => {
      await withStack('v2', 'bot', async (s) => {
        s.emu.portal.files.limits.maxFileBytes = 1024;
        expect(await say(s, 'upload-portal-refuses')).to.equal('refused B24_API_ERROR FILE_TOO_LARGE');
        expect(s.emu.portal.requests().filter((r) => r.method === 'imbot.v2.File.upload')).to.have.length(1);
        expect(s.emu.portal.messages({ botCode: 'filer' }).filter((m) => m.fileIds.length > 0)).to.have.length(0);
        expect(await outboxState(s)).to.deep.equal({ pending: 0, dead: ['imbot.v2.File.upload'] });
      });
    });

    it('getMessage: Chat.Message.get for a supervisor bot, with the decoded extras', async () => {
      await withStack('v2', 'supervisor', async (s) => {
        const first = await s.emu.portal.sendMessage({ from: 1, to: 'filer', text: 'remember me', replyTo: 1, files: [{ name: 'm.txt', content: 'm' }] });
        await s.emu.portal.waitForMessages(1, { botCode: 'filer' });
        const [file] = s.emu.portal.files.all();
        expect(await say(s, `get ${first.messageId}`)).to.equal(`got: remember me files=${file!.id} reply=1`);
      });
    });

    it('getContext: Chat.Message.getContext, range messages on each side, oldest first, with page flags', async () => {
      await withStack('v2', 'supervisor', async (s) => {
        const ids: number[] = [];
        for (const t of ['one', 'two', 'three', 'four']) {
          ids.push((await s.emu.portal.sendMessage({ from: 1, to: 'filer', text: t })).messageId);
          await s.emu.portal.waitForMessages(ids.length, { botCode: 'filer' });
        }
        // The chat alternates user message / bot answer: one on each side of 'two' is the answer to 'one' and to 'two'.
        expect(await say(s, `context ${ids[1]} 1`)).to.equal('no files|two|no files prev=true next=true');
      });
    });

    it('getMessage: a bot of type bot is refused by the portal (BOT_TYPE_NOT_ALLOWED)', async () => {
      await withStack('v2', 'bot', async (s) => {
        expect(await say(s, 'get 1')).to.equal('got: error B24_API_ERROR BOT_TYPE_NOT_ALLOWED');
      });
    });

    it('markRead: Chat.Message.read up to the message, through the outbox', async () => {
      await withStack('v2', 'bot', async (s) => {
        expect(await say(s, 'read')).to.equal('marked');
        const reads = s.emu.portal.requests().filter((r) => r.method === 'imbot.v2.Chat.Message.read');
        expect(reads.map((r) => r.status)).to.deep.equal([200]);
      });
    });

    it('unreact: Reaction.delete removes the bot\'s reaction', async () => {
      await withStack('v2', 'bot', async (s) => {
        expect(await say(s, 'unlike')).to.equal('unliked');
        const methods = s.emu.portal.requests().map((r) => r.method).filter((m) => m.includes('Reaction'));
        expect(methods).to.deep.equal(['imbot.v2.Chat.Message.Reaction.add', 'imbot.v2.Chat.Message.Reaction.delete']);
      });
    });

    it('setInput(false): Chat.TextField.enabled with enabled=false', async () => {
      await withStack('v2', 'bot', async (s) => {
        expect(await say(s, 'lock')).to.equal('locked');
        expect(s.emu.portal.requests().filter((r) => r.method === 'imbot.v2.Chat.TextField.enabled' && r.status === 200)).to.have.length(1);
      });
    });
  });

  describe('classic helpers', () => {
    it('replyWithFile, getMessage, markRead, setInput: CONTEXT_UNSUPPORTED, nothing sent', async () => {
      await withStack('v1', 'bot', async (s) => {
        expect(await say(s, 'unsupported')).to.equal('CONTEXT_UNSUPPORTED,CONTEXT_UNSUPPORTED,CONTEXT_UNSUPPORTED,CONTEXT_UNSUPPORTED');
        const methods = s.emu.portal.requests().map((r) => r.method);
        expect(methods.filter((m) => /file|read|textfield|message\.get/i.test(m))).to.deep.equal([]);
      });
    });

    it('unreact("like"): imbot.message.like with ACTION=minus (outdated/messages/imbot-message-like.md)', async () => {
      await withStack('v1', 'bot', async (s) => {
        expect(await say(s, 'unlike')).to.equal('unliked');
        expect(s.emu.portal.requests().filter((r) => r.method === 'imbot.message.like' && r.status === 200)).to.have.length(2);
      });
    });
  });
});

describe('e2e: a handler re-run after a crash does not upload twice', function () {
  this.timeout(20_000);

  it('the same event key gives the same idempotency keys; the outbox answers the remembered upload result', async () => {
    const stack = await startStack({ api: 'v2', bots: new Map([['filer', filer('bot')]]) });
    try {
      const log = createLogger({ silent: true });
      const outbox = createOutbox({ store: stack.kit.store, client: stack.kit.client, log });
      outbox.start();
      const rt = createRuntime({ store: stack.kit.store, bots: new Map([['filer', filer('bot')]]), sink: outbox, client: stack.kit.client, log });
      const bot = stack.emu.portal.bots().find((b) => b.code === 'filer')!;
      const event = messageEvent('upload', { memberId: stack.emu.portal.memberId, domain: stack.emu.portal.domain, bot: { id: bot.id, code: 'filer' } });
      await rt.handle(event, 'crash-test-event-1');
      await rt.handle(event, 'crash-test-event-1'); // the re-run after a crash: same event key
      await outbox.drain(5000);
      const uploads = stack.emu.portal.requests().filter((r) => r.method === 'imbot.v2.File.upload');
      expect(uploads).to.have.length(1);
      const answers = stack.emu.portal.messages({ botCode: 'filer' }).filter((m) => m.text.startsWith('uploaded'));
      expect(answers, 'the v2 send of the re-run carries the same templateId').to.have.length(1);
    } finally {
      await stack.close();
    }
  });
});
