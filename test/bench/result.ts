/** One measured number of a benchmark, with the target it is judged against. */
export interface BenchResult {
  bench: string;
  metric: string;
  value: number;
  unit: string;
  /** Human-readable target, e.g. `≤ 1.1`. */
  target?: string;
  /** Whether the value meets the target; undefined when there is none (informational). */
  ok?: boolean;
}

/** True when the bench runs with `--quick` (smaller workloads, shorter idle waits). */
export function quick(): boolean {
  return process.argv.includes('--quick') || process.env['BENCH_QUICK'] === '1';
}

/** Rounds for display. */
export function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** Prints results as an aligned table. */
export function printTable(results: BenchResult[]): void {
  const rows = results.map((r) => [r.bench, r.metric, `${round(r.value, 3)} ${r.unit}`.trim(), r.target ?? '', r.ok === undefined ? '' : r.ok ? 'ok' : 'MISS']);
  const head = ['bench', 'metric', 'value', 'target', ''];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}
