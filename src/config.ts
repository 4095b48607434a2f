import { Ajv, type ErrorObject } from 'ajv';
import path from 'node:path';
import { BotkitError } from './errors.js';
import type { LogLevel } from './log.js';
import { isLoopback, parseHostPatterns, type HostPattern } from './http/host-allowlist.js';
import { RATE_PRESETS, type RateLimit } from './rest/limiter.js';

export type { RateLimit } from './rest/limiter.js';

/** The validated configuration of one server process. */
export interface Config {
  port: number;
  host: string;
  publicUrl: string;
  clientId: string | null;
  clientSecret: string | null;
  oauthUrl: string;
  webhookUrl: string | null;
  portalHosts: HostPattern[];
  botApi: 'v1' | 'v2';
  eventMode: 'webhook' | 'fetch';
  pollIntervalMs: number;
  rateLimit: RateLimit;
  /** The per-portal limiter implementation: our timer-free token bucket, or bottleneck's reservoir. */
  limiter: 'token' | 'bottleneck';
  /** Coalesce calls that wait for the limiter into `batch` requests (`B24_BATCHING`, default on). */
  batching: boolean;
  dataDir: string;
  logLevel: LogLevel;
  /** Events whose `ts` is older than this many seconds are refused; 0 disables the check. */
  eventMaxAgeS: number;
  /** How many dialogues are handled at once. */
  dispatchConcurrency: number;
  /** Idle dialogue state expires after this many seconds. */
  dialogueTtlS: number;
  /** Password of the admin page (`/admin`); null disables it. */
  adminToken: string | null;
  /**
   * `APP_SESSION_SECRET`: signs the sessions and CSRF tokens of the app page (`/app`) and `/admin`; null = a
   * random secret per process (sessions end with the process, and instances of a cluster cannot check each other's).
   */
  appSessionSecret: string | null;
  /** Bearer token `GET /metrics` requires (`METRICS_TOKEN`); null leaves it open. */
  metricsToken: string | null;
  /** The frame library (BX24.js) the install page loads (`BX24_SCRIPT_URL`). */
  bx24ScriptUrl: string;
  /** Directory the bot modules are loaded from (`.js` only when running compiled, without tsx). */
  botsDir: string;
  /** `DATABASE_URL` (postgres://...): the PostgreSQL store shared by every instance; null = SQLite in `dataDir`. */
  databaseUrl: string | null;
  /** `REDIS_URL`: cluster coordination (shared buckets, refresh lock); null = this process alone. */
  redisUrl: string | null;
  /** Prefix of every Redis key (`REDIS_PREFIX`), so deployments can share one Redis. */
  redisPrefix: string;
}

/** The Bitrix24 cloud domains accepted as portal hosts when `B24_PORTAL_HOSTS` is not set. */
export const DEFAULT_PORTAL_HOSTS = [
  'bitrix24.com', 'bitrix24.eu', 'bitrix24.de', 'bitrix24.es', 'bitrix24.fr', 'bitrix24.it', 'bitrix24.pl',
  'bitrix24.uk', 'bitrix24.in', 'bitrix24.com.br', 'bitrix24.com.tr', 'bitrix24.vn', 'bitrix24.id', 'bitrix24.jp',
  'bitrix24.cn', 'bitrix24.ru', 'bitrix24.by', 'bitrix24.kz', 'bitrix24.ua', 'bitrix24.site', 'bitrix24.shop',
].map((d) => `*.${d}`).join(',');


