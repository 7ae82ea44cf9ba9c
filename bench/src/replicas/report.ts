import { percentile, round } from '../stats.js';
import type { DrainResult, EventShape } from './eventReplicas.js';
import type { GatewayMeasurement } from './gatewayReplicas.js';

export type EventResult = EventShape & { runs: DrainResult[] };

export interface ReplicaBenchResult {
  benchmark: 'replicas';
  date: string;
  machine: Record<string, unknown>;
  /** Before and after each part: other work on the machine shows here. */
  loadAverage: Record<string, number[]>;
  settings: Record<string, unknown>;
  events: EventResult[] | null;
  gateways: GatewayMeasurement[] | null;
}

const numbers = (values: Array<number | null>) => values.filter((value): value is number => value !== null);

/** The median of the runs and their range, e.g. `6,120 (5,400–6,900)`. */
export function spread(values: Array<number | null>): string {
  const known = numbers(values);
  if (known.length === 0) return 'not measured';
  const format = (value: number) => Math.round(value).toLocaleString('en-US');
  const median = format(percentile(known, 50));
  return known.length === 1 ? median : `${median} (${format(Math.min(...known))}–${format(Math.max(...known))})`;
}

/** The median of `shape`'s runs divided by the baseline's: what the extra replica bought. */
type Rate = 'relayEventsPerSecond' | 'consumerEventsPerSecond';

function roundsOf(results: EventResult[], measure: Rate, shape: EventShape): string {
  const runs = (match: EventShape) =>
    results
      .find((r) => r.relays === match.relays && r.consumers === match.consumers)
      ?.runs.map((run) => run[measure]) ?? [];
  return roundRatios(runs(shape), runs({ relays: 1, consumers: 1 }));
}

export function speedup(results: EventResult[], measure: Rate, shape: EventShape): number | null {
  const median = (match: EventShape) => {
    const found = results.find((r) => r.relays === match.relays && r.consumers === match.consumers);
    const known = numbers(found?.runs.map((run) => run[measure]) ?? []);
    return known.length > 0 ? percentile(known, 50) : null;
  };
  const [base, scaled] = [median({ relays: 1, consumers: 1 }), median(shape)];
  return base && scaled ? round(scaled / base, 2) : null;
}

/** `shape`'s figure divided by the baseline's, round by round (each pair measured minutes apart at most). */
export function roundRatios(scaled: Array<number | null>, base: Array<number | null>): string {
  const ratios = scaled.map((value, index) => {
    const under = base[index];
    return value && under ? `×${round(value / under, 2)}` : '—';
  });
  return ratios.join(', ');
}

function eventsTable(results: EventResult[]): string {
  const rows = results.map(
    (r) =>
      `| ${r.relays} | ${r.consumers} | ${spread(r.runs.map((run) => run.relayEventsPerSecond))} | ${spread(r.runs.map((run) => run.consumerEventsPerSecond))} | ${spread(r.runs.map((run) => run.machineCpuBusy))} | ${spread(r.runs.map((run) => run.cpuMsPer1000Events.relays))} | ${spread(r.runs.map((run) => run.cpuMsPer1000Events.consumers))} |`,
  );
  return [
    '| relays (recipes processes) | consumers (comments processes) | relay events/s, median (range) | consumer events/s | machine CPU busy % | relays CPU ms per 1,000 events | consumers CPU ms per 1,000 events |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    `Second relay: ×${speedup(results, 'relayEventsPerSecond', { relays: 2, consumers: 1 })} relay events/s (round by round: ${roundsOf(results, 'relayEventsPerSecond', { relays: 2, consumers: 1 })}). Second consumer: ×${speedup(results, 'consumerEventsPerSecond', { relays: 1, consumers: 2 })} consumer events/s (${roundsOf(results, 'consumerEventsPerSecond', { relays: 1, consumers: 2 })}).`,
  ].join('\n');
}

const shown = (value: number | null) => (value === null || !Number.isFinite(value) ? '—' : String(value));

function gatewaysTable(results: GatewayMeasurement[]): string {
  const baseline = (query: string) => results.find((r) => r.query === query && r.shape === '1 gateway');
  const rows = results.map((r) => {
    const base = baseline(r.query);
    const ratio = base?.summary.rps ? round(r.summary.rps / base.summary.rps, 2) : null;
    const rounds = roundRatios(r.roundsRps ?? [], base?.roundsRps ?? []);
    const { summary, cpuMsPerRequest: cpu } = r;
    const latency = `${shown(summary.p50)} | ${shown(summary.p99)}`;
    return `| ${r.shape} | ${r.query} | ${summary.rps} | ×${shown(ratio)} (${rounds}) | ${latency} | ${summary.errors} | ${spread(r.machineCpuBusy)} | ${cpu.gateways} | ${cpu.subgraphs} | ${cpu['load generator']} |`;
  });
  return [
    '| shape | query | req/s | vs 1 gateway (round by round) | p50 ms | p99 ms | errors | machine CPU busy % | gateways CPU ms/req | subgraphs CPU ms/req | load generator CPU ms/req |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
  ].join('\n');
}

export function toMarkdown(result: ReplicaBenchResult): string {
  const parts = [`## What a second replica buys (${result.date})`, '', JSON.stringify(result.machine), ''];
  parts.push(`Load average: ${JSON.stringify(result.loadAverage)}`, '');
  if (result.events) parts.push('### Events', '', eventsTable(result.events), '');
  if (result.gateways) parts.push('### Gateways', '', gatewaysTable(result.gateways), '');
  return parts.join('\n');
}
