/**
 * The context helpers beyond replying, unit level: the exact calls they make (v2 `v2/imbot.v2/files/*.md`,
 * `messages/chat-message-{get,get-context,read}.md`, `reactions/*.md`, `chats/chat-text-field-enabled.md`;
 * classic `disk.file.get`, `imbot.message.like`), what they refuse before anything is queued, and how
 * answers are read. Downloads stream from a loopback server standing in for the portal's file host; the
 * end-to-end runs against the emulator are test/e2e/files.test.ts and bots-files.test.ts.
 */
import { expect } from 'chai';
import { messageEvent } from '../helpers/events.js';
import { expectCode, rejection } from '../helpers/common.js';
import { fileServer, helperRig } from '../helpers/helper-env.js';
import * as files from '../../src/router/context-files.js';
import type { EventFile } from '../../src/protocol/events.js';
import type { OutgoingMessage } from '../../src/protocol/message.js';
import { Keyboard } from '../../src/protocol/keyboard.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const pdf = { name: 'r.pdf', content: bytes('%PDF') };

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

describe('router/context-files replyWithFile (imbot.v2.File.upload)', () => {
  it('queues one upload into the event\'s dialog with the caption, and waits for the file id', async () => {
    const rig = helperRig('v2', { botToken: 'tok' });
    rig.answers.set('imbot.v2.File.upload', { file: { id: 77 }, messageId: 501 });
    expect(await files.replyWithFile(rig.env, pdf, 'see')).to.deep.equal({ fileId: 77, messageId: 501 });
    expect(rig.calls).to.deep.equal([{
      via: 'queued', method: 'imbot.v2.File.upload', key: 'key-1',
      params: { botId: 45, botToken: 'tok', dialogId: '1', fields: { name: 'r.pdf', content: Buffer.from('%PDF').toString('base64'), message: 'see' } },
    }]);
  });

  it('no caption and an empty caption send no message field; a missing message id is null', async () => {
    const rig = helperRig('v2');
    rig.answers.set('imbot.v2.File.upload', { file: { id: 78 }, messageId: 'x' });
    expect(await files.replyWithFile(rig.env, pdf)).to.deep.equal({ fileId: 78, messageId: null });
    await files.replyWithFile(rig.env, pdf, '');
    for (const c of rig.calls) expect(c.params['fields']).to.not.have.property('message');
    expect(rig.calls[0]!.params).to.not.have.property('botToken');
  });

  it('an answer without a positive file id is FILE_DOWNLOAD_FAILED', async () => {
    const rig = helperRig('v2');
    for (const answer of [{ file: { id: 0 } }, { file: { id: '7' } }, { file: 7 }, { file: { id: 1.5 } }, true]) {
      rig.answers.set('imbot.v2.File.upload', answer);
      const err = await rejection(files.replyWithFile(rig.env, pdf));
      expectCode(err, 'FILE_DOWNLOAD_FAILED');
      expect(err.message).to.equal('the portal did not answer the uploaded file id');
    }
  });

  it('classic bots and bad files are refused before anything is queued', async () => {
    const classic = helperRig('v1');
    const err = await rejection(files.replyWithFile(classic.env, pdf));
    expectCode(err, 'CONTEXT_UNSUPPORTED');
    expect(err.message).to.equal('replyWithFile(): the classic API has no bot file upload (im.disk.* act as the installing user); use a v2 bot, or Attach.file with a link');
    const rig = helperRig('v2');
    expectCode(await rejection(files.replyWithFile(rig.env, { name: 'a.txt', content: bytes('') })), 'FILE_INVALID');
    expectCode(await rejection(files.replyWithFile(rig.env, { name: 'a.txt', content: bytes('abc') }, undefined, { maxBytes: 2 })), 'FILE_TOO_LARGE');
    expect(classic.calls.concat(rig.calls)).to.deep.equal([]);
  });
});

