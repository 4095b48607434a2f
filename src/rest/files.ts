/**
 * File transfer to and from a portal: a download streamed with a byte cap (never buffered whole), and
 * the checks an upload passes before anything is queued. The REST calls around them (`imbot.v2.File.upload`,
 * `imbot.v2.File.download`, classic `disk.file.get`) go through the rate-limited client like every call; the
 * single-use download URL they return is fetched here, on the shared keep-alive agent.
 */
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { request, type Dispatcher } from 'undici';
import { BotkitError } from '../errors.js';
import { sharedAgent } from './transport.js';

/** The platform's upload limit: 100 MB decoded (`v2/imbot.v2/files/index.md#limits`). */
export const PLATFORM_UPLOAD_MAX_BYTES = 100 * 1024 * 1024;

/** A file a bot sends. */
export interface OutgoingFile {
  /** The file name with its extension (`report.pdf`). */
  name: string;
  /** The bytes. */
  content: Uint8Array;
}

/** An open download: metadata from the response headers and the body as a stream. */
export interface FileDownload {
  /** The body. Errors with `FILE_TOO_LARGE` if it grows past the cap; destroy it to stop early. */
  stream: Readable;
  /** From `Content-Disposition`, when the portal names it. */
  name: string | null;
  /** From `Content-Length`, when the portal sends it. */
  size: number | null;
  contentType: string | null;
}

/** Options of {@link openDownload}. */
export interface DownloadOptions {
  /** Refuse (before or while streaming) a body larger than this many bytes. */
  maxBytes: number;
  /** The portal host the URL must point at (`auth[domain]` of the event). */
  portalHost: string;
  signal?: AbortSignal;
  dispatcher?: Dispatcher;
}

function tooLarge(what: string, size: number, max: number): BotkitError {
  return new BotkitError('FILE_TOO_LARGE', `${what} is ${size} bytes, over the cap of ${max} bytes`);
}

/**
 * Checks a file before it is queued for upload: a name, some bytes, at most `maxBytes` (and never more
 * than the platform accepts). Returns the Base64 the upload carries.
 *
 * @throws BotkitError `FILE_INVALID` or `FILE_TOO_LARGE`.
 */
export function prepareUpload(file: OutgoingFile, maxBytes = PLATFORM_UPLOAD_MAX_BYTES): { name: string; content: string } {
  if (typeof file?.name !== 'string' || file.name.trim() === '') throw new BotkitError('FILE_INVALID', 'the file needs a name with an extension');
  if (!(file.content instanceof Uint8Array) || file.content.byteLength === 0) throw new BotkitError('FILE_INVALID', `the file ${file.name} has no content`);
  const cap = Math.min(maxBytes, PLATFORM_UPLOAD_MAX_BYTES);
  if (file.content.byteLength > cap) throw tooLarge(`the file ${file.name}`, file.content.byteLength, cap);
  return { name: file.name, content: Buffer.from(file.content.buffer, file.content.byteOffset, file.content.byteLength).toString('base64') };
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/i;

/** Only the portal itself is fetched from: its own host, over https (http only on loopback, for the emulator). */
function checkUrl(raw: string, portalHost: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new BotkitError('FILE_DOWNLOAD_FAILED', 'the portal answered a download URL that is not a URL');
  }
  const sameHost = url.host.toLowerCase() === portalHost.toLowerCase();
  const schemeOk = url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.test(url.host));
  if (!sameHost || !schemeOk) throw new BotkitError('FILE_DOWNLOAD_FAILED', `refusing a download URL outside the portal (${url.protocol}//${url.host})`);
  return url;
}

/** `filename*=UTF-8''…` wins over `filename="…"`. */
export function dispositionName(header: string | undefined): string | null {
  if (!header) return null;
  const star = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(header);
  if (star?.[1]) {
    try {
      return decodeURIComponent(star[1].trim());
    } catch {
      // fall through to the plain form
    }
  }
  const plain = /filename\s*=\s*"([^"]*)"|filename\s*=\s*([^;]+)/.exec(header);
  const name = (plain?.[1] ?? plain?.[2] ?? '').trim();
  return name === '' ? null : name;
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Stops reading a body; the abort it causes is expected, not an error. */
function discard(body: Readable): void {
  body.on('error', () => undefined);
  body.destroy();
}

/** Counts bytes through; errors with `FILE_TOO_LARGE` once past the cap. */
class ByteCap extends Transform {
  #seen = 0;
  constructor(readonly max: number) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.#seen += chunk.length;
    if (this.#seen > this.max) return done(tooLarge('the download', this.#seen, this.max));
    done(null, chunk);
  }
}

/**
 * Opens a download URL the portal returned and streams the body with a byte cap: a `Content-Length` over
 * the cap is refused before any byte is read; a body that grows past it errors the stream.
 *
 * @throws BotkitError `FILE_TOO_LARGE`, `FILE_DOWNLOAD_FAILED`.
 * @example
 * const dl = await openDownload(downloadUrl, { maxBytes: 10e6, portalHost: ctx.portal.domain });
 * await pipeline(dl.stream, createWriteStream('/tmp/x'));
 */
export async function openDownload(rawUrl: string, opts: DownloadOptions): Promise<FileDownload> {
  const url = checkUrl(rawUrl, opts.portalHost);
  const res = await request(url, {
    method: 'GET', dispatcher: opts.dispatcher ?? sharedAgent(), signal: opts.signal ?? null,
  }).catch((e: unknown) => {
    throw new BotkitError('FILE_DOWNLOAD_FAILED', `the download did not complete: ${(e as Error).message}`, { cause: e });
  });
  const length = header(res.headers, 'content-length');
  const size = length !== undefined && /^\d+$/.test(length) ? Number(length) : null;
  if (res.statusCode !== 200) {
    discard(res.body);
    throw new BotkitError('FILE_DOWNLOAD_FAILED', `the portal answered the download with HTTP ${res.statusCode}`);
  }
  if (size !== null && size > opts.maxBytes) {
    discard(res.body);
    throw tooLarge('the download', size, opts.maxBytes);
  }
  const cap = new ByteCap(opts.maxBytes);
  res.body.on('error', (e) => cap.destroy(e));
  cap.on('close', () => discard(res.body));
  return {
    stream: res.body.pipe(cap),
    name: dispositionName(header(res.headers, 'content-disposition')),
    size,
    contentType: header(res.headers, 'content-type') ?? null,
  };
}
