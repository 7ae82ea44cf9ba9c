import { readRepoFile } from './stackFiles.js';

/**
 * A recorded scrape of each service's `/metrics` (docker/test/scrape/, see its README), and the
 * same series replayed as `promtool test rules` input: what the dashboard's queries are run over.
 */

export const SCRAPE_DIR = 'docker/test/scrape';
export const SCRAPED_SERVICES = ['gateway', 'recipes', 'comments'] as const;

export interface ScrapedSample {
  name: string;
  /** The labels as the exposition writes them, braces excluded (`a="1",b="2"`), or ''. */
  labels: string;
  value: number;
  /** The TYPE of the sample's family: counter, gauge, histogram, summary or untyped. */
  type: string;
}

const SAMPLE = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$/;

/** The family a sample belongs to: its own name, or the histogram or summary it is a series of. */
function familyType(name: string, types: Map<string, string>): string {
  const family = name.replace(/_(bucket|sum|count)$/, '');
  return types.get(name) ?? types.get(family) ?? 'untyped';
}

/** Parses Prometheus's text exposition format (what prom-client serves). */
export function parseExposition(text: string): ScrapedSample[] {
  const types = new Map<string, string>();
  const samples: ScrapedSample[] = [];
  for (const line of text.split('\n')) {
    const declared = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (declared) types.set(declared[1]!, declared[2]!);
    if (line.startsWith('#') || line.trim() === '') continue;
    const sample = SAMPLE.exec(line);
    if (!sample) throw new Error(`not a sample: ${line}`);
    const [, name, labels = '', value] = sample;
    samples.push({ name: name!, labels, value: Number(value), type: familyType(name!, types) });
  }
  return samples;
}

export function recordedScrape(service: string): ScrapedSample[] {
  return parseExposition(readRepoFile(`${SCRAPE_DIR}/${service}.prom`));
}

/** A number in promtool's series notation, which has no exponent form. */
function decimal(value: number): string {
  return Math.abs(value) >= 1e-6 || value === 0 ? String(value) : value.toFixed(15).replace(/0+$/, '');
}

export interface InputSeries {
  series: string;
  values: string;
}

/**
 * The scrape replayed over `steps` scrape intervals, under the labels Prometheus adds
 * (`job`, `instance`): counters, histograms and a summary's sum and count grow evenly from 0 to
 * the recorded value, as if the traffic had been steady; gauges hold their value. With the
 * target's `up`.
 */
export function replayed(samples: ScrapedSample[], target: { job: string; instance: string }, steps: number) {
  const targetLabels = `job="${target.job}",instance="${target.instance}"`;
  const series: InputSeries[] = [{ series: `up{${targetLabels}}`, values: `1x${steps}` }];
  for (const { name, labels, value, type } of samples) {
    if (!Number.isFinite(value)) continue;
    const cumulative =
      type === 'counter' || type === 'histogram' || (type === 'summary' && !labels.includes('quantile='));
    const values = cumulative && value !== 0 ? `0+${decimal(value / steps)}x${steps}` : `${decimal(value)}x${steps}`;
    series.push({ series: `${name}{${[targetLabels, labels].filter(Boolean).join(',')}}`, values });
  }
  return series;
}
