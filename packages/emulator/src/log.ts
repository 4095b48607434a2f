/** Structured fields of one log line. */
export type LogMeta = Readonly<Record<string, unknown>>;

/** What the emulator logs through: four levels, a message and fields (the framework's `Logger` fits). */
export interface Logger {
  error(message: string, meta?: LogMeta): void;
  warn(message: string, meta?: LogMeta): void;
  info(message: string, meta?: LogMeta): void;
  debug(message: string, meta?: LogMeta): void;
}

/** Log levels, most severe first. */
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };
// pino's numeric levels, so that `pino-pretty` reads the lines.
const PINO: Record<LogLevel, number> = { error: 50, warn: 40, info: 30, debug: 20 };

const SECRET_KEY = /(token|secret|password|^auth$|^auth_id$|^refresh_id$|webhook_?code|^cookie$|^authorization$)/i;
const WEBHOOK_PATH = /(\/rest\/\d+\/)[^/\s?#"']+/g;
const SECRET_PARAM = /\b(auth|access_token|refresh_token|application_token|client_secret|botToken|code|token)=([^&\s"']+)/gi;
const SECRET_JSON = /("(?:[a-z_]*token|[a-z_]*secret|password|auth_id|refresh_id)"\s*:\s*")[^"]*"/gi;
const MAX_DEPTH = 6;

/** Masks secrets inside a free-form string: webhook codes in URL paths and secret query params. */
export function redactString(text: string): string {
  return text.replace(WEBHOOK_PATH, '$1***').replace(SECRET_PARAM, '$1=***').replace(SECRET_JSON, '$1***"');
}

/** Deep-copies `value` with secret-looking keys masked and strings scrubbed (for the request log and pages). */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactString(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '[nested]';
  if (value instanceof Error) return { type: value.name, message: redactString(value.message) };
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SECRET_KEY.test(k) && (typeof v === 'string' || typeof v === 'number') ? '***' : redact(v, depth + 1);
  }
  return out;
}

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  level?: LogLevel;
  silent?: boolean;
  /** Where lines go; default stdout. */
  stream?: NodeJS.WritableStream;
}

/**
 * The emulator's default logger: one redacted JSON line per entry (pino-compatible `level`, `msg`, `time`).
 *
 * @example
 * const emu = await startEmulator({ log: createLogger({ level: 'debug' }) });
 */
export function createLogger({ level = 'warn', silent = false, stream = process.stdout }: LoggerOptions = {}): Logger {
  const line = (l: LogLevel) => (message: string, meta: LogMeta = {}): void => {
    if (silent || RANK[l] > RANK[level]) return;
    stream.write(`${JSON.stringify({ ...(redact(meta) as object), level: PINO[l], time: Date.now(), msg: redactString(message) })}\n`);
  };
  return { error: line('error'), warn: line('warn'), info: line('info'), debug: line('debug') };
}