describe('router/context-files replyWithAttachedFile and hasFile', () => {
  const sendRest = (sent: OutgoingMessage[]) => async (rest: OutgoingMessage) => (sent.push(rest), { delivered: Promise.resolve(900) });

  it('hasFile is true only for an object with a file', () => {
    expect(files.hasFile({ text: 'a', file: pdf })).to.equal(true);
    expect(files.hasFile({ text: 'a' })).to.equal(false);
    expect(files.hasFile({ text: 'a', file: undefined })).to.equal(false);
    expect(files.hasFile('text')).to.equal(false);
    expect(files.hasFile(null)).to.equal(false);
  });

  it('a file with only a text is one upload with the text as caption, resolving to its message id', async () => {
    const rig = helperRig('v2');
    rig.answers.set('imbot.v2.File.upload', { file: { id: 5 }, messageId: 600 });
    const sent: OutgoingMessage[] = [];
    const handle = await files.replyWithAttachedFile(rig.env, { text: 'cap', file: pdf }, sendRest(sent));
    expect(await handle.delivered).to.equal(600);
    expect(sent).to.deep.equal([]);
    expect(rig.calls.map((c) => (c.params['fields'] as Record<string, unknown>)['message'])).to.deep.equal(['cap']);
  });

  it('with a keyboard: upload without caption, then the rest as a second message', async () => {
    const rig = helperRig('v2');
    rig.answers.set('imbot.v2.File.upload', { file: { id: 5 }, messageId: 600 });
    const sent: OutgoingMessage[] = [];
    const keyboard = new Keyboard().command('A', 'a');
    const handle = await files.replyWithAttachedFile(rig.env, { text: 'pick', keyboard, file: pdf }, sendRest(sent));
    expect(await handle.delivered).to.equal(900);
    expect(sent).to.deep.equal([{ text: 'pick', keyboard }]);
    expect(rig.calls).to.have.length(1);
    expect(rig.calls[0]!.params['fields']).to.not.have.property('message');
  });

  it('a bad keyboard fails before the file is uploaded', async () => {
    const rig = helperRig('v2');
    const sent: OutgoingMessage[] = [];
    const bad = { text: 'x', keyboard: 'not a keyboard', file: pdf } as unknown as files.FileReply;
    expect(await rejection(files.replyWithAttachedFile(rig.env, bad, sendRest(sent)))).to.have.property('code');
    expect(rig.calls).to.deep.equal([]);
    expect(sent).to.deep.equal([]);
  });
});

