import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import PinoPretty from 'pino-pretty';
import { BotkitError } from '../errors.js';
import { createLogger, type Logger, type LogLevel } from '../log.js';
import { startChatStack } from './chat-stack.js';

// `npm run chat` (and `npm run demo`): the emulator and the bot server in one process, wired together
// and installed, so a newcomer can chat with the bots in `bots/` offline in a browser.

const HELP = `npm run chat [-- options]
  --data <dir>      keep the server's data in <dir> (default: a fresh temporary directory, removed on exit)
  --port <n>        emulator port (default EMULATOR_PORT or 3100); the server uses PORT (default 3000)
  --https           serve the emulator over https with a self-signed certificate (its CA file is printed)
  --no-open         do not open a browser
  --json            log JSON lines instead of pretty ones`;

interface ChatArgs {
  data: string | undefined;
  port: number;
  https: boolean;
  open: boolean;
  json: boolean;
}

function readArgs(argv: string[]): ChatArgs | null {
  const { values } = parseArgs({
    args: argv, strict: true,
    options: {
      data: { type: 'string' }, port: { type: 'string' }, https: { type: 'boolean' }, 'no-open': { type: 'boolean' },
      json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return null;
  return {
    data: values.data, port: Number(values.port ?? process.env['EMULATOR_PORT'] ?? 3100), https: values.https ?? false,
    open: !(values['no-open'] ?? false) && process.env['CI'] === undefined, json: values.json ?? false,
  };
}

function makeLogger(json: boolean): ReturnType<typeof createLogger> {
  const level = (process.env['LOG_LEVEL'] as LogLevel | undefined) ?? 'info';
  if (json) return createLogger({ level });
  return createLogger({ level, stream: PinoPretty({ colorize: process.stdout.isTTY, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' }) });
}

/** Opens `url` in the desktop's browser when there is one; silently does nothing otherwise. */
function openBrowser(url: string): void {
  const graphical = process.platform === 'darwin' || process.platform === 'win32' || Boolean(process.env['DISPLAY'] ?? process.env['WAYLAND_DISPLAY']);
  if (!graphical) return;
  const [cmd, args] = process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '', url]] : ['xdg-open', [url]];
  const child = spawn(cmd, args, { detached: true, stdio: 'ignore' });
  child.on('error', () => undefined);
  child.unref();
}

async function main(): Promise<void> {
  const args = readArgs(process.argv.slice(2));
  if (!args) return void process.stdout.write(`${HELP}\n`);
  const log = makeLogger(args.json);
  const dataDir = args.data ?? mkdtempSync(path.join(tmpdir(), 'b24-chat-'));
  const stack = await startChatStack({ dataDir, log, emulatorPort: args.port, https: args.https }).catch((e: unknown) => {
    if (!(e instanceof BotkitError && e.code === 'LISTEN_FAILED')) throw e;
    log.error(e.message, { code: e.code }); // a taken port: one line, exit 1
    if (!args.data) rmSync(dataDir, { recursive: true, force: true });
    process.exit(1);
  });
  let caFile: string | null = null;
  if (stack.emu.caCert) {
    caFile = path.join(dataDir, 'emulator-ca.pem');
    writeFileSync(caFile, stack.emu.caCert);
  }
  const { page } = stack;
  log.info('chat ready', { page, server: stack.server, data: dataDir, temporary: !args.data, install: stack.installStatus });
  process.stdout.write(`\n  Chat with your bots: ${page}\n${caFile ? `  Emulator CA (for NODE_EXTRA_CA_CERTS): ${caFile}\n` : ''}\n`);
  if (args.open) openBrowser(page);
  const stop = async (): Promise<void> => {
    await stack.stop();
    if (!args.data) rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