const VARIABLES = {
  PORT: { type: 'string', pattern: '^[0-9]{1,5}$', default: '3000' },
  HOST: { type: 'string', minLength: 1, default: '0.0.0.0' },
  PUBLIC_URL: { type: 'string', pattern: '^https?://[^\\s/]+(/\\S*)?$' },
  B24_CLIENT_ID: { type: 'string', minLength: 1 },
  B24_CLIENT_SECRET: { type: 'string', minLength: 1 },
  B24_OAUTH_URL: { type: 'string', pattern: '^https?://\\S+$', default: 'https://oauth.bitrix24.tech/oauth/token/' },
  B24_WEBHOOK_URL: { type: 'string', pattern: '^https?://[^\\s/]+/rest/[0-9]+/[^\\s/]+/?$' },
  B24_PORTAL_HOSTS: { type: 'string', minLength: 1, default: DEFAULT_PORTAL_HOSTS },
  B24_BOT_API: { enum: ['v1', 'v2'], default: 'v2' },
  B24_EVENT_MODE: { enum: ['webhook', 'fetch'] },
  B24_POLL_INTERVAL_MS: { type: 'string', pattern: '^[1-9][0-9]{1,6}$', default: '10000' },
  B24_RATE_LIMIT: { type: 'string', pattern: '^(standard|enterprise|[0-9]+(\\.[0-9]+)?/[0-9]+)$', default: 'standard' },
  B24_LIMITER: { enum: ['token', 'bottleneck'], default: 'token' },
  B24_BATCHING: { enum: ['on', 'off'], default: 'on' },
  DATA_DIR: { type: 'string', minLength: 1, default: './data' },
  LOG_LEVEL: { enum: ['error', 'warn', 'info', 'debug'], default: 'info' },
  EVENT_MAX_AGE_S: { type: 'string', pattern: '^[0-9]{1,7}$', default: '0' },
  DISPATCH_CONCURRENCY: { type: 'string', pattern: '^[1-9][0-9]{0,3}$', default: '16' },
  DIALOGUE_TTL_S: { type: 'string', pattern: '^[1-9][0-9]{0,8}$', default: '86400' },
  ADMIN_TOKEN: { type: 'string', minLength: 16 },
  APP_SESSION_SECRET: { type: 'string', minLength: 32 },
  METRICS_TOKEN: { type: 'string', pattern: '^\\S{16,}$' },
  BX24_SCRIPT_URL: { type: 'string', pattern: '^(https?:)?//[^\\s/]+(/\\S*)?$', default: '//api.bitrix24.tech/api/v1/' },
  BOTS_DIR: { type: 'string', minLength: 1, default: 'bots' },
  DATABASE_URL: { type: 'string', pattern: '^postgres(ql)?://\\S+$' },
  REDIS_URL: { type: 'string', pattern: '^rediss?://\\S+$' },
  REDIS_PREFIX: { type: 'string', pattern: '^\\S{1,100}$', default: 'botkit:' },
} as const;

// What a value that fails its pattern should look like, for the error message.
const HINTS: Partial<Record<ConfigVariable, string>> = {
  PORT: 'a port number (0-65535)',
  PUBLIC_URL: 'an http(s) URL such as https://bots.example.com',
  B24_OAUTH_URL: 'an http(s) URL',
  B24_WEBHOOK_URL: 'an incoming webhook URL such as https://acme.bitrix24.com/rest/1/abc123/',
  B24_POLL_INTERVAL_MS: 'a number of milliseconds, at least 10',
  B24_RATE_LIMIT: 'standard, enterprise or <rate>/<burst> such as 5/250',
  EVENT_MAX_AGE_S: 'a number of seconds (0 = off)',
  DISPATCH_CONCURRENCY: 'a number from 1 to 9999',
  DIALOGUE_TTL_S: 'a positive number of seconds',
  DATABASE_URL: 'a PostgreSQL URL such as postgres://user:password@host:5432/botkit',
  REDIS_URL: 'a Redis URL such as redis://host:6379',
  REDIS_PREFIX: 'up to 100 characters without spaces',
  METRICS_TOKEN: 'at least 16 characters without spaces',
  BX24_SCRIPT_URL: 'an http(s) or scheme-relative URL such as //api.bitrix24.tech/api/v1/',
};

/** Names of every environment variable the server reads. */
export type ConfigVariable = keyof typeof VARIABLES;
/** The names of every variable, for docs and tests. */
export const CONFIG_VARIABLES = Object.keys(VARIABLES) as ConfigVariable[];

type RawEnv = Record<ConfigVariable, string | undefined>;

const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: true });
const validate = ajv.compile<Record<ConfigVariable, string>>({
  type: 'object',
  properties: VARIABLES,
  additionalProperties: false,
});