describe('router/context-files download and fileInfo', () => {
  let server: Awaited<ReturnType<typeof fileServer>>;
  before(async () => {
    server = await fileServer(Buffer.from('hello file'), { 'content-disposition': 'attachment; filename="h.txt"', 'content-type': 'text/plain' });
  });
  after(async () => server.close());
  const event = () => messageEvent('f', { domain: server.host });
  const known = (over: Partial<EventFile> = {}): EventFile => ({ id: 9, name: 'known.txt', size: 10, type: 'file', ...over });

  it('v2 asks imbot.v2.File.download for the URL (a read, not queued) and streams it', async () => {
    const rig = helperRig('v2', { event: event() });
    rig.answers.set('imbot.v2.File.download', { downloadUrl: server.url });
    const dl = await files.download(rig.env, 9);
    expect(await readAll(dl.stream)).to.equal('hello file');
    expect([dl.name, dl.size, dl.contentType]).to.deep.equal(['h.txt', 10, 'text/plain']);
    expect(rig.calls).to.deep.equal([{ via: 'read', method: 'imbot.v2.File.download', params: { botId: 45, fileId: 9 } }]);
  });

  it('classic asks disk.file.get (DOWNLOAD_URL)', async () => {
    const rig = helperRig('v1', { event: event() });
    rig.answers.set('disk.file.get', { DOWNLOAD_URL: server.url });
    const dl = await files.download(rig.env, 9);
    expect(await readAll(dl.stream)).to.equal('hello file');
    expect(rig.calls).to.deep.equal([{ via: 'read', method: 'disk.file.get', params: { id: 9 } }]);
  });

  it('the event\'s name and size win over the headers; missing ones come from the headers', async () => {
    const rig = helperRig('v2', { event: event() });
    rig.answers.set('imbot.v2.File.download', { downloadUrl: server.url });
    const a = await files.download(rig.env, known({ size: 3 }));
    a.stream.resume();
    expect([a.name, a.size]).to.deep.equal(['known.txt', 3]);
    const b = await files.download(rig.env, known({ name: null, size: null }));
    b.stream.resume();
    expect([b.name, b.size]).to.deep.equal(['h.txt', 10]);
  });

  it('a file the event says is over the cap is refused before asking the portal', async () => {
    const rig = helperRig('v2', { event: event() });
    const err = await rejection(files.download(rig.env, known({ size: 11 }), { maxBytes: 10 }));
    expectCode(err, 'FILE_TOO_LARGE');
    expect(err.message).to.equal('the file known.txt is 11 bytes, over the cap of 10 bytes');
    expect((await rejection(files.download(rig.env, known({ name: null, size: 11 }), { maxBytes: 10 }))).message).to.equal('the file 9 is 11 bytes, over the cap of 10 bytes');
    expect(rig.calls).to.deep.equal([]);
    rig.answers.set('imbot.v2.File.download', { downloadUrl: server.url });
    const exact = await files.download(rig.env, known({ size: 10 }), { maxBytes: 10 });
    expect(await readAll(exact.stream)).to.equal('hello file');
  });

  it('the default cap is 50 MB', async () => {
    expect(files.DEFAULT_DOWNLOAD_MAX_BYTES).to.equal(50 * 1024 * 1024);
    const rig = helperRig('v2', { event: event() });
    expectCode(await rejection(files.download(rig.env, known({ size: 50 * 1024 * 1024 + 1 }))), 'FILE_TOO_LARGE');
    rig.answers.set('imbot.v2.File.download', { downloadUrl: server.url });
    (await files.download(rig.env, known({ size: 50 * 1024 * 1024 }))).stream.resume();
  });

  it('not a file id: FILE_INVALID, nothing asked', async () => {
    const rig = helperRig('v2', { event: event() });
    for (const id of [0, -1, 1.5, Number.NaN, 2 ** 53]) expectCode(await rejection(files.download(rig.env, id)), 'FILE_INVALID');
    expect((await rejection(files.download(rig.env, -1))).message).to.equal('not a file id: -1');
    expectCode(await rejection(files.download(rig.env, known({ id: 0 }))), 'FILE_INVALID');
    expect(rig.calls).to.deep.equal([]);
  });

  it('no download URL in the answer is FILE_DOWNLOAD_FAILED', async () => {
    for (const answer of [{}, { downloadUrl: '' }, { downloadUrl: 5 }, { DOWNLOAD_URL: server.url }, 'x']) {
      const rig = helperRig('v2', { event: event() });
      rig.answers.set('imbot.v2.File.download', answer);
      const err = await rejection(files.download(rig.env, 9));
      expectCode(err, 'FILE_DOWNLOAD_FAILED');
      expect(err.message).to.equal('the portal gave no download URL for file 9');
    }
    const classic = helperRig('v1', { event: event() });
    classic.answers.set('disk.file.get', { downloadUrl: server.url });
    expectCode(await rejection(files.download(classic.env, 9)), 'FILE_DOWNLOAD_FAILED');
  });

  it('an aborted signal stops the download', async () => {
    const rig = helperRig('v2', { event: event() });
    rig.answers.set('imbot.v2.File.download', { downloadUrl: server.url });
    const err = await rejection(files.download(rig.env, 9, { signal: AbortSignal.abort() }));
    expectCode(err, 'FILE_DOWNLOAD_FAILED');
  });

  it('fileInfo reads the size of a file over the download cap from the headers (it never downloads the bytes)', async () => {
    const big = 60 * 1024 * 1024;
    const announcing = await fileServer(Buffer.from('x'), { 'content-length': String(big), 'content-disposition': 'attachment; filename="big.bin"' });
    try {
      const rig = helperRig('v2', { event: messageEvent('f', { domain: announcing.host }) });
      rig.answers.set('imbot.v2.File.download', { downloadUrl: announcing.url });
      expect(await files.fileInfo(rig.env, known({ name: null, size: null }))).to.deep.equal({ id: 9, name: 'big.bin', size: big, type: 'file' });
    } finally {
      await announcing.close();
    }
  });

  it('fileInfo copies a complete file without a request, and completes a thin one from the headers', async () => {
    const rig = helperRig('v2', { event: event() });
    const full = known();
    const copy = await files.fileInfo(rig.env, full);
    expect(copy).to.deep.equal(full);
    expect(copy).to.not.equal(full);
    expect(rig.calls).to.deep.equal([]);
    rig.answers.set('imbot.v2.File.download', { downloadUrl: server.url });
    const hits = server.hits();
    expect(await files.fileInfo(rig.env, known({ name: null, size: null, type: 'image' }))).to.deep.equal({ id: 9, name: 'h.txt', size: 10, type: 'image' });
    expect(await files.fileInfo(rig.env, known({ name: 'mine.txt', size: null }))).to.deep.equal({ id: 9, name: 'mine.txt', size: 10, type: 'file' });
    expect(await files.fileInfo(rig.env, known({ name: null, size: 3 }))).to.deep.equal({ id: 9, name: 'h.txt', size: 3, type: 'file' });
    expect(server.hits() - hits).to.equal(3);
  });
});

