import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lagChart } from '../src/charts/eventCharts.js';
import { stagesChart } from '../src/charts/eventStagesChart.js';
import { latencyChart, throughputChart } from '../src/charts/gatewayCharts.js';
import { renderCharts } from '../src/charts/renderCharts.js';
import { eventResultFile, gatewayResultFile } from '../src/charts/resultFiles.js';
import { GATEWAYS } from '../src/gateways/gatewayNames.js';
import { xmlProblems } from './xmlProblems.js';

const LEGEND_NAMES = [
  'Potluck&apos;s gateway',
  'stock Apollo Gateway',
  'Hive Gateway',
  'Hive Gateway with the Rust query planner',
];
const distribution = (p50: number) =>
  [1, 5, 10, 25, 50, 75, 90, 95, 97.5, 99, 99.9, 100].map((percentile) => ({
    percentile,
    ms: (p50 * percentile) / 50,
  }));

function gatewayResult(options: { distributions?: boolean; pageTitle?: string } = {}) {
  const scenario = (kind: 'page' | 'pages', gateway: string, rps: number) => ({
    id: `${kind}:${gateway}`,
    title: `${kind === 'page' ? (options.pageTitle ?? 'page of 20') : 'every page in turn'} via ${gateway}`,
    gateway,
    connections: 50,
    summary: { rps, p50: 1000 / rps, p95: 2000 / rps, p99: 3000 / rps, errors: 0 },
    ...(options.distributions !== false && { distributionMs: distribution(1000 / rps) }),
  });
  return gatewayResultFile.parse({
    benchmark: 'gateways',
    date: '2026-12-02T09:00:00.000Z',
    machine: { cpu: 'AMD EPYC', cores: 2 },
    scenarios: [
      ...GATEWAYS.map((gateway, i) => scenario('page', gateway, 100 * (i + 1))),
      ...GATEWAYS.map((gateway, i) => scenario('pages', gateway, 10 * (i + 1))),
      { id: 'floor', title: 'floor', gateway: null, summary: { rps: 5, p50: 1, p95: 2, p99: 3 } },
    ],
  });
}

const OLD_EVENTS = {
  benchmark: 'events',
  date: '2026-11-29T07:32:24.936Z',
  machine: 'linux x64, 2 cores',
  latency: { commitToVisibleMs: { p50: 10, p95: 111, p99: 162 }, requestToVisibleMs: { p50: 17, p95: 257, p99: 498 } },
  stages: {
    events: 3000,
    mutationToRelayMs: { p50: 6, p95: 67, p99: 104 },
    relayToConsumerMs: { p50: 5, p95: 39, p99: 64 },
  },
};
const NEW_EVENTS = {
  ...OLD_EVENTS,
  latency: {
    ...OLD_EVENTS.latency,
    histogramsMs: {
      commitToVisible: {
        bucketsPerDecade: 4,
        buckets: [
          { upToMs: 10, count: 40 },
          { upToMs: 17.8, count: 20 },
        ],
      },
      requestToVisible: { bucketsPerDecade: 4, buckets: [{ upToMs: 17.8, count: 60 }] },
    },
  },
  stages: {
    ...OLD_EVENTS.stages,
    percentilesMs: { mutationToRelay: distribution(6), relayToConsumer: distribution(5) },
    slowestPercent: { events: 30, fromMs: 170, mutationToRelayMs: 150, relayToConsumerMs: 40 },
  },
};

const texts = (svg: string) => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((match) => match[1]);
const barHeights = (svg: string) =>
  [...svg.matchAll(/<rect [^>]*height="([\d.]+)"[^>]*><title>([^<]*)<\/title>/g)].map((m) => ({
    title: m[2] ?? '',
    height: Number(m[1]),
  }));

