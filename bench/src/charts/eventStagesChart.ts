import { chartDocument, plotBox, xAxis, type LegendItem } from './frame.js';
import type { EventResultFile, PercentilePointsFile } from './resultFiles.js';
import * as svg from './svg.js';

type Stages = NonNullable<EventResultFile['stages']>;

interface Row {
  name: string;
  toRelay: number;
  toConsumer: number;
}

const STAGE_NAMES = ['mutation → relay (waiting in the outbox)', 'relay → consumer (broker and inbox)'] as const;
const ROW_HEIGHT = 26;
const ROW_GAP = 14;

const at = (points: PercentilePointsFile | undefined, percentile: number) =>
  points?.find((point) => point.percentile === percentile)?.ms;

/** p50, p95, p99 (every result), p99.9 and max (when kept), then the slowest 1% followed as the same events. */
function rowsOf(stages: Stages): Row[] {
  const summary = (key: 'p50' | 'p95' | 'p99') => ({
    name: key,
    toRelay: stages.mutationToRelayMs[key],
    toConsumer: stages.relayToConsumerMs[key],
  });
  const kept = ([99.9, 100] as const).map((p) => ({
    name: p === 100 ? 'max' : `p${p}`,
    toRelay: at(stages.percentilesMs?.mutationToRelay, p),
    toConsumer: at(stages.percentilesMs?.relayToConsumer, p),
  }));
  const slowest = stages.slowestPercent && {
    name: 'slowest 1%, mean',
    toRelay: stages.slowestPercent.mutationToRelayMs,
    toConsumer: stages.slowestPercent.relayToConsumerMs,
  };
  return [summary('p50'), summary('p95'), summary('p99'), ...kept, ...(slowest ? [slowest] : [])].flatMap((row) =>
    row.toRelay == null || row.toConsumer == null ? [] : [row as Row],
  );
}

function rowMarkup(row: Row, top: number, x: (ms: number) => number): string {
  const segments = [row.toRelay, row.toConsumer].map((ms, index) => {
    const start = index === 0 ? 0 : row.toRelay;
    const [left, right] = [x(start), x(start + ms)];
    const rect = svg.element(
      'rect',
      {
        x: svg.fixed(left),
        y: top,
        width: svg.fixed(right - left),
        height: ROW_HEIGHT,
        fill: svg.SERIES_STYLES[index]!.color,
      },
      svg.tooltip(`${row.name}, ${STAGE_NAMES[index]}: ${svg.formatMs(ms)}`),
    );
    const inside =
      right - left > 48
        ? svg.label((left + right) / 2, top + 17, svg.formatMs(ms), { 'text-anchor': 'middle', fill: '#ffffff' })
        : '';
    return rect + inside;
  });
  const total = svg.label(
    x(row.toRelay + row.toConsumer) + 6,
    top + 17,
    `= ${svg.formatMs(row.toRelay + row.toConsumer)}`,
  );
  return svg.label(x(0) - 8, top + 17, row.name, { 'text-anchor': 'end' }) + segments.join('') + total;
}

/**
 * Where an event waits: the two stages stacked, at the median and in the tail. Each
 * percentile row takes each stage at its own percentile; the slowest-1% row follows the same
 * events. Null for a result without stage timings.
 */
export function stagesChart(result: EventResultFile, source: string): string | null {
  const rows = result.stages ? rowsOf(result.stages) : [];
  if (rows.length === 0) return null;
  const box = plotBox(rows.length * (ROW_HEIGHT + ROW_GAP), 130);
  const { domain, ticks } = svg.linearDomain(Math.max(...rows.map((row) => row.toRelay + row.toConsumer)) * 1.15);
  const x = svg.linearScale(domain, [box.left, box.left + box.width]);
  const grid = ticks
    .map((tick) =>
      svg.element('line', {
        x1: svg.fixed(x(tick)),
        y1: box.top,
        x2: svg.fixed(x(tick)),
        y2: box.top + box.height,
        stroke: '#dddddd',
      }),
    )
    .join('');
  const bars = rows.map((row, index) => rowMarkup(row, box.top + ROW_GAP / 2 + index * (ROW_HEIGHT + ROW_GAP), x));
  const legend: LegendItem[] = STAGE_NAMES.map((name, style) => ({ label: name, style, shape: 'box' }));
  const described = rows.map((row) => `${row.name}: ${svg.formatMs(row.toRelay)} then ${svg.formatMs(row.toConsumer)}`);
  return chartDocument(
    'events-stages',
    {
      title: 'Where an event waits, at the median and in the tail',
      subtitle: `Each stage at its own percentile; "slowest 1%": the events slowest end to end`,
      description: `Milliseconds spent from the mutation to the relay and from the relay to the consumer. ${described.join('. ')}.`,
      footnote: `${source} (${result.date}); ${result.stages?.events === undefined ? 'all' : svg.formatCount(result.stages.events)} events; ${result.machine ?? ''}`,
    },
    box,
    grid +
      bars.join('') +
      xAxis(
        box,
        ticks.map((tick) => ({ x: x(tick), text: svg.formatMs(tick) })),
      ),
    { x: 'milliseconds, stages stacked', y: 'percentile' },
    legend,
  );
}
