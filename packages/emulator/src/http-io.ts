import type { IncomingMessage, ServerResponse } from 'node:http';
import { parsePhpForm } from './php-form.js';
import type { Params } from './params.js';
import { PortalError } from './portal-error.js';

const MAX_BODY = 16 * 1024 * 1024;
const FORM_LIMITS = { maxParams: 20_000, maxDepth: 16 };

/** Reads the whole request body as UTF-8 (413 above `maxBytes`, default 16 MB). */
export async function readBody(req: IncomingMessage, maxBytes = MAX_BODY): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw new PortalError('INVALID_REQUEST', 'Request entity too large', 413);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseForm(text: string): Params {
  if (text.trim() === '') return {};
  try {
    return { ...parsePhpForm(text, FORM_LIMITS) };
  } catch (e) {
    throw new PortalError('INVALID_REQUEST', `Malformed form data: ${(e as Error).message}`);
  }
}

function parseJson(text: string): Params {
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new PortalError('INVALID_REQUEST', 'Malformed JSON body');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new PortalError('INVALID_REQUEST', 'The JSON body must be an object');
  return value as Params;
}

async function parseMultipart(text: string, contentType: string): Promise<Params> {
  let form: FormData;
  try {
    form = await new Response(text, { headers: { 'content-type': contentType } }).formData();
  } catch {
    throw new PortalError('INVALID_REQUEST', 'Malformed multipart body');
  }
  const pairs: string[] = [];
  for (const [k, v] of form.entries()) {
    if (typeof v === 'string') pairs.push(`${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
  }
  return parseForm(pairs.join('&'));
}

/**
 * The params of a request: the query string, overlaid by the body (JSON, PHP-bracket form or
 * multipart; the content type decides, a body without one is read as a form).
 */
export async function readParams(req: IncomingMessage, body: string): Promise<Params> {
  const url = new URL(req.url ?? '/', 'http://emulator');
  const query = parseForm(url.search.slice(1));
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  let fromBody: Params;
  if (type.includes('application/json')) fromBody = parseJson(body);
  else if (type.includes('multipart/form-data')) fromBody = await parseMultipart(body, req.headers['content-type'] ?? '');
  else fromBody = parseForm(body);
  return { ...query, ...fromBody };
}

/** Writes a JSON answer. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Writes a Bitrix24 error answer. */
export function sendError(res: ServerResponse, e: PortalError): void {
  sendJson(res, e.status, { error: e.code, error_description: e.message });
}
