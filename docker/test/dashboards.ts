import { readdirSync } from 'node:fs';
import { parser } from '@prometheus-io/lezer-promql';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { parse } from 'yaml';
import { potluckMetricTypes } from '../../docs/test/potluckMetrics.js';
import { readRepoFile } from './stackFiles.js';

/** The Grafana dashboards of the observability profile, and the PromQL their panels run. */

export const DASHBOARDS_DIR = 'deploy/grafana/dashboards';
export const DATASOURCES_FILE = 'deploy/grafana/provisioning/datasources/datasources.yml';

export interface DatasourceRef {
  type?: string;
  uid?: string;
}

export interface Target {
  refId?: string;
  datasource?: DatasourceRef;
  expr?: string;
  legendFormat?: string;
}

export interface Panel {
  id?: number;
  type?: string;
  title?: string;
  datasource?: DatasourceRef;
  gridPos?: { h: number; w: number; x: number; y: number };
  targets?: Target[];
  /** A collapsed row keeps its panels here. */
  panels?: Panel[];
}

export interface Dashboard {
  uid?: string;
  title?: string;
  schemaVersion?: number;
  panels?: Panel[];
}

export interface PanelQuery {
  /** The panel's title and the target's refId, for messages. */
  where: string;
  panel: Panel;
  /** The PromQL as the dashboard has it, Grafana's variables included. */
  expr: string;
}

/** Every dashboard file, by file name. */
export function loadDashboards(): Map<string, Dashboard> {
  const files = readdirSync(new URL(`../../${DASHBOARDS_DIR}`, import.meta.url)).filter((file) =>
    file.endsWith('.json'),
  );
  return new Map(files.map((file) => [file, JSON.parse(readRepoFile(`${DASHBOARDS_DIR}/${file}`)) as Dashboard]));
}

/** The provisioned datasources, by uid. */
export function provisionedDatasources(): Map<
  string,
  { type: string; url: string; jsonData?: Record<string, unknown> }
> {
  const { datasources } = parse(readRepoFile(DATASOURCES_FILE)) as {
    datasources: Array<{ uid: string; type: string; url: string; jsonData?: Record<string, unknown> }>;
  };
  return new Map(datasources.map((source) => [source.uid, source]));
}

/** Every panel, rows' folded panels included. */
export function panelsOf(dashboard: Dashboard): Panel[] {
  return (dashboard.panels ?? []).flatMap((panel) => [panel, ...(panel.panels ?? [])]);
}

/** The PromQL of every Prometheus target of a dashboard. */
export function promQueries(dashboard: Dashboard, datasources = provisionedDatasources()): PanelQuery[] {
  return panelsOf(dashboard).flatMap((panel) =>
    (panel.targets ?? [])
      .filter((target) => datasources.get((target.datasource ?? panel.datasource)?.uid ?? '')?.type === 'prometheus')
      .map((target) => ({ where: `${panel.title} (${target.refId})`, panel, expr: target.expr ?? '' })),
  );
}

/**
 * Grafana's interval variables, as they come out over a 15 s scrape interval (Grafana's
 * `$__rate_interval` is at least four of them). Any other `$variable` is left in and fails to parse.
 */
const GRAFANA_VARIABLES: Record<string, string> = { __rate_interval: '1m', __interval: '15s', __range: '1h' };

/** A panel's query as Prometheus receives it. */
export function asPromql(expr: string): string {
  return expr.replace(/\$\{?(__\w+)\}?/g, (variable, name: string) => GRAFANA_VARIABLES[name] ?? variable);
}

/**
 * Parses PromQL with Prometheus's own grammar (the one its UI uses): the syntax errors, by
 * offset, and the metric names it selects. A selector by `__name__` is reported as an error:
 * the checks could not tell which metric it reads.
 */
export function parsePromql(promql: string): { errors: string[]; metrics: string[] } {
  const errors: string[] = [];
  const metrics: string[] = [];
  parser.parse(promql).iterate({
    enter(node) {
      const text = promql.slice(node.from, node.to);
      if (node.type.isError) {
        const rest = promql.slice(node.from, node.from + 20);
        errors.push(`syntax error at ${node.from}: ${rest ? `"${rest}"` : 'the end'}`);
      }
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector') metrics.push(text);
      if (node.name === 'LabelName' && text === '__name__') errors.push('selects a metric by __name__');
    },
  });
  return { errors, metrics };
}

/** The series names a metric family is scraped as: a histogram's three, anything else its own. */
function seriesNames(name: string, type: string): string[] {
  return type === 'histogram' ? [`${name}_bucket`, `${name}_sum`, `${name}_count`] : [name];
}

/**
 * Every series name a Potluck service's `/metrics` serves: its own metrics (from the code that
 * registers them) and prom-client's process metrics, as each service collects them.
 */
export async function servedSeriesNames(): Promise<Set<string>> {
  const processRegistry = new Registry();
  collectDefaultMetrics({ register: processRegistry });
  const processMetrics = (await processRegistry.getMetricsAsJSON()).map(
    (metric) => [metric.name, String(metric.type)] as const,
  );
  const families = [...(await potluckMetricTypes()), ...processMetrics];
  return new Set(families.flatMap(([name, type]) => seriesNames(name, type)));
}

/** Series Prometheus itself writes: a target's `up`, and `ALERTS` for the rules it evaluates. */
export const PROMETHEUS_SERIES = new Set(['up', 'ALERTS']);
