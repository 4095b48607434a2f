/**
 * `b24-botkit/testing`: run your bots against the portal emulator in your own tests. Loads the emulator
 * (the workspace package `packages/emulator`, compiled into this package under `dist/packages/`);
 * production code never imports this module.
 * @packageDocumentation
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startEmulator, type Emulator, type EmulatorOptions } from '../packages/emulator/src/index.js';
import { loadConfig, type Config } from './config.js';
import { createLogger, type Logger } from './log.js';
import type { AnyBotDefinition } from './router/bot.js';
import { createBotkit, type Botkit } from './server.js';
import { openStore } from './store/index.js';
import type { Store } from './store/types.js';

export type { Emulator, EmulatorOptions, EmulatedPortal, SentMessage } from '../packages/emulator/src/index.js';
export { startEmulator } from '../packages/emulator/src/index.js';

/** A running server + emulator pair over loopback, with a fresh SQLite directory. */
export interface Stack {
  emu: Emulator;
  kit: Botkit;
  url: string;
  dataDir: string;
  config: Config;
  /**
   * Stops the server (not the emulator) and starts a new one on the same data directory and URL.
   * `whileStopped` runs between the two; `duringStart` runs while the new server is starting (not awaited by start).
   */
  restart(hooks?: { whileStopped?: () => Promise<void>; duringStart?: () => Promise<void> }): Promise<void>;
  /** Stops both and removes the data directory. */
  close(): Promise<void>;
}

/** Options of {@link startStack}. */
export interface StackOptions {
  api?: 'v1' | 'v2';
  /** `oauth`: the emulator installs the app; `webhook`: B24_WEBHOOK_URL of the emulator portal. */
  auth?: 'oauth' | 'webhook';
  eventMode?: 'webhook' | 'fetch';
  /** More environment variables for the server (see the README's configuration table). */
  env?: Record<string, string>;
  emulator?: EmulatorOptions;
  log?: Logger;
  /** Install the app right away (OAuth). Default true. */
  install?: boolean;
  /** Wraps the SQLite store (fault injection). */
  wrapStore?: (store: Store) => Store;
  /** Bot definitions, or the directory to load them from. Default: `./bots`. */
  bots?: ReadonlyMap<string, AnyBotDefinition> | string;
}

const quiet = createLogger({ silent: true });

/**
 * Starts the real emulator and the real server (loading your bots) on 127.0.0.1, wired to each other,
 * and installs the app: every bot is registered on the emulated portal.
 *
 * @example
 * import { startStack } from 'b24-botkit/testing';
 * const stack = await startStack();
 * await stack.emu.portal.sendMessage({ from: 1, to: 'echo', text: 'hi' });
 * const [reply] = await stack.emu.portal.waitForMessages(1, { botCode: 'echo' });
 * await stack.close();
 */
export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const emu = await startEmulator({ rateLimit: null, ...opts.emulator });
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'botkit-stack-'));
  const auth = opts.auth ?? 'oauth';
  const env: Record<string, string> = {
    PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, B24_PORTAL_HOSTS: '127.0.0.1:*', B24_BOT_API: opts.api ?? 'v2',
    B24_POLL_INTERVAL_MS: '50',
    ...(auth === 'oauth'
      ? { B24_CLIENT_ID: emu.clientId, B24_CLIENT_SECRET: emu.clientSecret, B24_OAUTH_URL: emu.oauthUrl }
      : { B24_WEBHOOK_URL: emu.portal.createWebhook({ userId: 1 }) }),
    ...(opts.eventMode ? { B24_EVENT_MODE: opts.eventMode } : {}),
    ...opts.env,
  };
  const config = loadConfig(env);
  const log = opts.log ?? quiet;
  const make = (c: Config): Promise<Botkit> => {
    const store = openStore({ dataDir });
    return createBotkit({ config: c, log, store: opts.wrapStore ? opts.wrapStore(store) : store, ...(opts.bots ? { bots: opts.bots } : {}) });
  };
  const stack: Stack = {
    emu, dataDir, config,
    kit: await make(config),
    url: '',
    async restart(hooks = {}) {
      await stack.kit.stop(2000);
      await hooks.whileStopped?.();
      // Same port and public URL: the portal keeps sending events to the registered handler URL.
      const port = new URL(stack.url).port;
      stack.kit = await make(loadConfig({ ...env, PORT: port, PUBLIC_URL: stack.url }));
      const starting = stack.kit.start();
      await hooks.duringStart?.();
      stack.url = await starting;
    },
    async close() {
      await stack.kit.stop(2000);
      await emu.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  stack.url = await stack.kit.start();
  if (auth === 'oauth' && opts.install !== false) {
    const answer = await emu.portal.install(`${stack.url}/install`);
    if (answer.status !== 200) throw new Error(`install failed: ${answer.status} ${JSON.stringify(answer.body)}`);
  }
  return stack;
}
