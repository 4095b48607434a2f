/**
 * The checks of `b24-botkit doctor`, each a small function returning a {@link Check}: named in words,
 * passed or failed, with the reason. They read; they never register, update or delete anything.
 */
import type { Config } from '../config.js';
import { createLogger } from '../log.js';
import { checkInstallFinished } from '../registry/install-state.js';
import { describeChange } from '../registry/plan.js';
import type { Registrar } from '../registry/sync.js';
import type { RestClient } from '../rest/client.js';
import type { PortalRecord, Store } from '../store/types.js';

/** One check's outcome. */
export interface Check {
  /** What was checked, in words (`portal acme.bitrix24.com is reachable`). */
  name: string;
  ok: boolean;
  /** Why it passed or failed, with what to do when it failed. */
  reason: string;
}

const pass = (name: string, reason: string): Check => ({ name, ok: true, reason });
const fail = (name: string, reason: string): Check => ({ name, ok: false, reason });

/** A secret-free one-line description of an error: its code and message. */
export function describeError(e: unknown): string {
  if (e instanceof Error && e.name === 'TimeoutError') return 'no answer before the timeout';
  const code = (e as { code?: unknown } | null)?.code;
  const message = e instanceof Error ? e.message : String(e);
  return typeof code === 'string' && !message.startsWith(code) ? `${code}: ${message}` : message;
}

/** The configuration beyond what `loadConfig` validates: in production the portal must reach an https PUBLIC_URL. */
export function checkConfig(config: Config, env: NodeJS.ProcessEnv): Check {
  const name = 'configuration is valid';
  const auth = config.webhookUrl ? 'incoming webhook' : config.clientId ? 'OAuth app' : null;
  const production = env['NODE_ENV'] === 'production';
  const pushed = config.eventMode === 'webhook' || auth === 'OAuth app';
  if (production && pushed && (env['PUBLIC_URL'] ?? '') === '') return fail(name, 'PUBLIC_URL is not set: the portal cannot reach http://localhost; set it to this server\'s public https URL');
  if (production && pushed && !config.publicUrl.startsWith('https://')) return fail(name, `PUBLIC_URL is ${config.publicUrl}: Bitrix24 calls only public https URLs`);
  if (auth === null) return fail(name, 'Bitrix24 is not configured: set B24_WEBHOOK_URL (one portal) or B24_CLIENT_ID and B24_CLIENT_SECRET (an OAuth app)');
  return pass(name, `${auth}, ${config.botApi} bots, events ${config.eventMode === 'fetch' ? 'fetched' : `pushed to ${config.publicUrl}/events`}`);
}

/** The store answers a read. */
export async function checkStore(store: Store, config: Config): Promise<{ check: Check; portals: PortalRecord[] }> {
  const name = 'the data store opens';
  const where = config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `SQLite in ${config.dataDir}`;
  try {
    const portals = await store.listPortals();
    return { check: pass(name, `${where}, ${portals.length} portal${portals.length === 1 ? '' : 's'} installed`), portals };
  } catch (e) {
    return { check: fail(name, `${where}: ${describeError(e)}`), portals: [] };
  }
}

/** Added when the store holds no portal: nothing else can be checked. */
export const NO_PORTAL: Check = fail('a portal is installed', 'the data store holds no portal: install the app on a portal (OAuth), or start the server once with B24_WEBHOOK_URL');

/** `server.time` answers (any auth mode, no scope needed). */
export async function checkReachable(client: RestClient, portal: PortalRecord): Promise<Check> {
  const name = `portal ${portal.domain} is reachable`;
  try {
    const time = await client.call(portal.memberId, 'server.time');
    return pass(name, `server.time answered ${String(time)}`);
  } catch (e) {
    return fail(name, describeError(e));
  }
}

/**
 * The install finished: `checkInstallFinished` (the server's own check: `app.info` INSTALLED; it marks a
 * portal `install_unfinished` as the server does). A UI app whose install page never called
 * `BX24.installFinish()` stays not installed and gets no events. Incoming webhooks install nothing.
 */
export async function checkInstalled(client: RestClient, store: Store, portal: PortalRecord): Promise<Check> {
  const name = `the app's install finished on ${portal.domain}`;
  if (portal.authMode === 'webhook') return pass(name, 'incoming webhook: there is no app to install');
  if (portal.status === 'reinstall_required') return fail(name, 'the refresh token was refused (invalid_grant): reinstall the app');
  const found = await checkInstallFinished({ store, client, log: createLogger({ silent: true }) }, portal.memberId);
  if (found.installed === true) return pass(name, 'app.info says INSTALLED');
  if (found.installed === false) {
    return fail(name, 'app.info says not INSTALLED: the install page did not call BX24.installFinish(), so the portal sends no events; an administrator must open the app in Bitrix24 to finish it');
  }
  return fail(name, `app.info did not answer: ${found.error ?? 'unknown error'}`);
}

/**
 * The portal matches `bots/`: registration sync's own plan (it reads v2 `Bot.list` and `Command.list`, or
 * classic `imbot.bot.list`, and diffs them and the store against the declarations) has nothing to do.
 * A bot missing, renamed, pointing its events at another URL, or a command changed: each is named.
 */
export async function checkBots(planner: Pick<Registrar, 'plan'>, store: Store, portal: PortalRecord, declared: readonly string[]): Promise<Check> {
  const name = `the bots are registered on ${portal.domain}`;
  try {
    const { changes } = await planner.plan(portal.memberId);
    if (changes.length > 0) {
      return fail(name, `b24-botkit sync would make ${changes.length} change${changes.length === 1 ? '' : 's'}: ${changes.map(describeChange).join('; ')}`);
    }
    const ids = new Map((await store.listBots(portal.memberId)).map((b) => [b.code, b.botId]));
    const list = declared.map((c) => `${c} #${ids.get(c) ?? '?'}`).join(', ');
    return pass(name, declared.length === 0 ? 'no bot in bots/' : `${declared.length} of ${declared.length} as bots/ declares them: ${list}`);
  } catch (e) {
    return fail(name, describeError(e));
  }
}

/**
 * `GET <PUBLIC_URL>/healthz` from this process, over the network address PUBLIC_URL names: what the portal
 * does to deliver events (a proxy, TLS or firewall problem shows here). Not needed when events are fetched.
 */
export async function checkHandlerUrl(config: Config, timeoutMs: number): Promise<Check> {
  const url = `${config.publicUrl}/healthz`;
  const name = `the handler URL ${config.publicUrl} is reachable`;
  if (config.eventMode === 'fetch' && !config.clientId) return pass(name, 'not needed: events are fetched (B24_EVENT_MODE=fetch) and nothing is installed through it');
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
    const body = (await res.json().catch(() => null)) as { status?: unknown } | null;
    if (res.status === 200 && (body?.status === 'ok' || body?.status === 'degraded')) return pass(name, `GET ${url} answered ${res.status} ${String(body.status)}`);
    return fail(name, `GET ${url} answered ${res.status}${body?.status ? ` ${String(body.status)}` : ', not this server\'s /healthz'}: is the server running behind PUBLIC_URL?`);
  } catch (e) {
    const cause = (e as { cause?: unknown }).cause;
    return fail(name, `GET ${url}: ${describeError(cause ?? e)}; start the server, or fix PUBLIC_URL, DNS, TLS or the proxy in front of it`);
  }
}
