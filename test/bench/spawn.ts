import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Runs a TypeScript file of this folder in a child process (through tsx). */
export function spawnTs(file: string, args: string[] = [], env: Record<string, string> = {}): ChildProcess {
  const path = fileURLToPath(new URL(file, import.meta.url));
  return spawn(process.execPath, ['--import', 'tsx', ...(env['NODE_FLAGS'] ? env['NODE_FLAGS'].split(' ') : []), path, ...args], {
    env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
}

/** Resolves with the first line the child prints. */
export function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    child.stdout?.setEncoding('utf8').on('data', (c: string) => {
      buf += c;
      const i = buf.indexOf('\n');
      if (i >= 0) resolve(buf.slice(0, i));
    });
    child.once('exit', (code) => reject(new Error(`child exited with ${code} before printing`)));
  });
}

/** Resolves with everything the child prints, once it exits with code 0. */
export function allOutput(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    child.stdout?.setEncoding('utf8').on('data', (c: string) => (buf += c));
    child.once('exit', (code) => (code === 0 ? resolve(buf) : reject(new Error(`child exited with ${code}`))));
  });
}

/** Starts the echo server in its own process; resolves with its base URL and a stop function. */
export async function startEchoServer(): Promise<{ url: string; stop: () => void }> {
  const child = spawnTs('./echo-server.ts');
  const port = await firstLine(child);
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill() };
}
