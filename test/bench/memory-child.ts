/**
 * Memory benchmark worker: N webhook portals each send one reply through one client, then the
 * process idles. Prints one JSON line with lanes, live timers (every Timeout, unref'd ones too,
 * counted with async_hooks; undici's connection timers apart), heap and RSS at the peak and after
 * the idle time (after a GC).
 * Args: <echo url> <portals> <idle seconds> <bucket kind>.
 */
import { createHook } from 'node:async_hooks';
import { Agent } from 'undici';
import { parseHostPatterns } from '../../src/http/host-allowlist.js';
import { createLogger } from '../../src/log.js';
import { createRestClient } from '../../src/rest/client.js';
import type { BucketKind } from '../../src/rest/limiter.js';
import { createMemoryStore } from '../../src/store/memory.js';

const [url = '', portalsArg = '10000', idleArg = '60', kind = 'token'] = process.argv.slice(2);
// Every Timeout object, unref'd ones included. undici's per-connection parser timers (at most one
// per keep-alive socket, 32 here) are counted apart: they scale with connections, not portals.
const UNDICI_TIMERS = new Set(['onParserTimeout', 'onTick']);
const live = new Map<number, boolean>();
createHook({
  init: (id, type, _trigger, resource) => {
    if (type !== 'Timeout') return;
    const name = (resource as { _onTimeout?: { name?: string } })._onTimeout?.name ?? '';
    live.set(id, UNDICI_TIMERS.has(name));
  },
  destroy: (id) => void live.delete(id),
}).enable();

const gc = (globalThis as { gc?: () => void }).gc;
const mb = (n: number): number => Math.round((n / 1048576) * 10) / 10;
function snapshot(lanes: number): Record<string, number> {
  gc?.();
  const m = process.memoryUsage();
  const undici = [...live.values()].filter(Boolean).length;
  return { lanes, timers: live.size - undici, undiciTimers: undici, heapMb: mb(m.heapUsed), rssMb: mb(m.rss) };
}

const portals = Number(portalsArg);
const store = createMemoryStore();
for (let i = 0; i < portals; i++) {
  await store.savePortal({
    memberId: `p${i}`, domain: '127.0.0.1', clientEndpoint: `${url}/rest/${i}/code/`, authMode: 'webhook', applicationToken: null,
    accessToken: null, refreshToken: null, expiresAt: null, status: 'active', rateLimit: null, installedAt: 1, updatedAt: 1,
  });
}
const agent = new Agent({ connections: 32 });
const client = createRestClient({
  store, oauth: null, rateLimit: { rate: 2, burst: 50 }, portalHosts: parseHostPatterns('127.0.0.1:*'),
  log: createLogger({ silent: true }), dispatcher: agent, limiter: kind as BucketKind,
});
const before = snapshot(0);
const t0 = performance.now();
for (let i = 0; i < portals; i += 1000) {
  const chunk = Array.from({ length: Math.min(1000, portals - i) }, (_, j) =>
    client.call(`p${i + j}`, 'imbot.v2.Chat.Message.send', { botId: 1, botToken: 't', dialogId: '1', fields: { message: 'hi' } }));
  await Promise.all(chunk);
}
const sendSeconds = (performance.now() - t0) / 1000;
const peak = snapshot(client.activeLanes());
const cpu0 = process.cpuUsage();
await new Promise((r) => setTimeout(r, Number(idleArg) * 1000));
const idleCpu = process.cpuUsage(cpu0);
const idle = snapshot(client.activeLanes());
process.stdout.write(`${JSON.stringify({ before, peak, idle, sendSeconds, idleCpuPct: ((idleCpu.user + idleCpu.system) / 1e4) / Number(idleArg) })}\n`);
await client.close();
await agent.close();
