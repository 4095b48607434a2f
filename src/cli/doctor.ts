import { loadConfig, type Config } from '../config.js';
import { BotkitError } from '../errors.js';
import { createLogger } from '../log.js';
import { createRegistrar } from '../registry/sync.js';
import { createRestClient, type RestClient } from '../rest/client.js';
import { createBotkit, type Botkit } from '../server.js';
import type { CliCommand, CliResult, StandaloneContext } from './commands.js';
import {
  checkBots, checkConfig, checkHandlerUrl, checkInstalled, checkReachable, checkStore, describeError, NO_PORTAL, type Check,
} from './doctor-checks.js';

/** Default time each network check may take (`--timeout=<ms>` changes it). */
const DEFAULT_TIMEOUT_MS = 10_000;

function timeoutOf(flags: ReadonlySet<string>): number {
  const flag = [...flags].find((f) => f.startsWith('--timeout'));
  if (flag === undefined) return DEFAULT_TIMEOUT_MS;
  const ms = Number(flag.slice('--timeout='.length));
  if (!flag.startsWith('--timeout=') || !Number.isInteger(ms) || ms < 1 || ms > 600_000) {
    throw new BotkitError('CLI_USAGE', 'usage: b24-botkit doctor [--timeout=<ms, 1-600000>] [--json]');
  }
  return ms;
}

/**
 * A REST client over the kit's store for diagnosis: one retry instead of six and the check's timeout on
 * every request, so an unreachable portal is reported with its real error (refused, DNS, TLS, timeout)
 * in seconds instead of after the server client's retries and backoff.
 */
function diagnosticClient(kit: Botkit, config: Config, timeoutMs: number): RestClient {
  const oauth = config.clientId && config.clientSecret ? { clientId: config.clientId, clientSecret: config.clientSecret, oauthUrl: config.oauthUrl } : null;
  return createRestClient({
    store: kit.store, oauth, rateLimit: config.rateLimit, portalHosts: config.portalHosts, log: createLogger({ silent: true }), batching: false,
    retry: { attempts: 2, baseDelayMs: 250, rateLimitRetries: 3 }, timeouts: { connectMs: timeoutMs, headersMs: timeoutMs, bodyMs: timeoutMs },
  });
}

/** Every check after the store opened: per portal reachable, installed, bots registered; then the handler URL. */
async function portalChecks(kit: Botkit, config: Config, timeoutMs: number): Promise<Check[]> {
  const checks: Check[] = [];
  const store = await checkStore(kit.store, config);
  checks.push(store.check);
  if (store.check.ok && store.portals.length === 0) checks.push(NO_PORTAL);
  const client = diagnosticClient(kit, config, timeoutMs);
  // Sync's own reading and diff, through the diagnostic client; plan() changes nothing.
  const planner = createRegistrar({
    store: kit.store, client, bots: kit.bots, api: config.botApi, eventMode: config.eventMode, handlerUrl: () => `${config.publicUrl}/events`,
    log: createLogger({ silent: true }),
  });
  try {
    for (const portal of store.portals) {
      const reachable = await checkReachable(client, portal);
      checks.push(reachable);
      if (!reachable.ok) {
        const skipped = `not checked: the portal is unreachable`;
        checks.push({ name: `the app's install finished on ${portal.domain}`, ok: false, reason: skipped });
        checks.push({ name: `the bots are registered on ${portal.domain}`, ok: false, reason: skipped });
        continue;
      }
      checks.push(await checkInstalled(client, kit.store, portal));
      checks.push(await checkBots(planner, kit.store, portal, [...kit.bots.keys()]));
    }
  } finally {
    await client.close();
  }
  checks.push(await checkHandlerUrl(config, timeoutMs));
  return checks;
}

function report(checks: Check[]): CliResult {
  const ok = checks.every((c) => c.ok);
  const failed = checks.filter((c) => !c.ok).length;
  const lines = checks.map((c) => `${c.ok ? 'ok  ' : 'FAIL'}  ${c.name}: ${c.reason}`);
  lines.push(ok ? `all ${checks.length} checks passed` : `${failed} of ${checks.length} checks failed`);
  return { ok, data: { ok, checks }, text: lines.join('\n') };
}

/**
 * Runs every check with the configuration in `env`. A configuration `loadConfig` refuses is a usage error
 * (`CONFIG_INVALID`, exit code 2); a store that cannot be opened is a failed check.
 */
async function runDoctor(env: NodeJS.ProcessEnv, timeoutMs: number): Promise<CliResult> {
  const config = loadConfig(env);
  const checks: Check[] = [checkConfig(config, env)];
  let kit: Botkit;
  try {
    kit = await createBotkit({ config, log: createLogger({ level: 'error', stream: process.stderr }) });
  } catch (e) {
    checks.push({ name: 'the data store opens', ok: false, reason: describeError(e) });
    return report(checks);
  }
  try {
    checks.push(...(await portalChecks(kit, config, timeoutMs)));
  } finally {
    await kit.stop(5000);
  }
  return report(checks);
}

/**
 * `b24-botkit doctor [--timeout=<ms>]`: checks configuration, store, portals, install, bots and the handler
 * URL. Standalone: it opens the store itself, so a store that does not open is a finding.
 */
export const doctor: CliCommand = {
  args: '[--timeout=<ms>]',
  summary: 'check config, store, portals reachable, install finished, bots registered, handler URL reachable',
  standalone: (ctx: StandaloneContext) => runDoctor(ctx.env, timeoutOf(ctx.flags)),
};
