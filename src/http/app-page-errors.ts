import { redactString, type Logger, type LogMeta } from '../log.js';

/** One warn or error line logged about a portal, as the app page shows it (secrets redacted). */
export interface RecentError {
  /** Unix ms. */
  at: number;
  level: 'warn' | 'error';
  message: string;
  /** The stable code of the line (`code`, or the logged error's), when there is one. */
  code: string | null;
  /** The logged error's message or the line's `reason`, when there is one. */
  detail: string | null;
}

/** Options of {@link RecentErrors}. */
export interface RecentErrorsOptions {
  /** Lines kept per portal (default 20): the newest replace the oldest. */
  perPortal?: number;
  /** Portals tracked (default 1000): the one written least recently is forgotten first. */
  maxPortals?: number;
  clock?: () => number;
}

const text = (v: unknown, max: number): string | null => (typeof v === 'string' && v !== '' ? redactString(v).slice(0, max) : null);

/**
 * A small in-memory ring of the recent warn and error lines per portal, fed by {@link RecentErrors.tap}:
 * every line whose fields name a `memberId` is remembered for that portal. Process-local and lost on
 * restart by design; the logs stay the record.
 */
export class RecentErrors {
  readonly #lines = new Map<string, RecentError[]>();
  readonly #per: number;
  readonly #max: number;
  readonly #clock: () => number;

  constructor(o: RecentErrorsOptions = {}) {
    this.#per = o.perPortal ?? 20;
    this.#max = o.maxPortals ?? 1000;
    this.#clock = o.clock ?? Date.now;
  }

  /** Remembers one line for a portal. */
  record(memberId: string, level: RecentError['level'], message: string, meta: LogMeta = {}): void {
    const err = meta['err'] as { code?: unknown; message?: unknown } | undefined;
    const code = meta['code'] ?? err?.code;
    const entry: RecentError = {
      at: this.#clock(), level, message: text(message, 300) ?? '',
      code: typeof code === 'string' ? code : null,
      detail: text(err?.message, 500) ?? text(meta['reason'], 500),
    };
    const list = this.#lines.get(memberId) ?? [];
    this.#lines.delete(memberId);
    list.push(entry);
    if (list.length > this.#per) list.splice(0, list.length - this.#per);
    this.#lines.set(memberId, list);
    if (this.#lines.size > this.#max) this.#lines.delete(this.#lines.keys().next().value as string);
  }

  /** The remembered lines of a portal, newest first. */
  list(memberId: string): RecentError[] {
    return [...(this.#lines.get(memberId) ?? [])].reverse();
  }

  /** A logger that writes to `log` and remembers its warn and error lines that name a `memberId`. */
  tap(log: Logger): Logger {
    const keep = (level: RecentError['level'], message: string, meta?: LogMeta): void => {
      const memberId = meta?.['memberId'];
      if (typeof memberId === 'string' && memberId !== '') this.record(memberId, level, message, meta);
    };
    return {
      error: (message, meta) => {
        log.error(message, meta);
        keep('error', message, meta);
      },
      warn: (message, meta) => {
        log.warn(message, meta);
        keep('warn', message, meta);
      },
      info: (message, meta) => log.info(message, meta),
      debug: (message, meta) => log.debug(message, meta),
    };
  }
}
