import { GATEWAY_TITLES, GATEWAYS } from '../gateways/gatewayNames.js';
import { chartDocument, plotBox, xAxis, yAxis, type LegendItem } from './frame.js';
import type { GatewayResultFile, GatewayScenarioFile } from './resultFiles.js';
import * as svg from './svg.js';

/** Scenario 1 (one hot page query) and every page in turn: the scenarios every gateway runs. */
export type GatewayScenarioKind = 'page' | 'pages';

interface Series {
  scenario: GatewayScenarioFile;
  name: string;
  style: number;
  points: Array<{ percentile: number; ms: number }>;
}

const styleOf = (gateway: string) => {
  const index = (GATEWAYS as readonly string[]).indexOf(gateway);
  return index >= 0 ? index : GATEWAYS.length;
};
const titleOf = (gateway: string) => (GATEWAY_TITLES as Record<string, string>)[gateway] ?? gateway;
const percentileLabel = (p: number) => (p === 100 ? 'max' : `p${p}`);
/** "page of 20 × 5 comments via Hive Gateway" → "page of 20 × 5 comments". */
const headingOf = (scenario: GatewayScenarioFile) => scenario.title.replace(/ via .*$/, '');

/** Every percentile kept, or only p50/p95/p99 from a result written before distributions were. */
function pointsOf(scenario: GatewayScenarioFile): Series['points'] {
  if (scenario.distributionMs?.length) return scenario.distributionMs;
  return ([50, 95, 99] as const).flatMap((p) => {
    const ms = scenario.summary[`p${p}`];
    return ms == null ? [] : [{ percentile: p, ms }];
  });
}

function seriesOf(result: GatewayResultFile, kind: GatewayScenarioKind): Series[] {
  return result.scenarios
    .flatMap((scenario) => {
      const [prefix, gateway, ...rest] = scenario.id.split(':');
      if (prefix !== kind || !gateway || rest.length > 0) return [];
      return [{ scenario, name: titleOf(gateway), style: styleOf(gateway), points: pointsOf(scenario) }];
    })
    .sort((a, b) => a.style - b.style);
}

function machineLine(result: GatewayResultFile): string {
  const m = result.machine;
  const load = result.loadAverage?.before[0];
  return [m?.cores && `${m.cores} cores`, m?.cpu, load !== undefined && `load average ${load} at start`]
    .filter(Boolean)
    .join(', ');
}

function curve(series: Series, x: (p: number) => number, y: (ms: number) => number): string {
  const { color, dash } = svg.SERIES_STYLES[series.style % svg.SERIES_STYLES.length]!;
  const points = series.points.map((point) => `${svg.fixed(x(point.percentile))},${svg.fixed(y(point.ms))}`).join(' ');
  const dots = series.points
    .map((point) =>
      svg.element(
        'circle',
        { cx: svg.fixed(x(point.percentile)), cy: svg.fixed(y(point.ms)), r: 3.5, fill: color },
        svg.tooltip(`${series.name}, ${percentileLabel(point.percentile)}: ${svg.formatMs(point.ms)}`),
      ),
    )
    .join('');
  const line = svg.element('polyline', {
    points,
    fill: 'none',
    stroke: color,
    'stroke-width': 2.5,
    'stroke-dasharray': dash,
  });
  return svg.element('g', {}, svg.tooltip(series.scenario.title) + line + dots);
}

/**
 * Latency at each kept percentile, one line per gateway, for one scenario kind; y on a log
 * scale so the median and the tail both show. Null when the result has no such scenario.
 */
