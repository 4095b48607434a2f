// A server process for the intake benchmark: `bare` (express 5 + urlencoded parser + 200) or `botkit`
// (the real intake: parse, authenticate, decode, persist in SQLite, 200, then dispatch).
import express from 'express';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { createBotkit } from '../../src/server.js';
import { openStore } from '../../src/store/index.js';
import { BENCH_PORTAL } from './intake-body.js';

async function bare(): Promise<string> {
  const app = express();
  app.post('/events', express.urlencoded({ extended: true, limit: '256kb' }), (_req, res) => {
    res.sendStatus(200);
  });
  return new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(s.address() as { port: number }).port}`));
  });
}

async function botkit(): Promise<string> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'botkit-bench-'));
  const store = openStore({ dataDir });
  const now = Date.now();
  await store.savePortal({
    memberId: BENCH_PORTAL.memberId, domain: BENCH_PORTAL.domain, clientEndpoint: `https://${BENCH_PORTAL.domain}/rest/`,
    authMode: 'oauth', applicationToken: BENCH_PORTAL.applicationToken, accessToken: 'a', refreshToken: 'r',
    expiresAt: now + 3_600_000, status: 'active', rateLimit: null, installedAt: now, updatedAt: now,
  });
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'error' });
  const kit = await createBotkit({ config, store, log: createLogger({ level: 'error' }), bots: new Map() });
  return kit.start();
}

const url = process.argv[2] === 'bare' ? await bare() : await botkit();
process.stdout.write(`READY ${url}\n`);
process.on('SIGINT', () => process.exit(0));
