import { describe, expect, it } from 'vitest';
import { potluckMetricTypes } from '../../docs/test/potluckMetrics.js';
import {
  asPromql,
  loadDashboards,
  panelsOf,
  parsePromql,
  PROMETHEUS_SERIES,
  promQueries,
  provisionedDatasources,
  servedSeriesNames,
  type Dashboard,
} from './dashboards.js';
import { parseExposition, recordedScrape, SCRAPED_SERVICES } from './recordedScrape.js';

/**
 * The Grafana dashboards the observability profile provisions (deploy/grafana/dashboards/):
 * valid dashboards, on the provisioned datasources, whose PromQL parses and reads only what
 * the services serve. observabilityPromtool.int.test.ts runs the same queries over a recorded scrape.
 */
const dashboards = loadDashboards();
const datasources = provisionedDatasources();
const potluck = dashboards.get('potluck.json')!;

/** The metric names a dashboard's queries select. */
const selectedMetrics = (dashboard: Dashboard) =>
  promQueries(dashboard).flatMap(({ expr }) => parsePromql(asPromql(expr)).metrics);

function overlaps(a: { x: number; y: number; w: number; h: number }, b: typeof a): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

describe('deploy/grafana/dashboards', () => {
  it('holds the Potluck dashboard', () => {
    expect([...dashboards.keys()]).toContain('potluck.json');
  });

  describe.each([...dashboards])('%s', (_file, dashboard) => {
    const panels = panelsOf(dashboard);
    const graphs = panels.filter((panel) => panel.type !== 'row');

    it('is a Grafana dashboard: a stable uid, a title, a schema version, panels with ids and titles of their own', () => {
      expect(dashboard.uid).toMatch(/^[a-z0-9-]{1,40}$/);
      expect(dashboard.title).toBeTruthy();
      expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
      expect(graphs.length).toBeGreaterThan(0);
      const ids = panels.map((panel) => panel.id);
      for (const id of ids) expect(Number.isInteger(id), `panel id ${id}`).toBe(true);
      expect(new Set(ids).size).toBe(ids.length);
      for (const panel of panels) expect(panel.type && panel.title, JSON.stringify(panel.gridPos)).toBeTruthy();
      const titles = graphs.map((panel) => panel.title);
      expect(
        titles.filter((title, index) => titles.indexOf(title) !== index),
        'titles used twice',
      ).toEqual([]);
    });

    it('lays its panels out on the 24-column grid without overlaps', () => {
      const placed = panels.map((panel) => ({ title: panel.title, ...panel.gridPos! }));
      for (const [index, panel] of placed.entries()) {
        expect(panel.x >= 0 && panel.w > 0 && panel.x + panel.w <= 24 && panel.h > 0, panel.title).toBe(true);
        for (const other of placed.slice(index + 1)) {
          expect(overlaps(panel, other), `${panel.title} overlaps ${other.title}`).toBe(false);
        }
      }
    });

    it('gives every panel a provisioned datasource and queries with refIds of their own', () => {
      for (const panel of graphs) {
        const source = datasources.get(panel.datasource?.uid ?? '');
        expect(source, `${panel.title}: datasource ${JSON.stringify(panel.datasource)}`).toBeDefined();
        expect(panel.datasource?.type, panel.title).toBe(source!.type);
        expect(panel.targets?.length, `${panel.title}: targets`).toBeGreaterThan(0);
        const refIds = panel.targets!.map((target) => target.refId);
        expect(new Set(refIds).size, `${panel.title}: refIds`).toBe(refIds.length);
        for (const target of panel.targets!) {
          expect(target.refId, panel.title).toMatch(/^[A-Z]$/);
          if (target.datasource) expect(target.datasource, panel.title).toEqual(panel.datasource);
          if (source!.type === 'prometheus') expect(target.expr?.trim(), panel.title).toBeTruthy();
        }
      }
    });

    it('writes PromQL that Prometheus parses', () => {
      for (const { where, expr } of promQueries(dashboard)) {
        expect(parsePromql(asPromql(expr)).errors, `${where}: ${expr}`).toEqual([]);
      }
    });

    it('reads only series the services serve (a histogram by _bucket, _sum or _count) or Prometheus writes', async () => {
      const served = await servedSeriesNames();
      for (const { where, expr } of promQueries(dashboard)) {
        const { metrics } = parsePromql(asPromql(expr));
        expect(metrics.length, `${where} selects a metric`).toBeGreaterThan(0);
        for (const metric of metrics) {
          expect(served.has(metric) || PROMETHEUS_SERIES.has(metric), `${where}: ${metric}`).toBe(true);
        }
      }
    });
  });

  it('shows every metric Potluck serves on the Potluck dashboard', async () => {
    const shown = new Set(selectedMetrics(potluck).map((metric) => metric.replace(/_(bucket|sum|count)$/, '')));
    const families = [...(await potluckMetricTypes()).keys()];
    expect(families.filter((family) => !shown.has(family))).toEqual([]);
  });

  it('shows the 95th percentile per operation, at the gateway and in the subgraphs', () => {
    const perOperation = promQueries(potluck).filter(({ expr }) =>
      /^histogram_quantile\(0\.95, sum by \([^)]*\boperation\b[^)]*\) \(rate\(potluck_graphql_request_duration_seconds_bucket/.test(
        expr,
      ),
    );
    expect(perOperation.map(({ expr }) => /job(!?)="gateway"/.exec(expr)?.[1]).sort()).toEqual(['', '!']);
  });
});

describe('the recorded scrape (docker/test/scrape/)', () => {
  it('holds every metric family Potluck registers, and no other: re-record it when they change', async () => {
    const recorded = new Set(
      SCRAPED_SERVICES.flatMap((service) => recordedScrape(service))
        .map(({ name }) => name.replace(/_(bucket|sum|count)$/, ''))
        .filter((name) => name.startsWith('potluck_')),
    );
    expect([...recorded].sort()).toEqual([...(await potluckMetricTypes()).keys()].sort());
  });

  it('is parsed as Prometheus reads it: types from # TYPE, histogram series under their family', () => {
    const samples = parseExposition(
      [
        '# HELP a_seconds A histogram',
        '# TYPE a_seconds histogram',
        'a_seconds_bucket{le="+Inf",op="x y"} 3',
        'a_seconds_count{op="x y"} 3',
        '# TYPE b gauge',
        'b 0.5',
      ].join('\n'),
    );
    expect(samples).toEqual([
      { name: 'a_seconds_bucket', labels: 'le="+Inf",op="x y"', value: 3, type: 'histogram' },
      { name: 'a_seconds_count', labels: 'op="x y"', value: 3, type: 'histogram' },
      { name: 'b', labels: '', value: 0.5, type: 'gauge' },
    ]);
  });
});
