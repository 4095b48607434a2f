import type { Request } from 'express';
import { HttpError } from '../errors.js';
import { decodeUtf8, parseJsonBody } from '../protocol/json-body.js';
import { parsePhpForm, type FormLimits } from '../protocol/php-form.js';

/** Limits of an event body. */
export interface BodyLimits extends FormLimits {
  /** Maximum body size in bytes. */
  maxBytes?: number;
}

/** The largest body any route reads (`/events`, `/install`); `Expect: 100-continue` beyond it is refused unread. */
export const MAX_BODY_BYTES = 256 * 1024;

/** Reads the raw body up to `maxBytes`; a larger body is refused with 413 without buffering it all. */
export async function readRawBody(req: Request, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > maxBytes) throw new HttpError(413, 'BODY_TOO_LARGE', `body exceeds ${maxBytes} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBytes) throw new HttpError(413, 'BODY_TOO_LARGE', `body exceeds ${maxBytes} bytes`);
      chunks.push(chunk);
    }
  } catch (e) {
    if (e instanceof HttpError) throw e;
    // The peer went away, or the parser gave up on the connection (timeout, early end): a refusal, not a fault.
    throw new HttpError(400, 'BODY_INCOMPLETE', `the connection closed after ${size} bytes of the body`, { cause: e });
  }
  return Buffer.concat(chunks);
}


function isBlank(raw: Buffer): boolean {
  for (const b of raw) if (b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) return false;
  return true;
}

/** Refuses a form body with more than `max` non-empty `&`-separated pairs (as the parser counts them). */
function checkFormPairs(raw: Buffer, max: number): void {
  let pairs = 0;
  for (let start = 0; start < raw.length;) {
    let end = raw.indexOf(0x26, start);
    if (end === -1) end = raw.length;
    if (end > start && ++pairs > max) throw new HttpError(413, 'BODY_TOO_MANY_PARAMS', `more than ${max} parameters`);
    start = end + 1;
  }
}

/** The `charset` parameter of a Content-Type, unquoted (RFC 9110 allows `charset="utf-8"`), lower-case. */
export function charsetOf(contentType: string): string | undefined {
  const m = /;\s*charset\s*=\s*(?:"([^"]*)"|([^;\s]+))/i.exec(contentType);
  if (!m) return undefined;
  return (m[1] ?? m[2] ?? '').trim().toLowerCase();
}

/**
 * Reads and parses an event body: PHP-bracket form (the platform's wire format) or JSON (the docs' own
 * samples). Anything else is 415, and so is a compressed body (any Content-Encoding but identity); empty or garbled bodies are 400; limits give 413/400.
 */
export async function readEventBody(req: Request, { maxBytes = MAX_BODY_BYTES, ...limits }: BodyLimits = {}): Promise<Record<string, unknown>> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const charset = charsetOf(req.headers['content-type'] ?? '');
  if (type !== 'application/x-www-form-urlencoded' && type !== 'application/json') {
    throw new HttpError(415, 'BODY_UNSUPPORTED_TYPE', 'send application/x-www-form-urlencoded or application/json');
  }
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw new HttpError(415, 'BODY_UNSUPPORTED_TYPE', `charset ${charset} is not supported`);
  }
  const encoding = (req.headers['content-encoding'] ?? '').trim().toLowerCase();
  if (encoding !== '' && encoding !== 'identity') {
    throw new HttpError(415, 'BODY_ENCODED', `Content-Encoding ${encoding} is not supported; send the body uncompressed`);
  }
  const raw = await readRawBody(req, maxBytes);
  if (isBlank(raw)) throw new HttpError(400, 'BODY_MALFORMED', 'the body is empty');
  // Both parsers see their limits on the raw bytes first: an oversized body is refused undecoded.
  if (type === 'application/json') return parseJsonBody(raw, limits);
  checkFormPairs(raw, limits.maxParams ?? 1000);
  return parsePhpForm(decodeUtf8(raw), limits);
}
