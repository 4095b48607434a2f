/** The file transfer primitives: upload checks, and the streamed download with its byte cap, against a real loopback server. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { dispositionName, openDownload, prepareUpload, PLATFORM_UPLOAD_MAX_BYTES } from '../../src/rest/files.js';

const code = async (p: Promise<unknown>): Promise<string> => p.then(() => 'ok', (e: { code?: string }) => e.code ?? String(e));

describe('rest/files', () => {
  let server: Server;
  let host = '';
  before(async () => {
    server = createServer((req, res) => {
      if (req.url === '/chunked') {
        // No Content-Length: the cap must trip while streaming.
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        for (let i = 0; i < 10; i++) res.write(Buffer.alloc(1000, i));
        return void res.end();
      }
      if (req.url === '/redirect') return void res.writeHead(302, { location: 'http://127.0.0.1:1/elsewhere' }).end();
      if (req.url === '/gone') return void res.writeHead(404).end('{}');
      res.writeHead(200, { 'content-length': 5, 'content-disposition': 'attachment; filename="a b.txt"; filename*=UTF-8\'\'%D0%BE%D1%82%D1%87%D1%91%D1%82.txt' });
      res.end('hello');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  it('prepareUpload: Base64 of the bytes; FILE_INVALID without a name or bytes; FILE_TOO_LARGE over the cap', async () => {
    expect(prepareUpload({ name: 'a.txt', content: Buffer.from('hi') })).to.deep.equal({ name: 'a.txt', content: 'aGk=' });
    expect(await code(Promise.resolve().then(() => prepareUpload({ name: ' ', content: Buffer.from('x') })))).to.equal('FILE_INVALID');
    expect(await code(Promise.resolve().then(() => prepareUpload({ name: 'a', content: new Uint8Array() })))).to.equal('FILE_INVALID');
    expect(await code(Promise.resolve().then(() => prepareUpload({ name: 'a', content: Buffer.alloc(11) }, 10)))).to.equal('FILE_TOO_LARGE');
    expect(await code(Promise.resolve().then(() => prepareUpload({ name: 'a', content: Buffer.alloc(11) }, PLATFORM_UPLOAD_MAX_BYTES * 2)))).to.equal('ok');
  });

  it('dispositionName: filename* (RFC 5987) wins over filename', () => {
    expect(dispositionName('attachment; filename="x.txt"')).to.equal('x.txt');
    expect(dispositionName('attachment; filename="x.txt"; filename*=UTF-8\'\'%D1%8F.txt')).to.equal('я.txt');
    expect(dispositionName(undefined)).to.equal(null);
  });

  it('streams the body with name and size from the headers', async () => {
    const dl = await openDownload(`http://${host}/file`, { maxBytes: 10, portalHost: host });
    const chunks: Buffer[] = [];
    for await (const c of dl.stream) chunks.push(c as Buffer);
    expect([Buffer.concat(chunks).toString(), dl.name, dl.size]).to.deep.equal(['hello', 'отчёт.txt', 5]);
  });

  it('Content-Length over the cap: FILE_TOO_LARGE before reading', async () => {
    expect(await code(openDownload(`http://${host}/file`, { maxBytes: 4, portalHost: host }))).to.equal('FILE_TOO_LARGE');
  });

  it('a body without Content-Length that grows past the cap errors the stream with FILE_TOO_LARGE', async () => {
    const dl = await openDownload(`http://${host}/chunked`, { maxBytes: 2500, portalHost: host });
    let read = 0;
    const outcome = await (async () => {
      for await (const c of dl.stream) read += (c as Buffer).length;
    })().then(() => 'ok', (e: { code?: string }) => e.code);
    expect(outcome).to.equal('FILE_TOO_LARGE');
    expect(read).to.be.at.most(2500);
  });

  it('refuses URLs outside the portal host, plain http off loopback, redirects and bad statuses (FILE_DOWNLOAD_FAILED)', async () => {
    expect(await code(openDownload(`http://${host}/file`, { maxBytes: 10, portalHost: 'other.example:1' }))).to.equal('FILE_DOWNLOAD_FAILED');
    expect(await code(openDownload('http://portal.example/file', { maxBytes: 10, portalHost: 'portal.example' }))).to.equal('FILE_DOWNLOAD_FAILED');
    expect(await code(openDownload(`http://${host}/redirect`, { maxBytes: 10, portalHost: host }))).to.equal('FILE_DOWNLOAD_FAILED');
    expect(await code(openDownload(`http://${host}/gone`, { maxBytes: 10, portalHost: host }))).to.equal('FILE_DOWNLOAD_FAILED');
    expect(await code(openDownload('not a url', { maxBytes: 10, portalHost: host }))).to.equal('FILE_DOWNLOAD_FAILED');
  });
});
