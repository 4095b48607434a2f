import path from 'node:path';
import { loadConfig } from '../config.js';
import { startEmulator } from '../emulator/index.js';
import { createLogger } from '../log.js';
import { createBotkit } from '../server.js';

// `npm run demo`: the emulator and the server in one process, wired together and installed, so a
// newcomer can chat with the bots in `bots/` offline. Data goes to ./data/demo.
async function main(): Promise<void> {
  const emuPort = Number(process.env['EMULATOR_PORT'] ?? 3100);
  const log = createLogger({ level: (process.env['LOG_LEVEL'] as 'info' | undefined) ?? 'info' });
  const emu = await startEmulator({ port: emuPort, log: log.child({ component: 'emulator' }) });
  const config = loadConfig({
    ...process.env,
    HOST: '127.0.0.1',
    B24_CLIENT_ID: 'local.emulator.app',
    B24_CLIENT_SECRET: 'emulator-secret',
    B24_OAUTH_URL: emu.oauthUrl,
    B24_PORTAL_HOSTS: '127.0.0.1:*',
    B24_WEBHOOK_URL: '',
    B24_EVENT_MODE: 'webhook',
    PUBLIC_URL: '',
    DATA_DIR: process.env['DATA_DIR'] ?? path.join('data', 'demo'),
  });
  const kit = await createBotkit({ config, log });
  const url = await kit.start();
  const install = await emu.portal.install(`${url}/install`);
  log.info(`demo ready: open ${emu.url}/ to chat with the bots as user 1 (install answered ${install.status})`, {
    server: url, emulator: emu.url,
  });
  const stop = async (): Promise<void> => {
    await kit.stop(5000);
    await emu.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
