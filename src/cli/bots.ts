import { existsSync } from 'node:fs';
import { loadConfig } from '../config.js';
import { adminState } from '../http/admin.js';
import { createLogger } from '../log.js';
import { protocolFor } from '../router/runtime.js';
import { createBotkit, type Botkit } from '../server.js';

// `npm run bots -- <command>`: shows and re-syncs registrations from the command line, on the same
// data directory and configuration as the server (.env is read when present).
const USAGE = `usage: npm run bots -- <command>
  list                          portals, registered bots and commands (JSON)
  sync [memberId]               register missing bots and commands (all portals by default)
  unregister <memberId> <code>  unregister a bot on a portal and forget it`;

async function unregister(kit: Botkit, memberId: string, code: string): Promise<unknown> {
  const bot = (await kit.store.listBots(memberId)).find((b) => b.code === code);
  if (!bot) throw new Error(`no bot ${code} registered on ${memberId}`);
  const call = protocolFor(bot.api).unregisterBot({ botId: bot.botId, botToken: bot.botToken });
  const result = await kit.client.call(memberId, call.method, call.params);
  await kit.store.deleteBot(memberId, code);
  return { unregistered: code, botId: bot.botId, result };
}

async function run(kit: Botkit, [command, ...args]: string[]): Promise<unknown> {
  switch (command) {
    case 'list':
      return adminState(kit.store, [...kit.bots.keys()]);
    case 'sync': {
      const ids = args[0] ? [args[0]] : (await kit.store.listPortals()).map((p) => p.memberId);
      return Promise.all(ids.map(async (id) => ({ memberId: id, ...(await kit.syncPortal(id)) })));
    }
    case 'unregister':
      if (!args[0] || !args[1]) throw new Error(USAGE);
      return unregister(kit, args[0], args[1]);
    default:
      throw new Error(USAGE);
  }
}

async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const config = loadConfig(process.env);
  const kit = await createBotkit({ config, log: createLogger({ level: 'warn', stream: process.stderr }) });
  try {
    process.stdout.write(`${JSON.stringify(await run(kit, process.argv.slice(2)), null, 2)}\n`);
  } finally {
    await kit.stop(5000);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
