import { Agent, request } from 'undici';

/** The HTTP answer of one event push; `status` is null when none came. */
export interface PostResult {
  status: number | null;
  body: string;
  error?: string;
}

/**
 * Sends form-encoded event bodies the way Bitrix24's event queue does: one POST per handler call,
 * `application/x-www-form-urlencoded`, no retries.
 */
export class EventPoster {
  readonly #agent: Agent;
  readonly #timeoutMs: number;

  constructor(timeoutMs: number) {
    this.#timeoutMs = timeoutMs;
    this.#agent = new Agent({ connect: { timeout: timeoutMs }, headersTimeout: timeoutMs, bodyTimeout: timeoutMs, keepAliveTimeout: 2000 });
  }

  /** POSTs `body` to `url`; never throws. */
  async post(url: string, body: string): Promise<PostResult> {
    try {
      const res = await request(url, {
        method: 'POST',
        body,
        dispatcher: this.#agent,
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'Bitrix24 Webhook Engine' },
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      return { status: res.statusCode, body: await res.body.text() };
    } catch (e) {
      const err = e as { code?: unknown; message?: unknown };
      return { status: null, body: '', error: String(err.code ?? err.message ?? 'error') };
    }
  }

  /** Aborts pushes in flight and closes the connections. */
  async close(): Promise<void> {
    await this.#agent.destroy();
  }
}
