#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { loadConfig } from '../config.js';
import { BotkitError } from '../errors.js';
import { createLogger } from '../log.js';
import { createBotkit } from '../server.js';
import { COMMANDS, type CliCommand, type CliResult } from './commands.js';

// The package's command line (`npx b24-botkit <command>`, `npm run bots -- <command>` in this repository).
// Same .env / environment and data directory as the server. Exit codes: 0 done, 1 something failed
// (a doctor check, a sync step, an unknown bot), 2 usage or configuration error.

const USAGE = `usage: b24-botkit <command> [--json]
  start                          run the server (like npm start; compiled, no tsx)
${Object.entries(COMMANDS).map(([name, c]) => `  ${`${name} ${c.args}`.padEnd(31)}${c.summary}`).join('\n')}
  --json                         machine-readable output on stdout (every command)`;

/** Exit code for a usage or configuration error. */
const EXIT_USAGE = 2;

function fail(message: string, code: number, json: boolean): never {
  if (json) process.stdout.write(`${JSON.stringify({ ok: false, error: message })}\n`);
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

async function runCommand(command: CliCommand, args: string[], json: boolean): Promise<CliResult> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const flags = new Set(process.argv.filter((a) => a.startsWith('--')));
  if ('standalone' in command) return command.standalone({ env: process.env, args, flags, json });
  const config = loadConfig(process.env);
  const kit = await createBotkit({ config, log: createLogger({ level: 'warn', stream: process.stderr }) });
  try {
    return await command.run({ kit, config, args, flags, json });
  } finally {
    await kit.stop(5000);
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const json = argv.includes('--json');
  const [name, ...args] = argv.filter((a) => !a.startsWith('--'));
  if (name === 'start') {
    await import('../main.js');
    return;
  }
  const command = name === undefined ? undefined : COMMANDS[name];
  if (!command) fail(USAGE, EXIT_USAGE, json);
  let result: CliResult;
  try {
    result = await runCommand(command, args, json);
  } catch (e) {
    if (e instanceof BotkitError && (e.code === 'CONFIG_INVALID' || e.code === 'CLI_USAGE')) fail(e.message, EXIT_USAGE, json);
    throw e;
  }
  process.stdout.write(json ? `${JSON.stringify(result.data, null, 2)}\n` : `${result.text}\n`);
  process.exitCode = result.ok ? 0 : 1;
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
