/**
 * `npm run bench [-- --quick]`: runs every benchmark module in order and prints one table of
 * results (ratios where the issue sets a target). A module exports
 * `run(): Promise<BenchResult[]>`; add new ones to MODULES. `--only <name>` runs one module,
 * `--strict` exits 1 when a target is missed.
 */
import { printTable, quick, type BenchResult } from './result.js';

const MODULES: Record<string, () => Promise<{ run: () => Promise<BenchResult[]> }>> = {
  delivery: () => import('./delivery.bench.js'),
  overhead: () => import('./overhead.bench.js'),
  memory: () => import('./memory.bench.js'),
  intake: () => import('./intake.bench.js'),
  'json-flood': () => import('./json-flood.bench.js'),
  'install-flood': () => import('./install-flood.bench.js'),
  files: () => import('./files.bench.js'),
  'cluster-bucket': () => import('./cluster-bucket.bench.js'),
  dispatch: () => import('./dispatch.bench.js'),
  core: () => import('./core.bench.js'),
  metrics: () => import('./metrics.bench.js'),
  cluster: () => import('./cluster.bench.js'),
};

const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
const all: BenchResult[] = [];
const started = performance.now();
for (const [name, load] of Object.entries(MODULES)) {
  if (only && only !== name) continue;
  const t0 = performance.now();
  console.log(`\n# ${name}${quick() ? ' (quick)' : ''}`);
  const results = await (await load()).run();
  printTable(results);
  console.log(`(${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  all.push(...results);
}
const missed = all.filter((r) => r.ok === false);
console.log(`\n${all.length} results, ${missed.length} targets missed, ${((performance.now() - started) / 1000).toFixed(0)} s in all`);
for (const m of missed) console.log(`  MISS ${m.bench}: ${m.metric} = ${m.value} ${m.unit} (target ${m.target})`);
if (process.argv.includes('--strict') && missed.length > 0) process.exitCode = 1;
