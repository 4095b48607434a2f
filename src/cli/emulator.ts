import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { startEmulator } from '../emulator/index.js';
import { BotkitError } from '../errors.js';
import { REPL_HELP, runReplCommand } from '../emulator/repl.js';
import { createLogger, type LogLevel } from '../log.js';

// `npm run emulator`: a local Bitrix24 portal for development. Its credentials are fake and local,
// so the ready line prints them on purpose (the redacting logger would mask them).
const port = Number(process.env['EMULATOR_PORT'] ?? 3100);
const log = createLogger({ level: (process.env['LOG_LEVEL'] as LogLevel | undefined) ?? 'info' });
const emu = await startEmulator({ port, log, https: process.argv.includes('--https') }).catch((e: unknown) => {
  // A taken port: one log line and exit 1, not a stack trace.
  log.error(e instanceof Error ? e.message : String(e), { code: e instanceof BotkitError ? e.code : undefined });
  process.exit(1);
});
const webhookUrl = emu.portal.createWebhook({ userId: 1 });
// In https mode the self-signed certificate goes to a file for NODE_EXTRA_CA_CERTS.
const caFile = emu.caCert ? path.join(mkdtempSync(path.join(tmpdir(), 'b24-emulator-')), 'ca.pem') : null;
if (caFile && emu.caCert) writeFileSync(caFile, emu.caCert);

process.stdout.write(`${JSON.stringify({
  level: 30, time: Date.now(), msg: 'emulator ready', page: `${emu.url}/`, oauthUrl: emu.oauthUrl,
  clientEndpoint: emu.portal.clientEndpoint, webhookUrl, clientId: emu.clientId, clientSecret: emu.clientSecret,
  memberId: emu.portal.memberId, applicationToken: emu.portal.applicationToken, ...(caFile ? { caFile } : {}),
})}\n`);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await emu.close();
  process.exit(0);
}
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());

if (process.stdin.isTTY) {
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout, prompt: 'emulator> ' });
  process.stdout.write(`${REPL_HELP}\n`);
  rl.prompt();
  rl.on('line', (line) => {
    if (line.trim() === 'quit') return void stop();
    void runReplCommand(emu, line).then((out) => {
      if (out) process.stdout.write(`${out}\n`);
      rl.prompt();
    });
  });
  rl.on('close', () => void stop());
}