describe('router/context-files reading messages (v2 Chat.Message.get / getContext)', () => {
  it('getMessage reads one message and its extras', async () => {
    const rig = helperRig('v2', { botToken: 'tok' });
    rig.answers.set('imbot.v2.Chat.Message.get', { message: { id: 5, chatId: 17, authorId: 1, text: 'hi', date: '2026-01-01T00:00:00+00:00', params: { REPLY_ID: 4 } } });
    expect(await files.getMessage(rig.env, 5)).to.deep.equal({
      id: 5, chatId: 17, authorId: 1, text: 'hi', date: '2026-01-01T00:00:00+00:00', files: [], replyToId: 4, forward: null, isSystem: false,
    });
    expect(rig.calls).to.deep.equal([{ via: 'read', method: 'imbot.v2.Chat.Message.get', params: { botId: 45, botToken: 'tok', messageId: 5 } }]);
  });

  it('getMessage falls back field by field on a thin or odd answer', async () => {
    const rig = helperRig('v2');
    rig.answers.set('imbot.v2.Chat.Message.get', { message: { id: '5', chatId: -1, authorId: '1', text: 5, date: 0 } });
    const m = await files.getMessage(rig.env, 8);
    expect([m.id, m.chatId, m.authorId, m.text, m.date]).to.deep.equal([8, 0, 0, '', null]);
    rig.answers.set('imbot.v2.Chat.Message.get', { message: 'x' });
    expect((await files.getMessage(rig.env, 9)).id).to.equal(9);
    rig.answers.set('imbot.v2.Chat.Message.get', null);
    expect((await files.getMessage(rig.env, 10)).id).to.equal(10);
  });

  it('getContext sends the range only when given and reads the window', async () => {
    const rig = helperRig('v2');
    rig.answers.set('imbot.v2.Chat.Message.getContext', { messages: [{ id: 1, text: 'a' }, 'junk', { id: 2, text: 'b' }], hasPrevPage: true, hasNextPage: 'Y' });
    const w = await files.getContext(rig.env, 2, 1);
    expect(w.messages.map((m) => [m.id, m.text])).to.deep.equal([[1, 'a'], [2, 'b']]);
    expect([w.hasPrevPage, w.hasNextPage]).to.deep.equal([true, false]);
    await files.getContext(rig.env, 2);
    expect(rig.calls.map((c) => c.params)).to.deep.equal([{ botId: 45, messageId: 2, range: 1 }, { botId: 45, messageId: 2 }]);
    rig.answers.set('imbot.v2.Chat.Message.getContext', { messages: 'none' });
    expect(await files.getContext(rig.env, 2)).to.deep.equal({ messages: [], hasPrevPage: false, hasNextPage: false });
    rig.answers.set('imbot.v2.Chat.Message.getContext', { messages: [{ text: 'no id' }] });
    expect((await files.getContext(rig.env, 2)).messages[0]!.id).to.equal(0);
  });

  it('classic bots cannot read messages: CONTEXT_UNSUPPORTED, nothing asked', async () => {
    const rig = helperRig('v1');
    const a = await rejection(files.getMessage(rig.env, 1));
    const b = await rejection(files.getContext(rig.env, 1));
    expectCode(a, 'CONTEXT_UNSUPPORTED');
    expectCode(b, 'CONTEXT_UNSUPPORTED');
    expect([a.message, b.message]).to.deep.equal([
      'getMessage(): the classic API cannot read messages as the bot', 'getContext(): the classic API cannot read messages as the bot',
    ]);
    expect(rig.calls).to.deep.equal([]);
  });
});

