import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { sendError } from './http-io.js';
import { PortalError } from './portal-error.js';
import type { PortalState } from './portal-state.js';

/** `/rest/download.json` and the webhook form `/rest/<user>/<code>/download/` (`v2/imbot.v2/files/file-download.md`). */
export const DOWNLOAD_PATH = /^\/rest\/(?:download\.json|\d+\/[^/]+\/download)\/?$/;

/**
 * Serves a single-use download URL: the file streamed (generated files chunk by chunk), with
 * `Content-Length` and `Content-Disposition`. An unknown or used token answers 404 `FILE_NOT_FOUND`.
 */
export async function handleDownload(portal: PortalState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const token = new URL(req.url ?? '/', 'http://e').searchParams.get('token') ?? '';
  const file = req.method === 'GET' ? portal.files.redeem(token) : undefined;
  if (!file) return sendError(res, new PortalError('FILE_NOT_FOUND', 'File not found', 404));
  res.writeHead(200, {
    'content-type': 'application/octet-stream',
    'content-length': file.size,
    'content-disposition': `attachment; filename="${file.name.replace(/["\\\r\n]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(file.name)}`,
  });
  await pipeline(portal.files.open(file), res).catch(() => res.destroy());
}
