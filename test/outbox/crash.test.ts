import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OutboxEntry } from '../../src/outbox/outbox.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { emuRig, v2Send, type EmuRig } from '../rest/emu-rig.js';

const CHILD = fileURLToPath(new URL('./fixtures/outbox-child.ts', import.meta.url));
const RATE = { rate: 20, burst: 5 };
const DIALOGUES = 20;
const PER_DIALOGUE = 10;

function startChild(env: Record<string, string>): { child: ChildProcess; lines: string[]; line: (text: string) => Promise<void> } {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: string[] = [];
  const waiters: Array<{ text: string; resolve: () => void }> = [];
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    lines.push(...chunk.split('\n').filter(Boolean));
    for (const w of waiters.filter((x) => lines.includes(x.text))) w.resolve();
  });
  const line = (text: string): Promise<void> => new Promise((resolve, reject) => {
    if (lines.includes(text)) return resolve();
    waiters.push({ text, resolve });
    child.once('exit', (code) => reject(new Error(`child exited (${code}) before printing "${text}"`)));
  });
  return { child, lines, line };
}

describe('outbox survives SIGKILL', function () {
  this.timeout(60_000);
  let rig: EmuRig | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await rig?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('delivers all 200 persisted replies exactly once, in order per dialogue, after a kill and a restart', async () => {
    dir = mkdtempSync(join(tmpdir(), 'botkit-crash-'));
    const file = join(dir, 'botkit.sqlite');
    const store = openSqliteStore({ file });
    rig = await emuRig({ store, emulator: { rateLimit: RATE }, portal: { rateLimit: `${RATE.rate}/${RATE.burst}` } });
    const users = [1, ...Array.from({ length: DIALOGUES - 1 }, (_, i) => rig!.emu.portal.users.add({ name: `U${i}` }))];
    const entries: OutboxEntry[] = [];
    for (let n = 0; n < PER_DIALOGUE; n++) {
      for (const u of users) {
        const key = `crash-${u}-${n}`;
        entries.push({ memberId: rig.memberId, dialogueKey: String(u), method: 'imbot.v2.Chat.Message.send', params: v2Send(rig.botId, String(u), `${u}:${n}`, key), idempotencyKey: key });
      }
    }
    writeFileSync(join(dir, 'replies.json'), JSON.stringify(entries));
    // Each batch answer is slowed, so the kill lands while replies are still pending or in flight.
    rig.emu.faults.add({ method: 'batch', kind: 'slow', delayMs: 40 });
    const env = {
      DB_FILE: file, REPLIES_FILE: join(dir, 'replies.json'), RATE_LIMIT: JSON.stringify(RATE),
      CLIENT_ID: rig.emu.clientId, CLIENT_SECRET: rig.emu.clientSecret, OAUTH_URL: rig.emu.oauthUrl,
    };

    const first = startChild({ ...env, MODE: 'enqueue' });
    await first.line('persisted');
    await rig.emu.portal.waitForMessages(60, undefined, 20_000);
    first.child.kill('SIGKILL');
    await once(first.child, 'exit');
    const beforeRestart = rig.emu.portal.messages().length;
    expect(beforeRestart).to.be.below(200);
    expect(first.lines).not.to.include('done');

    const second = startChild({ ...env, MODE: 'resume' });
    await second.line('done');
    await once(second.child, 'exit');

    const messages = rig.emu.portal.messages();
    expect(messages).to.have.length(200);
    expect(new Set(messages.map((m) => m.idempotencyKey)).size).to.equal(200);
    for (const u of users) {
      expect(rig.emu.portal.messages({ dialogId: String(u) }).map((m) => m.text)).to.deep.equal(Array.from({ length: PER_DIALOGUE }, (_, n) => `${u}:${n}`));
    }
    expect(await store.outboxPending(10, Number.MAX_SAFE_INTEGER)).to.deep.equal([]);
    expect(await store.outboxDeadList(10)).to.deep.equal([]);
    await rig.close();
    rig = undefined;
    await store.close();
  });
});
