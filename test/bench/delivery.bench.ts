/**
 * Issue 3 performance: N replies queued for one portal whose bucket is the standard one scaled ×10
 * (20/s, burst 50), through our client with batching off and on, and through the official
 * `@bitrix24/b24jssdk` (`actions.v2.call.make`, what `callMethod` calls, for each reply, with its own
 * limiter set to the same bucket) against the same emulator.
 */
import { ApiVersion, B24Hook } from '@bitrix24/b24jssdk';
import { startEmulator, type Emulator, type EmulatedPortal } from '@b24-botkit/emulator';
import { createLogger } from '../../src/log.js';
import { createRestClient } from '../../src/rest/client.js';
import { createMemoryStore } from '../../src/store/memory.js';
import { LOOPBACK, webhookRecord } from '../rest/emu-rig.js';
import { quick, type BenchResult } from './result.js';

const BUCKET = { rate: 20, burst: 50 };
const SEND = 'imbot.v2.Chat.Message.send';
const log = createLogger({ silent: true });

interface Run {
  seconds: number;
  requests: number;
  limited: number;
  delivered: number;
  failed: number;
}

async function ourRun(emu: Emulator, n: number, batching: boolean): Promise<Run> {
  const portal = emu.createPortal({ rateLimit: BUCKET });
  const store = createMemoryStore();
  const record = webhookRecord(portal, 'bench', { rateLimit: `${BUCKET.rate}/${BUCKET.burst}` });
  await store.savePortal(record);
  const client = createRestClient({ store, oauth: null, rateLimit: BUCKET, portalHosts: LOOPBACK, log, batching });
  const reg = await client.call<{ bot: { id: number } }>('bench', 'imbot.v2.Bot.register', { fields: { code: 'bench', botToken: 'bench-token', properties: { name: 'Bench' } } });
  const started = performance.now();
  const outcomes = await Promise.allSettled(Array.from({ length: n }, (_, i) =>
    client.call('bench', SEND, { botId: reg.bot.id, botToken: 'bench-token', dialogId: '1', fields: { message: `reply ${i}` } })));
  const seconds = (performance.now() - started) / 1000;
  await client.close();
  return summarize(portal, seconds, outcomes);
}

function summarize(portal: EmulatedPortal, seconds: number, outcomes: PromiseSettledResult<unknown>[]): Run {
  const c = portal.counters();
  return {
    seconds, requests: c.requests - (c.byMethod['imbot.v2.Bot.register'] ?? 0), limited: c.queryLimitExceeded,
    delivered: portal.messages().length, failed: outcomes.filter((o) => o.status === 'rejected').length,
  };
}

/** The SDK insists on https; the emulator is plain http on loopback, so its axios requests are rewritten. */
async function sdkRun(emu: Emulator, n: number): Promise<Run> {
  const portal = emu.createPortal({ rateLimit: BUCKET });
  const hook = new URL(portal.createWebhook());
  const [, prefix, user, code] = /^(.*\/rest\/)(\d+)\/([^/]+)\/$/.exec(hook.pathname) ?? [];
  const b24 = B24Hook.fromWebhookUrl(`https://${hook.host}/rest/${user}/${code}`, {
    restrictionParams: { rateLimit: { burstLimit: BUCKET.burst, drainRate: BUCKET.rate, adaptiveEnabled: true } },
  });
  b24.offClientSideWarning();
  b24.getHttpClient(ApiVersion.v2).ajaxClient.interceptors.request.use((cfg) => {
    if (cfg.url) cfg.url = cfg.url.replace(`https://${hook.host}/rest/`, `http://${hook.host}${prefix}`);
    return cfg;
  });
  // callMethod() is a deprecated alias of actions.v2.call.make() that logs a warning per call.
  const call = async (method: string, params: Record<string, unknown>): Promise<unknown> => {
    const res = await b24.actions.v2.call.make({ method, params });
    if (!res.isSuccess) throw new Error(res.getErrorMessages().join('; '));
    return res.getData()?.result;
  };
  const reg = await call('imbot.v2.Bot.register', { fields: { code: 'sdk', botToken: 'sdk-token', properties: { name: 'SDK' } } });
  const botId = (reg as { bot: { id: number } }).bot.id;
  const started = performance.now();
  const outcomes = await Promise.allSettled(Array.from({ length: n }, (_, i) =>
    call(SEND, { botId, botToken: 'sdk-token', dialogId: '1', fields: { message: `reply ${i}` } })));
  const seconds = (performance.now() - started) / 1000;
  return summarize(portal, seconds, outcomes);
}

/** Runs the delivery benchmark. */
export async function run(): Promise<BenchResult[]> {
  const n = quick() ? 150 : 600;
  const minimum = Math.max(0, n - BUCKET.burst) / BUCKET.rate;
  const emu = await startEmulator({ log, rateLimit: null });
  try {
    const off = await ourRun(emu, n, false);
    const on = await ourRun(emu, n, true);
    const sdk = await sdkRun(emu, n);
    const b = `delivery ${n} replies @20/s burst 50`;
    return [
      { bench: b, metric: 'batching off: wall time', value: off.seconds, unit: 's' },
      { bench: b, metric: 'batching off: wall / bucket minimum', value: off.seconds / minimum, unit: '×', target: '≤ 1.1', ok: off.seconds / minimum <= 1.1 },
      { bench: b, metric: 'batching off: 503s', value: off.limited, unit: '', target: '0', ok: off.limited === 0 },
      { bench: b, metric: 'batching off: delivered', value: off.delivered, unit: '', target: String(n), ok: off.delivered === n && off.failed === 0 },
      { bench: b, metric: 'batching on: wall time', value: on.seconds, unit: 's' },
      { bench: b, metric: 'batching on: HTTP requests', value: on.requests, unit: '' },
      { bench: b, metric: 'batching on: 503s', value: on.limited, unit: '', target: '0', ok: on.limited === 0 },
      { bench: b, metric: 'batching on: delivered', value: on.delivered, unit: '', target: String(n), ok: on.delivered === n && on.failed === 0 },
      { bench: b, metric: 'requests off / on', value: off.requests / on.requests, unit: '×', target: '≥ 20', ok: off.requests / on.requests >= 20 },
      { bench: b, metric: 'speed on vs off', value: off.seconds / on.seconds, unit: '×', target: '≥ 10', ok: off.seconds / on.seconds >= 10 },
      { bench: b, metric: 'b24jssdk call.make: wall time', value: sdk.seconds, unit: 's' },
      { bench: b, metric: 'b24jssdk call.make: 503s', value: sdk.limited, unit: '' },
      { bench: b, metric: 'b24jssdk call.make: delivered / failed', value: sdk.delivered, unit: `/ ${sdk.failed} failed` },
      { bench: b, metric: 'b24jssdk time / ours (batching off)', value: sdk.seconds / off.seconds, unit: '×' },
    ];
  } finally {
    await emu.close();
  }
}
