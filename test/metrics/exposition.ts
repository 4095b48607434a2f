/**
 * A strict parser of the Prometheus text exposition format, version 0.0.4
 * (https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format): anything the format
 * does not allow throws, so a test that parses a scrape also checks that Prometheus could read it.
 * Stricter than the format in two points: every family needs a TYPE line (the format would call it
 * untyped; prom-client always writes one), and NaN must be spelled `NaN` (Prometheus's Go parser also
 * takes prom-client's `Nan`). prom-client writes the format but has no parser.
 */

/** One sample line. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A metric family: its TYPE, HELP and samples. */
export interface Family {
  name: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  help: string | null;
  samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

function fail(lineNo: number, line: string, why: string): never {
  throw new Error(`exposition line ${lineNo}: ${why}: ${JSON.stringify(line)}`);
}

function parseValue(text: string, lineNo: number, line: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) fail(lineNo, line, `bad value ${text}`);
  return Number(text);
}

/** Reads `{a="x",b="y"}` from `text` at `start` (the `{`); returns the labels and the index after `}`. */
function parseLabels(text: string, start: number, lineNo: number): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  let i = start + 1;
  while (text[i] !== '}') {
    const eq = text.indexOf('=', i);
    if (eq < 0) fail(lineNo, text, 'label without =');
    const name = text.slice(i, eq);
    if (!LABEL_NAME.test(name)) fail(lineNo, text, `bad label name ${name}`);
    if (Object.hasOwn(labels, name)) fail(lineNo, text, `label ${name} repeated`);
    if (text[eq + 1] !== '"') fail(lineNo, text, 'label value not quoted');
    let value = '';
    let j = eq + 2;
    for (;; j++) {
      const c = text[j];
      if (c === undefined) fail(lineNo, text, 'unterminated label value');
      if (c === '"') break;
      if (c === '\\') {
        const n = text[++j];
        if (n === '\\') value += '\\';
        else if (n === '"') value += '"';
        else if (n === 'n') value += '\n';
        else fail(lineNo, text, `bad escape \\${n ?? ''}`);
      } else if (c === '\n') fail(lineNo, text, 'newline in label value');
      else value += c;
    }
    labels[name] = value;
    i = j + 1;
    if (text[i] === ',') i++;
    else if (text[i] !== '}') fail(lineNo, text, 'expected , or } after a label');
  }
  return { labels, end: i + 1 };
}

/** The family a sample name belongs to: histograms and summaries add suffixes. */
function familyOf(name: string, families: Map<string, Family>): Family | undefined {
  const direct = families.get(name);
  if (direct) return direct;
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (!name.endsWith(suffix)) continue;
    const f = families.get(name.slice(0, -suffix.length));
    if (f && (f.type === 'histogram' || (f.type === 'summary' && suffix !== '_bucket'))) return f;
  }
  return undefined;
}

