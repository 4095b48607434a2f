import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { expect } from 'chai';
import { request } from 'undici';

describe('npm run chat', () => {
  it('starts emulator and server, installs the app, prints the page URL, removes its temporary data on SIGTERM', async function () {
    this.timeout(30_000);
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/chat.ts', '--port', '0', '--no-open', '--json'], {
      env: { ...process.env, PORT: '0', LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    let out = '';
    let dataDir = '';
    try {
      const page = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (c: Buffer) => {
          out += String(c);
          const m = /Chat with your bots: (\S+)/.exec(out);
          if (m) resolve(m[1] ?? '');
        });
        child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
      });
      expect(page).to.match(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const ready = out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((l) => l['msg'] === 'chat ready');
      expect(ready).to.include({ install: 200, temporary: true });
      dataDir = String(ready?.['data']);
      expect(existsSync(dataDir)).to.equal(true);
      const res = await request(`${page}ui/api/state`);
      const state = await res.body.json() as { bots: Array<{ code: string }>; chats: Array<{ title: string; kind: string }> };
      expect(state.bots.map((b) => b.code)).to.include.members(['echo', 'helpdesk', 'poll']);
      expect(state.chats.filter((c) => c.kind === 'group').map((c) => c.title)).to.deep.equal(['Team']);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).to.equal(0);
    expect(existsSync(dataDir)).to.equal(false);
  });
});
