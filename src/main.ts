import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadConfig } from './config.js';
import { BotkitError } from './errors.js';
import { createLogger } from './log.js';
import { createBotkit } from './server.js';

// `npm start` entry: .env (when present) → config → server. SIGTERM/SIGINT drain and exit 0.
if (existsSync('.env')) process.loadEnvFile('.env');
// Compiled (`npm run start:prod`, plain node) the example bots are the compiled ones next to this file.
const compiledBots = fileURLToPath(new URL('../bots/', import.meta.url));
if (process.env['BOTS_DIR'] === undefined && import.meta.url.endsWith('.js') && existsSync(compiledBots)) {
  process.env['BOTS_DIR'] = compiledBots;
}

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (e) {
    if (e instanceof BotkitError && e.code === 'CONFIG_INVALID') {
      process.stderr.write(`${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
  const log = createLogger({ level: config.logLevel });
  const kit = await createBotkit({ config, log });
  // Signals are handled from before the server listens: a SIGTERM that arrives while it starts (or just
  // after the "listening" line, which a supervisor may act on at once) drains once started, never kills.
  let started: Promise<unknown> = Promise.resolve();
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { signal });
    started.then(() => kit.stop(10_000)).then(
      () => process.exit(0),
      (e: unknown) => {
        log.error('shutdown failed', { err: e });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  try {
    await (started = kit.start());
  } catch (e) {
    // A taken port is an operator's mistake, not a crash: one log line, exit 1.
    if (e instanceof BotkitError && e.code === 'LISTEN_FAILED') {
      log.error(e.message, { code: e.code });
      process.exit(1);
    }
    throw e;
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
