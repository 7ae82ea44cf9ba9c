import { Registry } from 'prom-client';
import { eventSyncGauges, messagingMetrics } from '@potluck/messaging';
import {
  admissionControl,
  compiledExecutionMetrics,
  createLogger,
  DEFAULT_ADMISSION_LIMITS,
  graphqlRequestMetrics,
} from '@potluck/service';
import { eventSyncProbesFixture } from '@potluck/testing';
import { subgraphBatchMetrics, subgraphCallMetrics } from '../../gateway/src/subgraphMetrics.js';
import { entityCacheMetrics, responseCacheMetrics } from '../../gateway/src/entityCache/cacheMetrics.js';
import { subscriptionMetrics } from '../../gateway/src/subscriptions/metrics.js';

/**
 * Every metric family Potluck's own code registers (the gateway's and a subgraph's, not
 * prom-client's process metrics), by name with its type: what the docs and the alerting rules
 * are checked against.
 */
export async function potluckMetricTypes(): Promise<Map<string, string>> {
  const registry = new Registry();
  graphqlRequestMetrics(registry, []);
  admissionControl(DEFAULT_ADMISSION_LIMITS, registry);
  compiledExecutionMetrics(registry);
  subgraphCallMetrics(registry);
  subgraphBatchMetrics(registry);
  entityCacheMetrics(registry, { bytes: () => 0, entries: () => 0, serving: () => false });
  responseCacheMetrics(registry, { bytes: () => 0, entries: () => 0 });
  subscriptionMetrics(registry);
  messagingMetrics(registry);
  const probes = eventSyncProbesFixture({ parkedCount: async () => 0 });
  eventSyncGauges(registry, probes, createLogger('metrics-docs', 'silent'));
  const metrics = await registry.getMetricsAsJSON();
  return new Map(metrics.map((metric) => [metric.name, String(metric.type)]));
}