function checkHistogram(f: Family): void {
  const series = new Map<string, { buckets: Array<[number, number]>; count?: number; sum?: number }>();
  for (const s of f.samples) {
    const { le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    const entry = series.get(key) ?? { buckets: [] };
    series.set(key, entry);
    if (s.name.endsWith('_bucket')) {
      if (le === undefined) throw new Error(`${f.name}: bucket without le`);
      entry.buckets.push([le === '+Inf' ? Infinity : Number(le), s.value]);
    } else if (s.name.endsWith('_count')) entry.count = s.value;
    else if (s.name.endsWith('_sum')) entry.sum = s.value;
    else throw new Error(`${f.name}: sample ${s.name} is not a histogram series`);
  }
  for (const [key, e] of series) {
    const sorted = [...e.buckets].sort((a, b) => a[0] - b[0]);
    sorted.forEach(([, v], i) => {
      if (i > 0 && v < (sorted[i - 1] as [number, number])[1]) throw new Error(`${f.name} ${key}: buckets not cumulative`);
    });
    const inf = sorted.at(-1);
    if (!inf || inf[0] !== Infinity) throw new Error(`${f.name} ${key}: no +Inf bucket`);
    if (e.count !== inf[1]) throw new Error(`${f.name} ${key}: _count ${e.count} != +Inf bucket ${inf[1]}`);
    if (e.sum === undefined) throw new Error(`${f.name} ${key}: no _sum`);
  }
}

/**
 * Parses a scrape. Throws on: a malformed line, a sample before its TYPE or of an undeclared family, a TYPE
 * or HELP given twice or after the family's samples, a family split by another, a series repeated, a
 * counter that is negative, a histogram whose buckets are not cumulative or lack `+Inf`/`_count`/`_sum`.
 */
export function parseExposition(text: string): Map<string, Family> {
  if (text !== '' && !text.endsWith('\n')) throw new Error('exposition does not end with a newline');
  const families = new Map<string, Family>();
  const closed = new Set<string>();
  const seen = new Set<string>();
  const typed = new Set<string>();
  let current: Family | null = null;
  text.split('\n').forEach((line, idx) => {
    const lineNo = idx + 1;
    if (line.trim() === '') return;
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!m) return; // a plain comment
      const [, kind, name = '', rest = ''] = m;
      if (!NAME.test(name)) fail(lineNo, line, `bad metric name ${name}`);
      if (closed.has(name)) fail(lineNo, line, `${name} described after its samples`);
      const f = families.get(name) ?? { name, type: 'untyped' as const, help: null, samples: [] };
      if (current && current !== f) closed.add(current.name);
      current = f;
      families.set(name, f);
      if (kind === 'HELP') {
        if (f.help !== null) fail(lineNo, line, `second HELP for ${name}`);
        f.help = rest.replace(/\\(\\|n)/g, (_s, c: string) => (c === 'n' ? '\n' : '\\'));
      } else {
        if (!TYPES.has(rest)) fail(lineNo, line, `unknown type ${rest}`);
        if (f.samples.length > 0 || typed.has(name)) fail(lineNo, line, `TYPE for ${name} repeated or late`);
        f.type = rest as Family['type'];
        typed.add(name);
      }
      return;
    }
    const brace = line.search(/[{ ]/);
    if (brace <= 0) fail(lineNo, line, 'no value');
    const name = line.slice(0, brace);
    if (!NAME.test(name)) fail(lineNo, line, `bad metric name ${name}`);
    let labels: Record<string, string> = {};
    let rest = line.slice(brace);
    if (line[brace] === '{') {
      const parsed = parseLabels(line, brace, lineNo);
      labels = parsed.labels;
      rest = line.slice(parsed.end);
    }
    const parts = rest.trim().split(/ +/);
    if (!rest.startsWith(' ') || parts.length < 1 || parts.length > 2) fail(lineNo, line, 'expected " value [timestamp]"');
    const value = parseValue(parts[0] ?? '', lineNo, line);
    if (parts[1] !== undefined && !/^-?\d+$/.test(parts[1])) fail(lineNo, line, 'bad timestamp');
    const family = familyOf(name, families);
    if (!family) fail(lineNo, line, `sample of undeclared family ${name}`);
    if (family !== current) fail(lineNo, line, `sample of ${family.name} outside its group`);
    if (family.type === 'counter' && !(value >= 0)) fail(lineNo, line, 'negative or NaN counter');
    const series = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (seen.has(series)) fail(lineNo, line, 'series repeated');
    seen.add(series);
    family.samples.push({ name, labels, value });
  });
  for (const f of families.values()) if (f.type === 'histogram') checkHistogram(f);
  return families;
}

/**
 * The value of the sample `name` whose labels include `labels`, summed over the other labels; 0 when no
 * sample matches (a labelled counter appears only once it moved).
 */
export function valueOf(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number {
  const family = familyOf(name, families);
  if (!family) throw new Error(`no metric family for ${name}`);
  return family.samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}
