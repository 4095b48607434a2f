import { startEmulator, type Emulator, type EmulatedPortal, type EmulatorOptions } from '../../src/emulator/index.js';
import { parseHostPatterns } from '../../src/http/host-allowlist.js';
import { createLogger } from '../../src/log.js';
import { stableUuid } from '../../src/router/runtime.js';
import { createRestClient, type RestClient, type RestClientOptions } from '../../src/rest/client.js';
import { createMemoryStore } from '../../src/store/memory.js';
import type { PortalRecord, Store } from '../../src/store/types.js';
import { portalRecord, webhookPortalRecord } from '../helpers/common.js';

/** Loopback on any port: where the emulator lives. */
export const LOOPBACK = parseHostPatterns('127.0.0.1:*');

/** The portal record of an emulated portal with a fresh OAuth pair. */
export function oauthRecord(p: EmulatedPortal, over: Partial<PortalRecord> = {}): PortalRecord {
  const t = p.issueTokens();
  return portalRecord({
    memberId: p.memberId, domain: p.domain, clientEndpoint: p.clientEndpoint, applicationToken: p.applicationToken,
    accessToken: t.accessToken, refreshToken: t.refreshToken, ...over,
  });
}

/** The portal record of an incoming webhook of an emulated portal. */
export function webhookRecord(p: EmulatedPortal, memberId = `webhook:${p.memberId}`, over: Partial<PortalRecord> = {}): PortalRecord {
  return webhookPortalRecord({ memberId, domain: p.domain, clientEndpoint: p.createWebhook(), ...over });
}

/** An emulator, a store holding its default portal (OAuth) and a client. */
export interface EmuRig {
  emu: Emulator;
  store: Store;
  client: RestClient;
  memberId: string;
  /** A v2 bot registered by the OAuth app. */
  botId: number;
  close(): Promise<void>;
}

/** Options of {@link emuRig}. */
export interface EmuRigOptions {
  emulator?: EmulatorOptions;
  client?: Partial<RestClientOptions>;
  store?: Store;
  portal?: Partial<PortalRecord>;
}

/** Starts the emulator, stores its portal, creates a client and registers a v2 bot. */
export async function emuRig(o: EmuRigOptions = {}): Promise<EmuRig> {
  const log = createLogger({ silent: true });
  const emu = await startEmulator({ log, rateLimit: null, ...o.emulator });
  const store = o.store ?? createMemoryStore();
  const record = oauthRecord(emu.portal, o.portal);
  await store.savePortal(record);
  const client = createRestClient({
    store, oauth: { clientId: emu.clientId, clientSecret: emu.clientSecret, oauthUrl: emu.oauthUrl },
    rateLimit: { rate: 1000, burst: 1000 }, portalHosts: LOOPBACK, log, retry: { baseDelayMs: 5, maxDelayMs: 50 }, ...o.client,
  });
  const reg = await client.call<{ bot: { id: number } }>(record.memberId, 'imbot.v2.Bot.register', { fields: { code: 'rig', properties: { name: 'Rig' } } });
  return {
    emu, store, client, memberId: record.memberId, botId: reg.bot.id,
    close: async () => {
      await client.close();
      await emu.close();
      if (!o.store) await store.close();
    },
  };
}

/**
 * Params of a v2 send to `dialogId`, marked when `templateSeed` is given with the lowercase UUIDv4
 * derived from it (the only `templateId` shape the platform deduplicates).
 */
export function v2Send(botId: number, dialogId: string, message: string, templateSeed?: string): Record<string, unknown> {
  return { botId, dialogId, fields: templateSeed ? { message, templateId: stableUuid(templateSeed) } : { message } };
}
