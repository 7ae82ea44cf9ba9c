import { chartDocument, plotBox, xAxis, yAxis, type LegendItem } from './frame.js';
import type { EventResultFile, HistogramFile, Percentiles } from './resultFiles.js';
import * as svg from './svg.js';

interface Panel {
  name: string;
  percentiles: Percentiles;
  histogram?: HistogramFile;
}

const MARKERS = [
  { key: 'p50', style: 1 },
  { key: 'p99', style: 3 },
] as const;
const PANEL_HEIGHT = 150;
const PANEL_GAP = 44;

const lowerBound = (histogram: HistogramFile, upToMs: number) => upToMs / 10 ** (1 / histogram.bucketsPerDecade);

function histogramBars(panel: Panel, box: svg.Box, x: svg.Scale): string {
  const histogram = panel.histogram!;
  const { domain, ticks } = svg.linearDomain(Math.max(...histogram.buckets.map((bucket) => bucket.count)));
  const y = svg.linearScale(domain, [box.top + box.height, box.top]);
  const bars = histogram.buckets.map((bucket) => {
    const [left, right] = [x(lowerBound(histogram, bucket.upToMs)), x(bucket.upToMs)];
    const range = `${svg.formatMs(lowerBound(histogram, bucket.upToMs))}–${svg.formatMs(bucket.upToMs)}`;
    return svg.element(
      'rect',
      {
        x: svg.fixed(left),
        y: svg.fixed(y(bucket.count)),
        width: svg.fixed(Math.max(1, right - left - 1)),
        height: svg.fixed(y(0) - y(bucket.count)),
        fill: svg.SERIES_STYLES[0].color,
      },
      svg.tooltip(`${panel.name}, ${range}: ${svg.formatCount(bucket.count)} events`),
    );
  });
  return yAxis(box, y, ticks, svg.formatCount) + bars.join('');
}

function markers(panel: Panel, box: svg.Box, x: svg.Scale): string {
  return MARKERS.map(({ key, style }, row) => {
    const ms = panel.percentiles[key];
    if (ms == null) return '';
    const { color, dash } = svg.SERIES_STYLES[style]!;
    const at = svg.fixed(x(Math.max(ms, 0.01)));
    const line = svg.element('line', {
      x1: at,
      y1: box.top,
      x2: at,
      y2: box.top + box.height,
      stroke: color,
      'stroke-width': 2,
      'stroke-dasharray': dash,
    });
    return svg.element(
      'g',
      {},
      line + svg.label(at + 4, box.top + 12 + row * 14, `${key} ${svg.formatMs(ms)}`, { fill: color }),
    );
  }).join('');
}

function panelMarkup(panel: Panel, box: svg.Box, x: svg.Scale, ticks: number[]): string {
  const body = panel.histogram?.buckets.length
    ? histogramBars(panel, box, x)
    : svg.label(box.left + box.width / 2, box.top + box.height / 2, 'no histogram in this result: percentiles only', {
        'text-anchor': 'middle',
        fill: '#666666',
      });
  return (
    svg.label(box.left, box.top - 8, panel.name, { 'font-weight': 'bold' }) +
    body +
    markers(panel, box, x) +
    xAxis(
      box,
      ticks.map((tick) => ({ x: x(tick), text: svg.formatMs(tick) })),
    )
  );
}

function panelsOf(result: EventResultFile): Panel[] {
  const { latency } = result;
  return [
    {
      name: 'mutation committed → row visible in the other service',
      percentiles: latency.commitToVisibleMs,
      ...(latency.histogramsMs && { histogram: latency.histogramsMs.commitToVisible }),
    },
    {
      name: 'mutation request sent → row visible in the other service',
      percentiles: latency.requestToVisibleMs,
      ...(latency.histogramsMs && { histogram: latency.histogramsMs.requestToVisible }),
    },
  ];
}

function valuesOnAxis(panels: Panel[]): number[] {
  return panels.flatMap((panel) => [
    ...[panel.percentiles.p50, panel.percentiles.p95, panel.percentiles.p99].flatMap((ms) => (ms == null ? [] : [ms])),
    ...(panel.histogram?.buckets ?? []).flatMap((b) => [b.upToMs, lowerBound(panel.histogram!, b.upToMs)]),
  ]);
}

/** How long events took to show in the other service: a histogram on a log scale per measure, with p50 and p99 marked. */
export function lagChart(result: EventResultFile, source: string): string {
  const panels = panelsOf(result);
  const box = plotBox(PANEL_HEIGHT * 2 + PANEL_GAP);
  const { domain, ticks: everyTick } = svg.logDomain(valuesOnAxis(panels));
  const powersOfTen = everyTick.filter((tick) => Number.isInteger(Number(Math.log10(tick).toFixed(9))));
  const ticks = everyTick.length > 9 ? powersOfTen : everyTick;
  const x = svg.logScale(domain, [box.left, box.left + box.width]);
  const plot = panels
    .map((panel, index) =>
      panelMarkup(
        panel,
        { ...box, top: box.top + 14 + index * (PANEL_HEIGHT + PANEL_GAP), height: PANEL_HEIGHT - 14 },
        x,
        ticks,
      ),
    )
    .join('');
  const described = panels.map(
    (panel) =>
      `${panel.name}: ${MARKERS.map(({ key }) => `${key} ${panel.percentiles[key] == null ? 'not measured' : svg.formatMs(panel.percentiles[key])}`).join(', ')}`,
  );
  const legend: LegendItem[] = [
    ...(panels.some((panel) => panel.histogram?.buckets.length)
      ? [{ label: 'events per bucket', style: 0, shape: 'box' as const }]
      : []),
    ...MARKERS.map(({ key, style }) => ({ label: key, style, shape: 'line' as const })),
  ];
  return chartDocument(
    'events-lag',
    {
      title: 'Event lag: how long a change takes to reach the other service',
      subtitle: [
        result.rate && `${result.rate} mutations/s`,
        result.latency.mutations && `${svg.formatCount(result.latency.mutations)} events`,
        'log scale',
      ]
        .filter(Boolean)
        .join('; '),
      description: `Distribution of event lag in milliseconds. ${described.join('. ')}.`,
      footnote: `${source} (${result.date}); ${result.machine ?? ''}`,
    },
    box,
    plot,
    { x: 'lag (log scale)', y: 'events' },
    legend,
  );
}
