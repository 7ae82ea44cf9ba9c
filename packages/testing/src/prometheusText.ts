import { spawnSync } from 'node:child_process';

/** One sample line: `name{label="value",…} value`. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A metric family: its `# TYPE` and `# HELP`, and its samples (a histogram's `_bucket`, `_sum`, `_count`). */
export interface MetricFamily {
  name: string;
  type: string;
  help: string;
  samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const SUFFIXES: Record<string, string[]> = { histogram: ['_bucket', '_sum', '_count'], summary: ['_sum', '_count'] };

/** As Prometheus reads a value (Go's ParseFloat): NaN and Inf in any case (prom-client writes `Nan`). */
function parseValue(text: string, line: string): number {
  const lower = text.toLowerCase();
  if (lower === '+inf' || lower === 'inf') return Infinity;
  if (lower === '-inf') return -Infinity;
  if (lower === 'nan') return NaN;
  const value = Number(text);
  if (text === '' || Number.isNaN(value)) throw new Error(`not a number: ${line}`);
  return value;
}

/** `{a="1",b="x\"y"}` from `start` (the brace) to its closing brace: the labels and where they end. */
function parseLabels(line: string, start: number): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  let index = start + 1;
  while (line[index] !== '}') {
    const equals = line.indexOf('=', index);
    const name = line.slice(index, equals);
    if (equals < 0 || !LABEL_NAME.test(name) || line[equals + 1] !== '"') throw new Error(`bad label: ${line}`);
    let value = '';
    for (index = equals + 2; line[index] !== '"'; index += 1) {
      if (index >= line.length) throw new Error(`unterminated label value: ${line}`);
      if (line[index] === '\\') {
        index += 1;
        value += line[index] === 'n' ? '\n' : line[index];
      } else value += line[index];
    }
    if (name in labels) throw new Error(`label ${name} twice: ${line}`);
    labels[name] = value;
    index += 1;
    if (line[index] === ',') index += 1;
    else if (line[index] !== '}') throw new Error(`bad label list: ${line}`);
  }
  return { labels, end: index + 1 };
}

function parseSample(line: string): Sample {
  const brace = line.indexOf('{');
  const space = line.indexOf(' ');
  const nameEnd = brace >= 0 && (space < 0 || brace < space) ? brace : space;
  const name = line.slice(0, nameEnd);
  if (!NAME.test(name)) throw new Error(`bad metric name: ${line}`);
  const { labels, end } = nameEnd === brace ? parseLabels(line, brace) : { labels: {}, end: nameEnd };
  const rest = line.slice(end).trim().split(/\s+/);
  if (rest.length < 1 || rest.length > 2) throw new Error(`bad sample: ${line}`);
  return { name, labels, value: parseValue(rest[0]!, line) };
}

function familyOf(families: Map<string, MetricFamily>, sample: Sample): MetricFamily {
  for (const family of families.values()) {
    const names = (SUFFIXES[family.type] ?? ['']).map((suffix) => family.name + suffix);
    if (names.includes(sample.name)) return family;
  }
  throw new Error(`sample ${sample.name} has no # TYPE before it`);
}

function checkHistogram(family: MetricFamily): void {
  const series = new Map<string, Sample[]>();
  for (const sample of family.samples.filter((one) => one.name.endsWith('_bucket'))) {
    const { le, ...rest } = sample.labels;
    if (le === undefined) throw new Error(`${family.name}: a bucket without le`);
    const key = JSON.stringify(Object.entries(rest).sort());
    series.set(key, [...(series.get(key) ?? []), sample]);
  }
  for (const [key, buckets] of series) {
    const counts = buckets.map((bucket) => bucket.value);
    if (counts.some((count, index) => index > 0 && count < counts[index - 1]!)) {
      throw new Error(`${family.name}${key}: bucket counts fall`);
    }
    const count = family.samples.find(
      (sample) =>
        sample.name === `${family.name}_count` && JSON.stringify(Object.entries(sample.labels).sort()) === key,
    );
    if (buckets.at(-1)?.labels.le !== '+Inf' || count?.value !== buckets.at(-1)?.value) {
      throw new Error(`${family.name}${key}: the +Inf bucket is missing or differs from _count`);
    }
  }
}

/**
 * A strict reader of the Prometheus text exposition format (0.0.4), for tests: every sample
 * belongs to a family declared by `# TYPE` (with a `# HELP`), names and labels are valid, no
 * family or series appears twice, and each histogram's buckets rise to a `+Inf` equal to its
 * `_count`. Throws naming the first line that breaks a rule.
 */
export function parsePrometheusText(text: string): Map<string, MetricFamily> {
  const families = new Map<string, MetricFamily>();
  const seen = new Set<string>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const comment = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
    if (comment) {
      const [, kind, name, rest] = comment as unknown as [string, string, string, string];
      const family = families.get(name) ?? { name, type: '', help: '', samples: [] };
      if (family.samples.length > 0) throw new Error(`${kind} after samples: ${line}`);
      if (kind === 'TYPE') {
        if (!TYPES.has(rest) || family.type) throw new Error(`bad or repeated TYPE: ${line}`);
        family.type = rest;
      } else family.help = rest;
      families.set(name, family);
      continue;
    }
    if (line.startsWith('#')) continue;
    const sample = parseSample(line);
    const key = `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort())}`;
    if (seen.has(key)) throw new Error(`series twice: ${line}`);
    seen.add(key);
    familyOf(families, sample).samples.push(sample);
  }
  for (const family of families.values()) {
    if (!family.type || !family.help) throw new Error(`${family.name} lacks # TYPE or # HELP`);
    if (family.type === 'histogram') checkHistogram(family);
  }
  return families;
}

/** The value of the one sample with this name and (at least) these labels; undefined when there is none. */
export function sampleValue(
  families: Map<string, MetricFamily>,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const matches = [...families.values()]
    .flatMap((family) => family.samples)
    .filter(
      (sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
    );
  if (matches.length > 1) throw new Error(`${matches.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return matches[0]?.value;
}

/**
 * What `promtool check metrics` (Prometheus's own linter: names, units, `_total` on counters)
 * finds wrong in an exposition, Node's default `nodejs_*` metrics aside. Where promtool is
 * not installed (`apt-get install prometheus`) it finds nothing, except in CI, where that throws.
 */
export function promtoolMetricProblems(text: string): string[] {
  const run = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if ((run.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    if (process.env.CI) throw new Error('promtool is missing: apt-get install prometheus');
    return [];
  }
  return `${run.stdout}${run.stderr}`
    .trim()
    .split('\n')
    .filter((line) => line && !line.startsWith('nodejs_'));
}
