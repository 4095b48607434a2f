import winston from 'winston';

/** Structured fields of one log line. */
export type LogMeta = Readonly<Record<string, unknown>>;

/**
 * The logger every layer receives: four levels, a message and structured fields. Any logger with these
 * methods fits (pino, console wrappers, a test recorder); {@link createLogger} builds the default one on
 * winston.
 *
 * @example
 * const log: Logger = { error: console.error, warn: console.warn, info: console.log, debug: () => undefined };
 * const kit = await createBotkit({ config, log });
 */
export interface Logger {
  error(message: string, meta?: LogMeta): void;
  warn(message: string, meta?: LogMeta): void;
  info(message: string, meta?: LogMeta): void;
  debug(message: string, meta?: LogMeta): void;
}

/** Log levels in winston order. */
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

// pino's numeric levels, so that `pino-pretty` colours and filters winston lines without options.
const PINO_LEVEL: Record<string, number> = { error: 50, warn: 40, info: 30, http: 30, verbose: 20, debug: 20, silly: 10 };

const SECRET_KEY = /(token|secret|password|^auth$|^auth_id$|^refresh_id$|webhook_?code|^cookie$|^authorization$)/i;
const WEBHOOK_PATH = /(\/rest\/\d+\/)[^/\s?#"']+/g;
const SECRET_PARAM = /\b(auth|access_token|refresh_token|application_token|client_secret|botToken|code|token)=([^&\s"']+)/gi;
const SECRET_JSON = /("(?:[a-z_]*token|[a-z_]*secret|password|auth_id|refresh_id)"\s*:\s*")[^"]*"/gi;
const MAX_DEPTH = 6;

/** Replaces secrets inside a free-form string: webhook codes in URL paths and secret query params. */
export function redactString(text: string): string {
  return text.replace(WEBHOOK_PATH, '$1***').replace(SECRET_PARAM, '$1=***').replace(SECRET_JSON, '$1***"');
}

/** Deep-copies `value` with every secret-looking key masked and every string scrubbed. */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactString(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '[nested]';
  if (value instanceof Error) return serializeError(value, depth);
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SECRET_KEY.test(k) && (typeof v === 'string' || typeof v === 'number') ? '***' : redact(v, depth + 1);
  }
  return out;
}

function serializeError(err: Error, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = { type: err.name, message: redactString(err.message) };
  const code = (err as { code?: unknown }).code;
  if (code !== undefined) out['code'] = code;
  if (err.stack) out['stack'] = redactString(err.stack);
  if (err.cause !== undefined && depth < MAX_DEPTH) out['cause'] = redact(err.cause, depth + 1);
  return out;
}

const RESERVED = new Set(['level', 'message']);

const pinoCompatible = winston.format((info) => {
  const symbolLevel = info.level;
  for (const key of Object.keys(info)) {
    if (RESERVED.has(key)) continue;
    info[key] = redact(info[key]);
  }
  info['msg'] = redactString(String(info.message ?? ''));
  delete (info as { message?: unknown }).message;
  info['time'] = Date.now();
  (info as { level: unknown }).level = PINO_LEVEL[symbolLevel] ?? 30;
  return info;
});

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  level?: LogLevel;
  /** Where lines go; defaults to stdout. Tests pass a stream to read the output back. */
  stream?: NodeJS.WritableStream;
  silent?: boolean;
}

/**
 * Creates the default {@link Logger}: winston, structured JSON. Lines are pino-compatible (`level` number, `msg`, `time`),
 * so `npm run dev` pipes them through `pino-pretty`; secrets are redacted in every line.
 *
 * @example
 * const log = createLogger({ level: 'debug' });
 * log.info('portal installed', { memberId, domain });
 */
export function createLogger({ level = 'info', stream, silent = false }: LoggerOptions = {}): winston.Logger {
  const transport = stream
    ? new winston.transports.Stream({ stream })
    : new winston.transports.Console({ stderrLevels: [] });
  // winston filters levels in the transport, after formatting; drop disabled levels first so that a
  // debug line on a hot path costs nothing at `info`.
  const enabled = winston.format((info) => (silent || !logger.isLevelEnabled(info.level) ? false : info));
  const logger: winston.Logger = winston.createLogger({
    level,
    silent,
    format: winston.format.combine(enabled(), pinoCompatible(), winston.format.json()),
    transports: [transport],
  });
  return logger;
}
