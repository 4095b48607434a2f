import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import path from 'node:path';

/** One request the test app got from the portal's frame. */
export interface FrameHit {
  path: string;
  query: Record<string, string>;
  form: Record<string, string>;
}

/**
 * A small app the portal opens in its frame (loopback, its own origin), for the browser tests:
 * `/main` (the app page: BX24.init shows what it got), `/manual` (loads the library, does nothing),
 * `/redirect` (303 to the same app on another port, another origin: `/elsewhere`, which posts a raw installFinish to the portal),
 * `/sdk-install` (the official @bitrix24/b24jssdk: initializeB24Frame, then installFinish).
 */
export interface FrameApp {
  /** `http://127.0.0.1:<port>` */
  url: string;
  hits: FrameHit[];
  close(): Promise<void>;
}

// The SDK's browser build (its package.json `unpkg` file; not in its exports map).
const sdkFile = path.join(path.dirname(createRequire(import.meta.url).resolve('@bitrix24/b24jssdk/package.json')), 'dist', 'umd', 'index.min.js');

function page(head: string, script: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>app</title>${head}</head>
<body style="font:14px sans-serif;margin:16px"><p id="s">loading</p><script>${script}</script></body></html>`;
}

const SAY = "function say(t){document.getElementById('s').textContent=t;}";

async function formOf(req: IncomingMessage): Promise<Record<string, string>> {
  let text = '';
  for await (const chunk of req as AsyncIterable<Buffer>) text += String(chunk);
  return Object.fromEntries(new URLSearchParams(text));
}

/** Starts the test app; `bx24` is the frame library URL (the emulator's `/api/v1/`). */
export async function startFrameApp(bx24: string): Promise<FrameApp> {
  const hits: FrameHit[] = [];
  let otherOrigin = '';
  const lib = `<script src="${bx24}"></script>`;
  const pages: Record<string, string> = {
    '/main': page(lib, `${SAY}BX24.init(function(){var a=BX24.getAuth();say('app page ready: admin='+BX24.isAdmin()+' auth='+(a?a.member_id:'none'));BX24.fitWindow();});`),
    '/manual': page(lib, `${SAY}BX24.init(function(){say('manual install page ready');});`),
    '/elsewhere': page('', `${SAY}parent.postMessage('setInstallFinish:{}::'+String(window.name).split('|')[2],'*');say('sent from another origin');`),
    '/sdk-install': page('<script src="/sdk.js"></script>', `${SAY}B24Js.initializeB24Frame().then(function(b24){say('sdk ready: install='+b24.isInstallMode);return b24.installFinish();})`
      + `.then(function(){say('sdk finished');},function(e){say('sdk failed: '+e.message);});`),
  };
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    void (async () => {
      const u = new URL(req.url ?? '/', 'http://e');
      if (u.pathname === '/sdk.js') {
        res.writeHead(200, { 'content-type': 'text/javascript' });
        return void res.end(readFileSync(sdkFile));
      }
      hits.push({ path: u.pathname, query: Object.fromEntries(u.searchParams), form: req.method === 'POST' ? await formOf(req) : {} });
      if (u.pathname === '/redirect') {
        res.writeHead(303, { location: `${otherOrigin}/elsewhere` });
        return void res.end();
      }
      const html = pages[u.pathname];
      res.writeHead(html ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
      res.end(html ?? 'not found');
    })();
  };
  // The same app on a second port: another origin to redirect to.
  const servers: Server[] = [createServer(handler), createServer(handler)];
  const ports = await Promise.all(servers.map((server) => new Promise<number>((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  })));
  otherOrigin = `http://127.0.0.1:${ports[1]}`;
  return {
    url: `http://127.0.0.1:${ports[0]}`, hits,
    close: async () => {
      await Promise.all(servers.map((server) => new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })));
    },
  };
}
