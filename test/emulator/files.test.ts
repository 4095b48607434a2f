/** The emulator's file methods against the docs: `v2/imbot.v2/files/file-upload.md`, `file-download.md`. */
import { expect } from 'chai';
import { request } from 'undici';
import type { Emulator } from '../../src/emulator/index.js';
import { generatedByte } from '../../src/emulator/files.js';
import { call, emulator, result, type Answer } from './helpers.js';

describe('emulator imbot.v2.File.*', () => {
  let emu: Emulator;
  let hook: string;
  let botId = 0;
  const v2 = (method: string, params: Record<string, unknown>): Promise<Answer> => call(hook, `imbot.v2.${method}`, { botId, botToken: 'tok', ...params });
  const upload = (fields: Record<string, unknown>, dialogId = '1'): Promise<Answer> => v2('File.upload', { dialogId, fields });

  beforeEach(async () => {
    emu = await emulator({ rateLimit: null });
    hook = emu.portal.createWebhook();
    const reg = await call(hook, 'imbot.v2.Bot.register', { fields: { code: 'f', botToken: 'tok', properties: { name: 'F' } } });
    botId = (result(reg)['bot'] as { id: number }).id;
  });
  afterEach(() => emu.close());

  it('upload posts the file with its caption and answers {file, messageId, chatId, dialogId} as documented', async () => {
    const a = await upload({ name: 'report.pdf', content: Buffer.from('%PDF').toString('base64'), message: 'Here is the report' });
    const r = result(a);
    expect(r['file']).to.deep.include({ name: 'report.pdf', extension: 'pdf', size: 4 });
    expect(Object.keys(r).sort()).to.deep.equal(['chatId', 'dialogId', 'file', 'messageId']);
    expect(r['dialogId']).to.equal('1');
    const [posted] = emu.portal.messages({ botCode: 'f' });
    expect([posted!.text, posted!.fileIds, posted!.id]).to.deep.equal(['Here is the report', [(r['file'] as { id: number }).id], r['messageId']]);
  });

  it('upload errors: FILE_EMPTY, FILE_INVALID_CONTENT, FILE_TOO_LARGE (limit 100 MB, lowered here), ACCESS_DENIED', async () => {
    expect((await upload({ name: '', content: 'aGk=' })).body['error']).to.equal('FILE_EMPTY');
    expect((await upload({ name: 'a.txt', content: '' })).body['error']).to.equal('FILE_EMPTY');
    expect((await upload({ name: 'a.txt', content: 'not base64!' })).body['error']).to.equal('FILE_INVALID_CONTENT');
    emu.portal.files.limits.maxFileBytes = 3;
    expect((await upload({ name: 'a.txt', content: Buffer.from('four').toString('base64') })).body['error']).to.equal('FILE_TOO_LARGE');
    expect((await upload({ name: 'a.txt', content: 'aGk=' }, 'chat999')).body['error']).to.equal('ACCESS_DENIED');
    expect(emu.portal.messages({ botCode: 'f' })).to.have.length(0);
  });

  it('download gives a single-use URL on the portal; a generated file streams its pattern; FILE_NOT_FOUND, FILE_ACCESS_ERROR', async () => {
    await emu.portal.sendMessage({ from: 1, to: 'f', text: '', files: [{ name: 'gen.bin', size: 70_000 }] });
    const [file] = emu.portal.files.all();
    const url = result(await v2('File.download', { fileId: file!.id }))['downloadUrl'] as string;
    expect(url.startsWith(`${emu.portal.clientEndpoint}download.json?token=imbot%7C`)).to.equal(true);
    const res = await request(url);
    const body = Buffer.from(await res.body.arrayBuffer());
    expect([res.statusCode, res.headers['content-length'], body.length]).to.deep.equal([200, '70000', 70_000]);
    expect(body[0]).to.equal(generatedByte(0));
    expect(body[69_999]).to.equal(generatedByte(69_999));
    expect((await request(url)).statusCode, 'single use').to.equal(404);
    expect((await v2('File.download', { fileId: 999 })).body['error']).to.equal('FILE_NOT_FOUND');
    const chat = emu.portal.createChat({ title: 'Other', userIds: [1] });
    await emu.portal.sendMessage({ from: 1, to: chat, text: 'x', files: [{ name: 'theirs.txt', content: 'no' }] });
    const theirs = emu.portal.files.all().find((f) => f.name === 'theirs.txt')!;
    expect((await v2('File.download', { fileId: theirs.id })).body['error']).to.equal('FILE_ACCESS_ERROR');
  });
});

describe('emulator chat page: files as attachments', () => {
  let emu: Emulator;
  beforeEach(async () => {
    emu = await emulator({ rateLimit: null });
  });
  afterEach(() => emu.close());

  it('a message with files shows each as a download link with its size; ui/file/<id> serves the bytes', async () => {
    const chat = emu.portal.createChat({ title: 'Team', userIds: [1] });
    await emu.portal.sendMessage({ from: 1, to: chat, text: 'see <this>', files: [{ name: 'a<b>.txt', content: 'hello' }] });
    const chatId = Number(chat.replace('chat', ''));
    const messages = await (await request(`${emu.url}/ui/api/messages?chat=${chatId}`)).body.json() as Array<{ html: string }>;
    const [file] = emu.portal.files.all();
    expect(messages[0]!.html).to.contain(`<a href="ui/file/${file!.id}" download>a&#60;b&#62;.txt</a>`);
    expect(messages[0]!.html).to.contain('<span class="at-size">5 B</span>');
    const res = await request(`${emu.url}/ui/file/${file!.id}`);
    expect([res.statusCode, await res.body.text()]).to.deep.equal([200, 'hello']);
    expect((await request(`${emu.url}/ui/file/999`)).statusCode).to.equal(404);
  });
});
