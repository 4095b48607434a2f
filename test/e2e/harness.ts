import { request } from 'undici';
import { encodePhpForm } from '../../src/protocol/php-form.js';

export { startStack, type Stack, type StackOptions } from '../../src/testing.js';

/** POSTs a raw body to the server and returns status and parsed JSON body. */
export async function post(url: string, body: string | Buffer, contentType = 'application/x-www-form-urlencoded'): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await request(url, { method: 'POST', body, headers: { 'content-type': contentType } });
  const text = await res.body.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = { raw: text };
  }
  return { status: res.statusCode, body: parsed };
}

/** POSTs an object as a PHP-bracket form body (the platform's wire format). */
export function postForm(url: string, value: Record<string, unknown>): Promise<{ status: number; body: Record<string, unknown> }> {
  return post(url, encodePhpForm(value));
}
