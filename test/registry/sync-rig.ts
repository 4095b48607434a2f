/**
 * The registration-sync rig: a real server and a real emulator on loopback (`startStack`), a bots map the
 * tests change between deploys, and the emulator's request log read as "what crossed the wire".
 */
import type { RestRequestLog } from '@b24-botkit/emulator';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { defineBot, type AnyBotDefinition, type BotOptions } from '../../src/router/bot.js';
import { createBotkit, webhookMemberId, type Botkit } from '../../src/server.js';
import { openStore } from '../../src/store/index.js';
import { startStack, type Stack, type StackOptions } from '../e2e/harness.js';

/** The bots of a deploy, by code. */
export type Bots = Map<string, AnyBotDefinition>;

/** Two bots: `greeter` (two commands, titles in two languages) and `helper`. */
export function baseOptions(): BotOptions[] {
  return [
    {
      code: 'greeter', properties: { name: 'Greeter', workPosition: 'Says hello' },
      commands: [
        { name: 'hello', title: { en: 'Say hello', de: 'Hallo sagen' }, params: { en: 'name', de: 'Name' } },
        { name: 'bye', title: 'Say bye' },
      ],
    },
    { code: 'helper', properties: { name: 'Helper' }, commands: [{ name: 'help', title: 'Help' }] },
  ];
}

/** A bots map from options. */
export function botsOf(options: readonly BotOptions[]): Bots {
  return new Map(options.map((o) => [o.code, defineBot(o)]));
}

/** Replaces the content of `bots` (the map a stack's server reloads on restart). */
export function redeclare(bots: Bots, options: readonly BotOptions[]): void {
  bots.clear();
  for (const [code, def] of botsOf(options)) bots.set(code, def);
}

/** The methods of a log entry: a `batch` stands for its commands (`"method?query"`), or itself when unreadable. */
function methodsOf(r: RestRequestLog): string[] {
  if (r.method !== 'batch') return [r.method];
  try {
    const cmd = (JSON.parse(r.params ?? '') as { cmd?: Record<string, string> | string[] }).cmd ?? {};
    return Object.values(cmd).map((c) => c.split('?')[0] ?? c);
  } catch {
    return ['batch'];
  }
}

/** Methods that change something on the portal: every `imbot.*` call but the listings and reads (batches opened). */
export function mutating(entries: readonly RestRequestLog[]): string[] {
  return entries.flatMap(methodsOf).filter((m) => m === 'batch' || (/^imbot\./.test(m) && !/\.(list|get)$/.test(m)));
}

/** A started stack whose server serves `bots`, and the portal's member id. */
export interface SyncStack {
  stack: Stack;
  bots: Bots;
  memberId: string;
  /** Requests the emulator logged since `mark()`. */
  since(mark: number): RestRequestLog[];
  mark(): number;
  /** A second server on the same data directory and public URL, not started, serving `options` (a new deploy). */
  deploy(options: readonly BotOptions[]): Promise<Botkit>;
  /** Stops the deploys, the server and the emulator. */
  close(): Promise<void>;
}

const quiet = createLogger({ silent: true });

/** Starts the stack with the base bots (installed for OAuth; synced at start for webhook auth). */
export async function startSyncStack(opts: StackOptions = {}, options: readonly BotOptions[] = baseOptions()): Promise<SyncStack> {
  const bots = botsOf(options);
  const stack = await startStack({ ...opts, bots });
  const memberId = opts.auth === 'webhook' ? webhookMemberId(stack.config.webhookUrl ?? '') : stack.emu.portal.memberId;
  const kits: Botkit[] = [];
  return {
    stack, bots, memberId,
    mark: () => stack.emu.portal.requests().length,
    since: (mark) => stack.emu.portal.requests().slice(mark),
    async deploy(next) {
      const config = loadConfig({ ...envOf(stack), PUBLIC_URL: stack.url });
      const kit = await createBotkit({ config, log: quiet, store: openStore({ dataDir: stack.dataDir }), bots: botsOf(next) });
      kits.push(kit);
      return kit;
    },
    async close() {
      for (const kit of kits) await kit.stop(2000);
      await stack.close();
    },
  };
}

/** The server environment of a stack (as `startStack` built it), for a second server on its data. */
function envOf(stack: Stack): Record<string, string> {
  const c = stack.config;
  return {
    HOST: '127.0.0.1', PORT: '0', DATA_DIR: stack.dataDir, B24_PORTAL_HOSTS: '127.0.0.1:*', B24_BOT_API: c.botApi, B24_EVENT_MODE: c.eventMode,
    ...(c.webhookUrl ? { B24_WEBHOOK_URL: c.webhookUrl } : { B24_CLIENT_ID: c.clientId ?? '', B24_CLIENT_SECRET: c.clientSecret ?? '', B24_OAUTH_URL: c.oauthUrl }),
  };
}
