import { lagChart } from './eventCharts.js';
import { stagesChart } from './eventStagesChart.js';
import { latencyChart, throughputChart } from './gatewayCharts.js';
import { eventResultFile, gatewayResultFile } from './resultFiles.js';

/** One chart of a result; `svg` null when the result holds nothing to draw it from. */
export interface Chart {
  name: string;
  svg: string | null;
}

/**
 * Every chart of a gateway or event result, from its parsed JSON; `source` (the file's name)
 * is printed on each so an image can be traced to its run. Other benchmarks have no charts.
 */
export function renderCharts(result: unknown, source: string): { kind: 'gateways' | 'events'; charts: Chart[] } {
  const benchmark = (result as { benchmark?: unknown } | null)?.benchmark;
  if (benchmark === 'gateways') {
    const parsed = gatewayResultFile.parse(result);
    return {
      kind: 'gateways',
      charts: [
        { name: 'latency-page', svg: latencyChart(parsed, 'page', source) },
        { name: 'latency-pages', svg: latencyChart(parsed, 'pages', source) },
        { name: 'throughput', svg: throughputChart(parsed, source) },
      ],
    };
  }
  if (benchmark === 'events') {
    const parsed = eventResultFile.parse(result);
    return {
      kind: 'events',
      charts: [
        { name: 'lag', svg: lagChart(parsed, source) },
        { name: 'stages', svg: stagesChart(parsed, source) },
      ],
    };
  }
  throw new Error(`no charts for a result of benchmark ${JSON.stringify(benchmark)} (only gateways and events)`);
}
