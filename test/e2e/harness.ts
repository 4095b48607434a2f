import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { loadConfig, type Config } from '../../src/config.js';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/index.js';
import { createLogger, type Logger } from '../../src/log.js';
import { encodePhpForm } from '../../src/protocol/php-form.js';
import type { AnyBotDefinition } from '../../src/router/bot.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';
import { createBotkit, type Botkit } from '../../src/server.js';

/** A running server + emulator pair over loopback, with a fresh SQLite directory. */
export interface Stack {
  emu: Emulator;
  kit: Botkit;
  url: string;
  dataDir: string;
  config: Config;
  /**
   * Stops the server (not the emulator) and starts a new one on the same data directory. `whileStopped`
   * runs between the two; `duringStart` runs while the new server is starting (not awaited by start).
   */
  restart(hooks?: { whileStopped?: () => Promise<void>; duringStart?: () => Promise<void> }): Promise<void>;
  close(): Promise<void>;
}

/** Options of {@link startStack}. */
export interface StackOptions {
  api?: 'v1' | 'v2';
  /** `oauth`: the emulator installs the app; `webhook`: B24_WEBHOOK_URL of the emulator portal. */
  auth?: 'oauth' | 'webhook';
  eventMode?: 'webhook' | 'fetch';
  env?: Record<string, string>;
  emulator?: EmulatorOptions;
  log?: Logger;
  /** Install the app right away (OAuth). Default true. */
  install?: boolean;
  /** Wraps the SQLite store (fault injection). */
  wrapStore?: (store: Store) => Store;
  /** Bot definitions; default: the modules in `bots/`. */
  bots?: ReadonlyMap<string, AnyBotDefinition>;
}

const quiet = createLogger({ silent: true });

/**
 * Starts the real emulator and the real server (loading `bots/`) on 127.0.0.1, wired to each other.
 *
 * @example
 * const stack = await startStack({ api: 'v2' });
 * await stack.emu.portal.sendMessage({ from: 1, to: 'echo', text: 'hi' });
 */
export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const emu = await startEmulator({ rateLimit: null, ...opts.emulator });
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'botkit-e2e-'));
  const auth = opts.auth ?? 'oauth';
  const env: Record<string, string> = {
    PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, B24_PORTAL_HOSTS: '127.0.0.1:*', B24_BOT_API: opts.api ?? 'v2',
    B24_POLL_INTERVAL_MS: '50',
    ...(auth === 'oauth'
      ? { B24_CLIENT_ID: 'local.emulator.app', B24_CLIENT_SECRET: 'emulator-secret', B24_OAUTH_URL: emu.oauthUrl }
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

/** POSTs a raw body to the server and returns status and parsed JSON body. */
export async function post(url: string, body: string | Buffer, contentType = 'application/x-www-form-urlencoded'): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await request(url, { method: 'POST', body, headers: { 'content-type': contentType } });
  const text = await res.body.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = { raw: text };
  }
  return { status: res.statusCode, body: parsed };
}

/** POSTs an object as a PHP-bracket form body (the platform's wire format). */
export function postForm(url: string, value: Record<string, unknown>): Promise<{ status: number; body: Record<string, unknown> }> {
  return post(url, encodePhpForm(value));
}
