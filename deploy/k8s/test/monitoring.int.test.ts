import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { byKind, podTemplateOf, render, REPO_ROOT } from './manifests.js';
import { OPERATOR_SCHEMAS } from './operatorSchemas.js';

/**
 * components/prometheus-operator, added to the production overlay as docs/deploying.md says
 * (test/with-prometheus-operator): a PodMonitor that scrapes exactly the three services, each its
 * own job as the alerts group them, and those alerts as a PrometheusRule.
 */
const objects = render('test/with-prometheus-operator');
const [monitor] = byKind(objects, 'PodMonitor');
const [rule] = byKind(objects, 'PrometheusRule');

function matches(selector: Record<string, string>, labels: Record<string, string> = {}): boolean {
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

describe('components/prometheus-operator', () => {
  it('validates against the operator’s schemas, in the overlay’s namespace', () => {
    for (const object of [monitor!, rule!]) {
      const result = OPERATOR_SCHEMAS[`${object.apiVersion}/${object.kind}`]!.safeParse(object);
      expect(result.error?.issues ?? [], object.kind).toEqual([]);
      expect(object.metadata.namespace).toBe('potluck');
    }
  });

  it('scrapes the metrics port of exactly the gateway’s and the subgraphs’ pods, one job each, as Compose’s Prometheus names them', () => {
    const { selector, jobLabel, podMetricsEndpoints } = monitor!.spec;
    const [endpoint] = podMetricsEndpoints;
    const scraped = objects.flatMap((object) => {
      const pod = podTemplateOf(object);
      if (!pod || !matches(selector.matchLabels, pod.metadata?.labels)) return [];
      const ports = pod.spec.containers.flatMap(
        (container: { ports?: Array<{ name?: string }> }) => container.ports ?? [],
      );
      if (!ports.some((port: { name?: string }) => port.name === endpoint.port)) return [];
      return [pod.metadata.labels[jobLabel]];
    });
    const compose = parse(readFileSync(path.join(REPO_ROOT, 'deploy/prometheus/prometheus.yml'), 'utf8'));
    const composeJobs = compose.scrape_configs.map((job: { job_name: string }) => job.job_name);
    expect(scraped.sort()).toEqual(['comments', 'gateway', 'recipes']);
    for (const job of scraped) expect(composeJobs).toContain(job);
    expect(endpoint.path).toBe('/metrics');
    expect(endpoint.interval).toBe(compose.global.scrape_interval);
  });

  it('carries deploy/prometheus/alerts.yml’s groups and rules unchanged', () => {
    const alerts = parse(readFileSync(path.join(REPO_ROOT, 'deploy/prometheus/alerts.yml'), 'utf8'));
    expect(rule!.spec).toEqual(alerts);
  });
});
