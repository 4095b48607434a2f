import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The repository root (tests run from it). */
export const ROOT = process.cwd();

/** The emulator's static files, which `npm run build` copies next to its compiled modules. */
export const EMULATOR_ASSETS = 'packages/emulator/src/ui/assets';

/** A compiled copy of the package in a temp directory, and its `npm pack` tarball. */
export interface BuiltPackage {
  /** Holds package.json, README.md and dist/ (dist/bots too: the compiled example bots). */
  dir: string;
  tarball: string;
  /** Milliseconds the build and the pack took. */
  timings: { buildMs: number; packMs: number };
  /** Releases the copy; it is deleted when the test process exits (the next test file may still use it). */
  remove(): Promise<void>;
}

let built: Promise<BuiltPackage> | null = null;

async function buildOnce(): Promise<BuiltPackage> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'botkit-pkg-'));
  const dir = path.join(tmp, 'pkg');
  await mkdir(dir);
  for (const f of ['package.json', 'README.md', '.env.example']) await cp(path.join(ROOT, f), path.join(dir, f));
  let t = Date.now();
  // The same compiler and config as `npm run build`, into the copy (the worktree's dist/ is left alone).
  await run(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', path.join(ROOT, 'tsconfig.build.json'), '--outDir', path.join(dir, 'dist')]);
  // ... and the emulator's chat page assets, as the build script copies them.
  await cp(path.join(ROOT, EMULATOR_ASSETS), path.join(dir, 'dist', EMULATOR_ASSETS), { recursive: true });
  const buildMs = Date.now() - t;
  t = Date.now();
  // prepack would build again: the copy is built already.
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', tmp], { cwd: dir });
  const packMs = Date.now() - t;
  // So that `node dist/src/main.js` runs inside the copy as it does in the repository.
  await symlink(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  // Several test files share the copy, each with its own after() hook: it goes when the test process ends.
  process.once('exit', () => rmSync(tmp, { recursive: true, force: true }));
  return {
    dir, tarball: path.join(tmp, stdout.trim().split('\n').pop() ?? ''), timings: { buildMs, packMs },
    remove: async () => undefined,
  };
}

/** Builds and packs once per test process (several test files share it). */
export function builtPackage(): Promise<BuiltPackage> {
  built ??= buildOnce();
  return built;
}

/** The production dependency closure of the package, as top-level `node_modules/<name>` paths. */
export async function productionDependencies(): Promise<string[]> {
  const seen = new Set<string>();
  const pkgOf = async (name: string): Promise<Record<string, Record<string, string> | undefined>> =>
    JSON.parse(await readFile(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
  const queue = Object.keys((JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies);
  while (queue.length > 0) {
    const name = queue.pop() as string;
    if (seen.has(name)) continue;
    let pkg;
    try {
      pkg = await pkgOf(name);
    } catch {
      continue; // an optional dependency not installed on this platform, or a nested one that travels with its parent
    }
    seen.add(name);
    queue.push(...Object.keys(pkg['dependencies'] ?? {}), ...Object.keys(pkg['optionalDependencies'] ?? {}));
  }
  return [...seen].sort().map((n) => path.join('node_modules', n));
}
