import { Agent } from 'undici';
import { loadConfig } from '../config.js';
import { startEmulator, type Emulator } from '../emulator/index.js';
import type { Logger } from '../log.js';
import { createBotkit, type Botkit } from '../server.js';

/** What {@link startChatStack} needs. */
export interface ChatStackOptions {
  dataDir: string;
  log: Logger;
  /** Emulator port (0 = any free one). */
  emulatorPort: number;
  /** Server port; default `PORT` from the environment, else 3000. */
  serverPort?: number;
  https?: boolean;
}

/** The emulator and the server of `npm run chat`, installed and seeded. */
export interface ChatStack {
  emu: Emulator;
  kit: Botkit;
  /** The chat page. */
  page: string;
  /** The server's base URL. */
  server: string;
  installStatus: number;
  stop(): Promise<void>;
}

/** Two more people and a group chat with every bot, so the page has something to show at once. */
async function seed(emu: Emulator, log: Logger): Promise<void> {
  const anna = emu.portal.users.add({ name: 'Anna Lee', workPosition: 'Support lead' });
  const peter = emu.portal.users.add({ name: 'Peter Brown', workPosition: 'Developer' });
  const team = emu.portal.createChat({ title: 'Team', userIds: [1, anna, peter], ownerId: 1 });
  for (const bot of emu.portal.bots()) {
    await emu.portal.addBotToChat(bot.code, team, 1).catch((e: unknown) => log.warn('could not add a bot to the group', { bot: bot.code, err: e }));
  }
}

/**
 * Starts the emulator and the server with the bots in `bots/`, wired together: installs the app on the
 * emulated portal (which registers the bots), then adds two people and a group "Team" with every bot.
 */
export async function startChatStack(opts: ChatStackOptions): Promise<ChatStack> {
  const emu = await startEmulator({ port: opts.emulatorPort, https: opts.https ?? false, log: opts.log });
  const config = loadConfig({
    ...process.env, HOST: '127.0.0.1', B24_CLIENT_ID: emu.clientId, B24_CLIENT_SECRET: emu.clientSecret,
    B24_OAUTH_URL: emu.oauthUrl, B24_PORTAL_HOSTS: '127.0.0.1:*', B24_WEBHOOK_URL: '', B24_EVENT_MODE: 'webhook',
    PUBLIC_URL: '', DATA_DIR: opts.dataDir, ...(opts.serverPort !== undefined ? { PORT: String(opts.serverPort) } : {}),
  });
  // In https mode the server in this process trusts the emulator's certificate through its own agent.
  const dispatcher = emu.caCert ? new Agent({ connect: { ca: emu.caCert } }) : undefined;
  const kit = await createBotkit({ config, log: opts.log, ...(dispatcher ? { dispatcher } : {}) });
  const server = await kit.start();
  const install = await emu.portal.install(`${server}/install`);
  await seed(emu, opts.log);
  return {
    emu, kit, page: `${emu.url}/`, server, installStatus: install.status,
    stop: async () => {
      await kit.stop(5000);
      await emu.close();
      await dispatcher?.close();
    },
  };
}
