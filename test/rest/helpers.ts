import { MockAgent, type Dispatcher } from 'undici';
import { parseHostPatterns } from '../../src/http/host-allowlist.js';
import { createLogger } from '../../src/log.js';
import { createRestClient, type RestClient, type RestClientOptions } from '../../src/rest/client.js';
import { createMemoryStore } from '../../src/store/memory.js';
import type { PortalRecord, Store } from '../../src/store/types.js';
import { portalRecord, webhookPortalRecord } from '../helpers/common.js';

/** The portal origin every MockAgent test talks to. */
export const ORIGIN = 'https://acme.bitrix24.com';
/** The OAuth server origin of the MockAgent tests. */
export const OAUTH_ORIGIN = 'https://oauth.bitrix24.tech';
export const HOSTS = parseHostPatterns('acme.bitrix24.com,127.0.0.1:*');
export const OAUTH = { clientId: 'app.1', clientSecret: 'very-secret', oauthUrl: `${OAUTH_ORIGIN}/oauth/token/` };

/** An OAuth portal record on {@link ORIGIN}. */
export function oauthPortal(over: Partial<PortalRecord> = {}): PortalRecord {
  return portalRecord({ clientEndpoint: `${ORIGIN}/rest/`, ...over });
}

/** A webhook portal record on {@link ORIGIN}. */
export function webhookPortal(over: Partial<PortalRecord> = {}): PortalRecord {
  return webhookPortalRecord({ memberId: 'webhook:acme', clientEndpoint: `${ORIGIN}/rest/1/hookcode/`, ...over });
}

/** A MockAgent that refuses unmatched requests and records every call. */
export function mockAgent(): MockAgent {
  const agent = new MockAgent({ enableCallHistory: true });
  agent.disableNetConnect();
  return agent;
}

/** The recorded requests of a MockAgent: path and parsed JSON (or raw) body. */
export function sent(agent: MockAgent): Array<{ path: string; body: string; json: Record<string, unknown> | null }> {
  return (agent.getCallHistory()?.calls() ?? []).map((c) => {
    const body = typeof c.body === 'string' ? c.body : '';
    let json: Record<string, unknown> | null = null;
    try {
      json = JSON.parse(body) as Record<string, unknown>;
    } catch {
      json = null;
    }
    return { path: c.path, body, json };
  });
}

/** A success envelope. */
export const ok = (result: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> =>
  ({ result, time: { start: 1, finish: 1.01, duration: 0.01 }, ...extra });

/** Everything a client test needs. */
export interface Rig {
  store: Store;
  client: RestClient;
}

/** A memory store with `portals` and a client on `dispatcher` with fast retries. */
export async function rig(dispatcher: Dispatcher, portals: PortalRecord[], over: Partial<RestClientOptions> = {}): Promise<Rig> {
  const store = createMemoryStore();
  for (const p of portals) await store.savePortal(p);
  const client = createRestClient({
    store, oauth: OAUTH, rateLimit: { rate: 1000, burst: 100 }, portalHosts: HOSTS, log: createLogger({ silent: true }),
    dispatcher, retry: { baseDelayMs: 1, maxDelayMs: 5 }, ...over,
  });
  return { store, client };
}

export { rejection } from '../helpers/common.js';
