/**
 * Child process of the files benchmark: the real server and the real emulator in this process, a bot that
 * downloads a generated file through `ctx.download` and hashes it. Prints one JSON line: bytes read, time,
 * RSS before and at the peak (sampled every 5 ms while the download runs). argv: <MB> <stream|buffer>.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startEmulator } from '@b24-botkit/emulator';
import { createBotkit, createLogger, defineBot, loadConfig } from '../../src/index.js';

const mb = Number(process.argv[2] ?? '200');
const mode = process.argv[3] === 'buffer' ? 'buffer' : 'stream';
const size = mb * 1024 * 1024;
const log = createLogger({ silent: true });

const bot = defineBot({ code: 'dl', properties: { name: 'Downloader' } }).text(null, async (ctx) => {
  const [file] = ctx.event.message.files;
  if (!file) return;
  const dl = await ctx.download(file, { maxBytes: 1024 * 1024 * 1024 });
  const hash = createHash('sha256');
  const kept: Buffer[] = [];
  let n = 0;
  for await (const chunk of dl.stream) {
    n += (chunk as Buffer).length;
    hash.update(chunk as Buffer);
    if (mode === 'buffer') kept.push(chunk as Buffer);
  }
  const whole = mode === 'buffer' ? Buffer.concat(kept).length : n;
  await ctx.reply(`${whole} ${hash.digest('hex').slice(0, 12)}`);
});

const emu = await startEmulator({ rateLimit: null, log });
emu.portal.files.limits.maxFileBytes = 2 * size;
const dataDir = await mkdtemp(path.join(os.tmpdir(), 'botkit-bench-files-'));
const kit = await createBotkit({
  log, bots: new Map([['dl', bot]]),
  config: loadConfig({
    PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, B24_PORTAL_HOSTS: '127.0.0.1:*', B24_CLIENT_ID: 'local.emulator.app',
    B24_CLIENT_SECRET: 'emulator-secret', B24_OAUTH_URL: emu.oauthUrl,
  }),
});
const url = await kit.start();
await emu.portal.install(`${url}/install`);

async function roundTrip(bytes: number, n: number): Promise<string> {
  await emu.portal.sendMessage({ from: 1, to: 'dl', text: '', files: [{ name: 'big.bin', size: bytes }] });
  const all = await emu.portal.waitForMessages(n, { botCode: 'dl' }, 600_000);
  return all[n - 1]?.text ?? '';
}

await roundTrip(4 * 1024 * 1024, 1); // warm-up: connections, JIT, lazily loaded modules
(globalThis as { gc?: () => void }).gc?.();
const before = process.memoryUsage().rss;
let peak = before;
const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 5);
const t0 = performance.now();
const answer = await roundTrip(size, 2);
const seconds = (performance.now() - t0) / 1000;
clearInterval(sampler);
peak = Math.max(peak, process.memoryUsage().rss);
await kit.stop(2000);
await emu.close();
await rm(dataDir, { recursive: true, force: true });
const toMb = (b: number): number => Math.round(b / 1024 / 1024);
console.log(JSON.stringify({ bytes: Number(answer.split(' ')[0]), seconds, beforeMb: toMb(before), peakMb: toMb(peak), growthMb: toMb(peak - before) }));