describe('router/context-files read marks, reactions, input field', () => {
  it('markRead queues Chat.Message.read for the event\'s dialog, up to a message when given', async () => {
    const rig = helperRig('v2');
    await files.markRead(rig.env);
    await files.markRead(rig.env, 12);
    expect(rig.calls.map((c) => [c.via, c.method, c.params])).to.deep.equal([
      ['queued', 'imbot.v2.Chat.Message.read', { botId: 45, dialogId: '1' }],
      ['queued', 'imbot.v2.Chat.Message.read', { botId: 45, dialogId: '1', messageId: 12 }],
    ]);
  });

  it('unreact: v2 Reaction.delete; classic imbot.message.like ACTION=minus, like only', async () => {
    const v2 = helperRig('v2');
    await files.unreact(v2.env, 12, 'fire');
    expect(v2.calls).to.deep.equal([{ via: 'queued', method: 'imbot.v2.Chat.Message.Reaction.delete', params: { botId: 45, messageId: 12, reaction: 'fire' }, key: 'key-1' }]);
    const v1 = helperRig('v1');
    await files.unreact(v1.env, 12, 'like');
    const v1t = helperRig('v1', { botToken: 'tok' });
    await files.unreact(v1t.env, 13, 'like');
    expect(v1.calls.concat(v1t.calls).map((c) => c.params)).to.deep.equal([
      { BOT_ID: 45, MESSAGE_ID: 12, ACTION: 'minus' },
      { BOT_ID: 45, MESSAGE_ID: 13, ACTION: 'minus', CLIENT_ID: 'tok' },
    ]);
    expect(v1.calls[0]!.method).to.equal('imbot.message.like');
    const other = helperRig('v1');
    const err = await rejection(files.unreact(other.env, 12, 'fire'));
    expectCode(err, 'CONTEXT_UNSUPPORTED');
    expect(err.message).to.equal('unreact(): the classic API only has the like reaction');
    expect(other.calls).to.deep.equal([]);
  });

  it('setInput queues Chat.TextField.enabled; classic bots cannot, nor mark read', async () => {
    const rig = helperRig('v2');
    await files.setInput(rig.env, false);
    expect(rig.calls).to.deep.equal([{ via: 'queued', method: 'imbot.v2.Chat.TextField.enabled', params: { botId: 45, dialogId: '1', enabled: false }, key: 'key-1' }]);
    const v1 = helperRig('v1');
    const a = await rejection(files.setInput(v1.env, true));
    const b = await rejection(files.markRead(v1.env));
    expectCode(a, 'CONTEXT_UNSUPPORTED');
    expectCode(b, 'CONTEXT_UNSUPPORTED');
    expect([a.message, b.message]).to.deep.equal(['setInput(): the classic API cannot switch the input field', 'markRead(): the classic API has no read mark for bots']);
    expect(v1.calls).to.deep.equal([]);
  });

  it('enqueue files the call under the event\'s portal and dialogue key', async () => {
    const rig = helperRig('v2');
    const seen: Array<Record<string, unknown>> = [];
    rig.env.deps.sink.enqueue = async (item) => (seen.push(item), { delivered: Promise.resolve(null) });
    await files.enqueue(rig.env, 'x.y', { a: 1 });
    expect(seen).to.deep.equal([{ memberId: 'm1', dialogueKey: 'm1:45:1', method: 'x.y', params: { a: 1 }, idempotencyKey: 'key-1' }]);
  });
});
