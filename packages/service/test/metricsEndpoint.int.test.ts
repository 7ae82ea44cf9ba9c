import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createServiceMetrics,
  DEFAULT_ALLOWED_HOSTS,
  type MetricsConfig,
  type RunningService,
  type ServiceMetrics,
} from '@potluck/service';
import { freePort, parsePrometheusText, promtoolMetricProblems, sampleValue, waitFor } from '@potluck/testing';
import { helloSchema, startHelloService } from './helloService.js';
import { postGraphQL, rawRequest } from './rawHttp.js';

const { schema } = helloSchema();
const REQUESTS = 'potluck_graphql_request_duration_seconds';

const metricsConfig = (overrides: Partial<MetricsConfig> = {}): MetricsConfig => ({
  METRICS_ENABLED: true,
  METRICS_PORT: undefined,
  METRICS_OPERATIONS: ['Hello'],
  ...overrides,
});

async function scrape(port: number, host = 'localhost') {
  const response = await rawRequest(port, { path: '/metrics', headers: { host } });
  expect(response.status, response.body).toBe(200);
  return { response, families: parsePrometheusText(response.body) };
}

/** How many requests of this operation and outcome the histogram has counted. */
async function counted(port: number, operation: string, outcome: string): Promise<number> {
  return sampleValue((await scrape(port)).families, `${REQUESTS}_count`, { operation, outcome }) ?? 0;
}

/** Waits for the counts to reach these values: a request is observed once its response has closed. */
async function expectCounts(port: number, expected: Record<string, number>) {
  const read = async () =>
    Object.fromEntries(
      await Promise.all(
        Object.keys(expected).map(async (key) => {
          const [operation, outcome] = key.split(' ') as [string, string];
          return [key, await counted(port, operation, outcome)];
        }),
      ),
    );
  await waitFor(async () => (JSON.stringify(await read()) === JSON.stringify(expected) ? true : undefined), {
    timeoutMs: 5000,
  }).catch(async () => expect(await read()).toEqual(expected));
}

let metrics: ServiceMetrics;
let service: RunningService;

beforeAll(async () => {
  metrics = (await createServiceMetrics(metricsConfig(), undefined))!;
  service = await startHelloService(schema, { allowedHosts: DEFAULT_ALLOWED_HOSTS, metrics });
});

afterAll(async () => {
  await service?.stop();
});

describe('GET /metrics on the service’s own port', () => {
  it('answers any Host (scrapers use the pod IP) in Prometheus text format, with process metrics', async () => {
    const { response, families } = await scrape(service.port, 'evil.example:4000');
    expect(response.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    for (const name of [
      'process_cpu_user_seconds_total',
      'nodejs_eventloop_lag_seconds',
      'nodejs_heap_size_used_bytes',
    ]) {
      expect(families.has(name), name).toBe(true);
    }
    // prom-client's own nodejs_active_*_total gauges break a naming rule; Potluck's metrics must not.
    expect(promtoolMetricProblems(response.body), 'promtool check metrics').toEqual([]);
  });

  it('times each /graphql request by operation and outcome, refusals included', async () => {
    await postGraphQL(service.port, { query: 'query Hello { hello }' });
    await postGraphQL(service.port, { query: 'query Hello { hello }', operationName: 'Hello' });
    await postGraphQL(service.port, { query: 'query Hello { nope }' });
    await postGraphQL(service.port, { query: 'query SomethingElse { hello }' });
    await postGraphQL(service.port, { query: '{ hello }' });
    expect((await postGraphQL(service.port, { query: 'query Hello { hello }' }, { host: 'evil.example' })).status).toBe(
      403,
    );
    await expectCounts(service.port, {
      'Hello ok': 2,
      'Hello client_error': 1,
      'other ok': 1,
      'anonymous ok': 1,
      'anonymous client_error': 1,
      'Hello server_error': 0,
    });
  });

  it('keeps the labels bounded when a client sends 1,000 distinct operation names', async () => {
    const before = await counted(service.port, 'other', 'ok');
    for (let batch = 0; batch < 20; batch += 1) {
      await Promise.all(
        Array.from({ length: 50 }, (_, index) =>
          postGraphQL(service.port, { query: `query Made${batch}x${index} { hello }` }),
        ),
      );
    }
    await expectCounts(service.port, { 'other ok': before + 1000 });
    const { families } = await scrape(service.port);
    const operations = new Set(families.get(REQUESTS)!.samples.map((sample) => sample.labels.operation));
    expect([...operations].sort()).toEqual(['Hello', 'anonymous', 'other']);
    // three operations × ok, client_error, server_error × (11 buckets, +Inf, sum, count)
    expect(families.get(REQUESTS)!.samples.length).toBe(3 * 3 * 14);
  });
});

describe('METRICS_PORT and METRICS_ENABLED', () => {
  it('serves /metrics only on METRICS_PORT when set, and nothing else there', async () => {
    const port = await freePort();
    const separate = (await createServiceMetrics(metricsConfig({ METRICS_PORT: port }), undefined))!;
    const apart = await startHelloService(schema, { metrics: separate });
    try {
      expect((await rawRequest(apart.port, { path: '/metrics' })).status).toBe(404);
      await postGraphQL(apart.port, { query: 'query Hello { hello }' });
      await expectCounts(port, { 'Hello ok': 1 });
      expect((await rawRequest(port, { path: '/graphql' })).status).toBe(404);
    } finally {
      await apart.stop();
    }
    await expect(rawRequest(port, { path: '/metrics' })).rejects.toThrow(/ECONNREFUSED/);
  });

  it('measures and serves nothing when METRICS_ENABLED is false', async () => {
    const none = await createServiceMetrics(metricsConfig({ METRICS_ENABLED: false }), undefined);
    expect(none).toBeUndefined();
    const off = await startHelloService(schema, { metrics: none });
    try {
      expect((await rawRequest(off.port, { path: '/metrics' })).status).toBe(404);
    } finally {
      await off.stop();
    }
  });
});