export function latencyChart(result: GatewayResultFile, kind: GatewayScenarioKind, source: string): string | null {
  const every = seriesOf(result, kind);
  const series = every.filter((s) => s.points.length > 0);
  if (series.length === 0) return null;
  const box = plotBox(300);
  const percentiles = [...new Set(series.flatMap((s) => s.points.map((p) => p.percentile)))].sort((a, b) => a - b);
  const column = box.width / percentiles.length;
  const x = (p: number) => box.left + (percentiles.indexOf(p) + 0.5) * column;
  const { domain, ticks } = svg.logDomain(series.flatMap((s) => s.points.map((p) => p.ms)));
  const y = svg.logScale(domain, [box.top + box.height, box.top]);
  const complete = series.every((s) => s.scenario.distributionMs?.length);
  const connections = series[0]!.scenario.connections;
  const plot =
    yAxis(box, y, ticks, svg.formatMs) +
    xAxis(
      box,
      percentiles.map((p) => ({ x: x(p), text: percentileLabel(p) })),
    ) +
    series.map((s) => curve(s, x, y)).join('');
  const legend: LegendItem[] = every.map((s) => ({
    label: s.points.length > 0 ? s.name : `${s.name}: no successful response`,
    style: s.style,
    shape: 'line',
  }));
  const described = series.map(
    (s) => `${s.name}: ${s.points.map((p) => `${percentileLabel(p.percentile)} ${svg.formatMs(p.ms)}`).join(', ')}`,
  );
  return chartDocument(
    `gateways-latency-${kind}`,
    {
      title: `Latency by percentile: ${headingOf(series[0]!.scenario)}`,
      subtitle: [
        connections && `${connections} connections`,
        complete ? 'every response timed' : 'only p50, p95 and p99 were kept in this result',
        'lower is better',
      ]
        .filter(Boolean)
        .join('; '),
      description: `Latency in milliseconds at each percentile, per gateway. ${described.join('. ')}.`,
      footnote: `${source} (${result.date}); ${machineLine(result)}`,
    },
    box,
    plot,
    { x: 'percentile of responses', y: 'latency (log scale)' },
    legend,
  );
}

/** Requests per second of each gateway, side by side, for scenario 1 and for distinct pages. Null when neither ran. */
export function throughputChart(result: GatewayResultFile, source: string): string | null {
  const groups = (['page', 'pages'] as const)
    .map((kind) => ({ kind, series: seriesOf(result, kind) }))
    .filter((group) => group.series.length > 0);
  if (groups.length === 0) return null;
  const box = plotBox(280);
  const all = groups.flatMap((group) => group.series);
  const { domain, ticks } = svg.linearDomain(Math.max(...all.map((s) => s.scenario.summary.rps)));
  const y = svg.linearScale(domain, [box.top + box.height, box.top]);
  const groupWidth = box.width / groups.length;
  const bars = groups.flatMap((group, g) => {
    const barWidth = Math.min(56, (groupWidth * 0.8) / group.series.length);
    const start = box.left + g * groupWidth + (groupWidth - barWidth * group.series.length) / 2;
    return group.series.map((s, i) => {
      const rps = s.scenario.summary.rps;
      const [left, top] = [start + i * barWidth, y(rps)];
      const { color } = svg.SERIES_STYLES[s.style % svg.SERIES_STYLES.length]!;
      const bar = svg.element(
        'rect',
        {
          x: svg.fixed(left + 2),
          y: svg.fixed(top),
          width: svg.fixed(barWidth - 4),
          height: svg.fixed(y(0) - top),
          fill: color,
        },
        svg.tooltip(`${s.scenario.title}: ${svg.formatCount(rps)} requests/s`),
      );
      return (
        bar +
        svg.label(left + barWidth / 2, top - 4, svg.formatCount(rps), { 'text-anchor': 'middle', 'font-size': 11 })
      );
    });
  });
  const labels = groups.map((group, g) => ({
    x: box.left + (g + 0.5) * groupWidth,
    text: headingOf(group.series[0]!.scenario),
  }));
  const legendNames = new Map(all.map((s) => [s.style, s.name]));
  const legend: LegendItem[] = [...legendNames].map(([style, name]) => ({ label: name, style, shape: 'box' }));
  const described = groups.map(
    (group) =>
      `${headingOf(group.series[0]!.scenario)}: ${group.series.map((s) => `${s.name} ${svg.formatCount(s.scenario.summary.rps)}`).join(', ')}`,
  );
  return chartDocument(
    'gateways-throughput',
    {
      title: 'Throughput per gateway',
      subtitle: `Successful requests per second over the measured seconds; higher is better`,
      description: `Requests per second per gateway and scenario. ${described.join('. ')}.`,
      footnote: `${source} (${result.date}); ${machineLine(result)}`,
    },
    box,
    yAxis(box, y, ticks, svg.formatCount) + bars.join('') + xAxis(box, labels),
    { x: 'scenario', y: 'requests/s' },
    legend,
  );
}