function describe(errors: ErrorObject[]): string[] {
  return errors.map((e) => {
    const name = e.instancePath.replace(/^\//, '') || String(e.params['missingProperty'] ?? 'environment');
    if (e.keyword === 'enum') return `${name}: must be one of ${(e.params['allowedValues'] as string[]).join(', ')}`;
    const hint = HINTS[name as ConfigVariable];
    if (e.keyword === 'pattern' && hint) return `${name}: must be ${hint}`;
    return `${name}: ${e.message ?? 'is invalid'}`;
  });
}

function parseRate(value: string): RateLimit {
  const preset = RATE_PRESETS[value];
  if (preset) return preset;
  const [rate, burst] = value.split('/').map(Number) as [number, number];
  return { rate, burst };
}

/**
 * Reads and validates the configuration from environment variables. Every bad variable is reported
 * by name in one {@link BotkitError} with code `CONFIG_INVALID`.
 *
 * @example
 * const config = loadConfig(process.env);
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw: Partial<RawEnv> = {};
  for (const name of CONFIG_VARIABLES) {
    const value = env[name];
    if (value !== undefined && value !== '') raw[name] = value;
  }
  if (!validate(raw)) throw configError(describe(validate.errors ?? []));
  const v = raw as Record<ConfigVariable, string>;
  const problems: string[] = [];
  const port = Number(v.PORT);
  if (port > 65535) problems.push('PORT: must be between 0 (any free port) and 65535');
  if ((v.B24_CLIENT_ID === undefined) !== (v.B24_CLIENT_SECRET === undefined)) {
    problems.push('B24_CLIENT_ID / B24_CLIENT_SECRET: set both or neither');
  }
  // The client secret is sent there: https, or plain http to this machine only (the emulator).
  if (/^http:/i.test(v.B24_OAUTH_URL) && !isLoopback(new URL(v.B24_OAUTH_URL).hostname)) {
    problems.push('B24_OAUTH_URL: must be https (plain http only for a loopback host)');
  }
  // The script runs in the installing administrator's browser, next to their tokens.
  if (/^http:/i.test(v.BX24_SCRIPT_URL) && !isLoopback(URL.parse(v.BX24_SCRIPT_URL)?.hostname ?? '')) {
    problems.push('BX24_SCRIPT_URL: must be https or scheme-relative (plain http only for a loopback host)');
  }
  if (v.B24_EVENT_MODE === 'fetch' && v.B24_BOT_API === 'v1') {
    problems.push('B24_EVENT_MODE: fetch needs B24_BOT_API=v2 (classic bots only get pushed events)');
  }
  const rateLimit = parseRate(v.B24_RATE_LIMIT);
  if (rateLimit.rate <= 0 || rateLimit.burst < 1) problems.push('B24_RATE_LIMIT: rate and burst must be positive');
  let portalHosts: HostPattern[] = [];
  try {
    portalHosts = parseHostPatterns(v.B24_PORTAL_HOSTS);
  } catch (e) {
    problems.push(`B24_PORTAL_HOSTS: ${(e as Error).message}`);
  }
  if (problems.length > 0) throw configError(problems);
  const webhookUrl = v.B24_WEBHOOK_URL ?? null;
  return {
    port,
    host: v.HOST,
    publicUrl: (v.PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/+$/, ''),
    clientId: v.B24_CLIENT_ID ?? null,
    clientSecret: v.B24_CLIENT_SECRET ?? null,
    oauthUrl: v.B24_OAUTH_URL,
    webhookUrl: webhookUrl === null ? null : webhookUrl.replace(/\/?$/, '/'),
    portalHosts,
    botApi: v.B24_BOT_API as 'v1' | 'v2',
    eventMode: (v.B24_EVENT_MODE as 'webhook' | 'fetch' | undefined) ?? (webhookUrl && !v.B24_CLIENT_ID && v.B24_BOT_API === 'v2' ? 'fetch' : 'webhook'),
    pollIntervalMs: Number(v.B24_POLL_INTERVAL_MS),
    rateLimit,
    limiter: v.B24_LIMITER as 'token' | 'bottleneck',
    batching: v.B24_BATCHING === 'on',
    dataDir: path.resolve(v.DATA_DIR),
    logLevel: v.LOG_LEVEL as LogLevel,
    eventMaxAgeS: Number(v.EVENT_MAX_AGE_S),
    dispatchConcurrency: Number(v.DISPATCH_CONCURRENCY),
    dialogueTtlS: Number(v.DIALOGUE_TTL_S),
    adminToken: v.ADMIN_TOKEN ?? null,
    appSessionSecret: v.APP_SESSION_SECRET ?? null,
    metricsToken: v.METRICS_TOKEN ?? null,
    bx24ScriptUrl: v.BX24_SCRIPT_URL,
    botsDir: path.resolve(v.BOTS_DIR),
    databaseUrl: v.DATABASE_URL ?? null,
    redisUrl: v.REDIS_URL ?? null,
    redisPrefix: v.REDIS_PREFIX,
  };
}

function configError(problems: string[]): BotkitError {
  return new BotkitError('CONFIG_INVALID', `Invalid configuration:\n  - ${problems.join('\n  - ')}`);
}