describe('gateway charts', () => {
  it('draw one curve per gateway, each named in the legend, as well-formed SVG', () => {
    for (const kind of ['page', 'pages'] as const) {
      const svg = latencyChart(gatewayResult(), kind, 'gateways-x.json')!;
      expect(xmlProblems(svg)).toEqual([]);
      expect(texts(svg)).toEqual(expect.arrayContaining(LEGEND_NAMES));
      expect(svg.match(/<polyline /g)).toHaveLength(GATEWAYS.length);
      expect(texts(svg)).toEqual(expect.arrayContaining(['p1', 'p99.9', 'max']));
      expect(svg).toMatch(/^<svg [^>]*role="img"[^>]*><title id="[^"]+">Latency by percentile/);
    }
  });

  it('scale the throughput bars to requests per second', () => {
    const svg = throughputChart(gatewayResult(), 'gateways-x.json')!;
    expect(xmlProblems(svg)).toEqual([]);
    expect(texts(svg)).toEqual(expect.arrayContaining(LEGEND_NAMES));
    const heights = barHeights(svg);
    expect(heights).toHaveLength(2 * GATEWAYS.length);
    const height = (title: string) => heights.find((bar) => bar.title.startsWith(title))!.height;
    expect(height('page of 20 via hive-router') / height('page of 20 via potluck')).toBeCloseTo(4, 1);
    expect(height('page of 20 via potluck') / height('every page in turn via potluck')).toBeCloseTo(10, 1);
  });

  it('escape a hostile scenario title wherever it is printed', () => {
    const hostile = '</text><script>alert("x")</script> & <!-- \' page';
    const result = gatewayResult({ pageTitle: hostile });
    for (const svg of [latencyChart(result, 'page', 'a<b>.json')!, throughputChart(result, 'a<b>.json')!]) {
      expect(xmlProblems(svg)).toEqual([]);
      expect(svg).not.toContain('<script');
      expect(svg).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;!-- &apos; page');
    }
  });

  it('draw what an older result has: p50, p95 and p99 only, and skip a scenario it lacks', () => {
    const old = gatewayResult({ distributions: false });
    const svg = latencyChart(old, 'page', 'gateways-old.json')!;
    expect(xmlProblems(svg)).toEqual([]);
    expect(texts(svg)).toEqual(expect.arrayContaining(['p50', 'p95', 'p99']));
    expect(texts(svg)).not.toContain('max');
    expect(svg).toContain('only p50, p95 and p99 were kept');
    const pagesMissing = { ...old, scenarios: old.scenarios.filter((s) => !s.id.startsWith('pages:')) };
    expect(latencyChart(pagesMissing, 'pages', 'x.json')).toBeNull();
    expect(barHeights(throughputChart(pagesMissing, 'x.json')!)).toHaveLength(GATEWAYS.length);
  });
  it('name a gateway with no successful response in the legend, without a curve', () => {
    const result = gatewayResult();
    const silent = result.scenarios.find((s) => s.id === 'page:apollo')!;
    Object.assign(silent, { summary: { rps: 0, p50: null, p95: null, p99: null }, distributionMs: [] });
    const svg = latencyChart(result, 'page', 'gateways-x.json')!;
    expect(xmlProblems(svg)).toEqual([]);
    expect(svg.match(/<polyline /g)).toHaveLength(GATEWAYS.length - 1);
    expect(texts(svg)).toContain('stock Apollo Gateway: no successful response');
  });
});

describe('event charts', () => {
  it('draw the lag histogram with p50 and p99 marked', () => {
    const svg = lagChart(eventResultFile.parse(NEW_EVENTS), 'events-x.json');
    expect(xmlProblems(svg)).toEqual([]);
    expect(barHeights(svg)).toHaveLength(3);
    expect(texts(svg)).toEqual(expect.arrayContaining(['p50 10 ms', 'p99 162 ms', 'p50 17 ms', 'p99 498 ms']));
    expect(svg).not.toContain('no histogram');
  });

  it('stack the stages at each percentile and for the slowest 1%', () => {
    const svg = stagesChart(eventResultFile.parse(NEW_EVENTS), 'events-x.json')!;
    expect(xmlProblems(svg)).toEqual([]);
    expect(texts(svg)).toEqual(expect.arrayContaining(['p50', 'p99', 'p99.9', 'max', 'slowest 1%, mean', '= 190 ms']));
  });

  it('draw an older result without histogram, kept percentiles or tail', () => {
    const old = eventResultFile.parse(OLD_EVENTS);
    const lag = lagChart(old, 'events-old.json');
    expect(xmlProblems(lag)).toEqual([]);
    expect(lag).toContain('no histogram in this result');
    expect(barHeights(lag)).toHaveLength(0);
    const stages = stagesChart(old, 'events-old.json')!;
    expect(texts(stages)).toEqual(expect.arrayContaining(['p50', 'p95', 'p99', '= 168 ms']));
    expect(texts(stages)).not.toContain('max');
    expect(stagesChart(eventResultFile.parse({ ...OLD_EVENTS, stages: undefined }), 'x.json')).toBeNull();
  });
});

describe('renderCharts', () => {
  it('draws every committed gateway and event result, however old (the first events run has no stages)', () => {
    const dir = path.join(import.meta.dirname, '..', 'results');
    const files = readdirSync(dir).filter((name) => /^(gateways|events)-.*\.json$/.test(name));
    expect(files.length).toBeGreaterThan(0);
    for (const name of files) {
      const { charts } = renderCharts(JSON.parse(readFileSync(path.join(dir, name), 'utf8')), name);
      const drawn = charts.flatMap((chart) => (chart.svg === null ? [] : [chart]));
      expect(drawn.length, name).toBeGreaterThanOrEqual(charts.length - 1);
      for (const chart of drawn) expect(xmlProblems(chart.svg!), `${name} ${chart.name}`).toEqual([]);
    }
  });

  it('refuses a benchmark it has no charts for', () => {
    expect(() => renderCharts({ benchmark: 'replicas' }, 'x.json')).toThrow(/no charts/);
  });
});
