/**
 * Counters and histograms for the hot path. prom-client's own hash the labels object on every `inc` and
 * `observe` (about a microsecond each, measured); these keep one plain record per label set, found through
 * nested Maps by the label values, so a count is a property write. They register in a prom-client Registry
 * like its own metrics: the Registry reads them through `get()` and renders the text.
 */
import type { Metric, Registry } from 'prom-client';

type Labels = Record<string, string | number>;

interface Value {
  labels: Labels;
  value: number;
  metricName?: string;
}

/** What a Registry reads from a metric (prom-client's `MetricObjectWithValues`). */
interface Snapshot {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  values: Value[];
  aggregator: 'sum';
}

/** The label sets of one metric (at most two labels), each with its record, reached by their values. */
class Series<T> {
  readonly #names: readonly string[];
  readonly #make: () => T;
  readonly #root = new Map<string, Map<string, T>>();
  readonly all: Array<{ labels: Labels; data: T }> = [];

  constructor(names: readonly string[], make: () => T) {
    if (names.length > 2) throw new RangeError('a fast metric has at most two labels');
    this.#names = names;
    this.#make = make;
  }

  /** The record of these label values (one per label name, in order), created at first use. */
  get(a = '', b = ''): T {
    let inner = this.#root.get(a);
    if (inner === undefined) {
      inner = new Map();
      this.#root.set(a, inner);
    }
    let data = inner.get(b);
    if (data === undefined) {
      data = this.#make();
      inner.set(b, data);
      const values = [a, b];
      this.all.push({ labels: Object.fromEntries(this.#names.map((n, i) => [n, values[i] as string])), data });
    }
    return data;
  }

  clear(): void {
    this.#root.clear();
    this.all.length = 0;
  }
}

abstract class FastMetric<T> {
  readonly name: string;
  readonly help: string;
  protected readonly series: Series<T>;

  constructor(registry: Registry, name: string, help: string, labelNames: readonly string[], make: () => T) {
    this.name = name;
    this.help = help;
    this.series = new Series(labelNames, make);
    // The Registry renders any metric object through get(); these are not prom-client classes.
    registry.registerMetric(this as unknown as Metric);
  }

  abstract get(): Promise<Snapshot>;

  /** Forgets every label set (`Registry.resetMetrics()`). */
  reset(): void {
    this.series.clear();
  }
}

/** A counter: `child(values).n++` counts. */
export class FastCounter extends FastMetric<{ n: number }> {
  constructor(registry: Registry, name: string, help: string, labelNames: readonly string[] = []) {
    super(registry, name, help, labelNames, () => ({ n: 0 }));
  }

  /** The record of one label set (its values in label order); increment its `n`. */
  child(a?: string, b?: string): { n: number } {
    return this.series.get(a, b);
  }

  async get(): Promise<Snapshot> {
    return { name: this.name, help: this.help, type: 'counter', aggregator: 'sum', values: this.series.all.map((s) => ({ labels: s.labels, value: s.data.n })) };
  }
}

/** One label set of a {@link FastHistogram}. */
export class HistogramChild {
  readonly #bounds: readonly number[];
  /** Per bucket, observations at most its bound and above the previous one (the last: above every bound). */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(bounds: readonly number[]) {
    this.#bounds = bounds;
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(v: number): void {
    const b = this.#bounds;
    let i = 0;
    while (i < b.length && v > (b[i] as number)) i++;
    (this.counts[i] as number)++;
    this.sum += v;
    this.count++;
  }
}

/** A histogram with fixed upper bounds (`le`), cumulative in the text like every Prometheus histogram. */
export class FastHistogram extends FastMetric<HistogramChild> {
  readonly #bounds: readonly number[];

  constructor(registry: Registry, name: string, help: string, bounds: readonly number[], labelNames: readonly string[] = []) {
    super(registry, name, help, labelNames, () => new HistogramChild(bounds));
    this.#bounds = bounds;
  }

  /** The record of one label set (its values in label order); call its `observe`. */
  child(a?: string, b?: string): HistogramChild {
    return this.series.get(a, b);
  }

  async get(): Promise<Snapshot> {
    const values: Value[] = [];
    for (const { labels, data } of this.series.all) {
      let cumulative = 0;
      this.#bounds.forEach((le, i) => {
        cumulative += data.counts[i] as number;
        values.push({ labels: { le, ...labels }, value: cumulative, metricName: `${this.name}_bucket` });
      });
      values.push({ labels: { le: '+Inf', ...labels }, value: data.count, metricName: `${this.name}_bucket` });
      values.push({ labels, value: data.sum, metricName: `${this.name}_sum` });
      values.push({ labels, value: data.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: 'histogram', aggregator: 'sum', values };
  }
}
