import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import amqp from 'amqplib';
import { beforeAll, describe, expect, it } from 'vitest';
import { CreateRecipeDocument } from '@potluck/client';
import { amqpUser } from '@potluck/messaging';
import {
  freePort,
  parsePrometheusText,
  promtoolMetricProblems,
  sampleValue,
  testAmqpUrl,
  waitFor,
  type MetricFamily,
} from '@potluck/testing';
import type { ServiceName } from '../scripts/stack.js';
import { useStack } from './stack.js';

let gatewayMetricsPort: number;
beforeAll(async () => {
  gatewayMetricsPort = await freePort();
});
// The gateway serves /metrics on a port of its own, as a public gateway should; the subgraphs on theirs.
const stack = useStack(() => ({ gateway: { METRICS_PORT: String(gatewayMetricsPort) } }));

const REQUESTS = 'potluck_graphql_request_duration_seconds_count';

function metricsUrl(service: ServiceName): string {
  if (service === 'gateway') return `http://127.0.0.1:${gatewayMetricsPort}/metrics`;
  return (service === 'recipes' ? stack.recipesUrl : stack.commentsUrl).replace(/\/graphql$/, '/metrics');
}

async function scrapeText(service: ServiceName): Promise<string> {
  const response = await fetch(metricsUrl(service), { signal: AbortSignal.timeout(5000) });
  expect(response.status, `${service} /metrics`).toBe(200);
  return response.text();
}

async function scrape(service: ServiceName): Promise<Map<string, MetricFamily>> {
  return parsePrometheusText(await scrapeText(service));
}

/** Reads one sample of a service (0 when it has none yet). */
async function value(service: ServiceName, name: string, labels: Record<string, string>): Promise<number> {
  return sampleValue(await scrape(service), name, labels) ?? 0;
}

/** Waits until the sample reaches at least `atLeast`, and returns it. */
function reaches(service: ServiceName, name: string, labels: Record<string, string>, atLeast: number) {
  return waitFor(
    async () => {
      const current = await value(service, name, labels);
      return current >= atLeast ? current : undefined;
    },
    { timeoutMs: 15_000, what: `${service} ${name}${JSON.stringify(labels)} ≥ ${atLeast}` },
  );
}

describe('GET /metrics of each service', () => {
  it('parses as Prometheus text, and Potluck’s metrics pass promtool’s naming rules', async () => {
    for (const service of ['gateway', 'recipes', 'comments'] as const) {
      const text = await scrapeText(service);
      const families = parsePrometheusText(text);
      expect(families.has('process_cpu_seconds_total'), service).toBe(true);
      expect(families.has('potluck_graphql_request_duration_seconds'), service).toBe(true);
      expect(promtoolMetricProblems(text), `${service}: promtool check metrics`).toEqual([]);
    }
    const subgraph = await scrape('comments');
    expect(sampleValue(subgraph, 'potluck_broker_connected')).toBe(1);
    expect(sampleValue(subgraph, 'potluck_event_consumer_running')).toBe(1);
    expect(sampleValue(subgraph, 'potluck_outbox_max_age_seconds')).toBe(30);
    const gatewayPort = new URL(stack.gatewayUrl).port;
    const onGatewayPort = await fetch(`http://127.0.0.1:${gatewayPort}/metrics`);
    expect(onGatewayPort.status, 'with METRICS_PORT, not on the gateway’s public port').toBe(404);
  });

  it.each(['gateway', 'recipes', 'comments'] as const)(
    'shows the %s running with its heap flags (scripts/stack.ts): a young generation of at most 2 × 16 MiB',
    async (name) => {
      const flags =
        name === 'gateway' ? ['--max-semi-space-size=16', '--heap-growing-percent=50'] : ['--max-semi-space-size=16'];
      // Without the flags V8 grows it to 2 × 64 MiB on this machine within a service's start
      // (on a smaller machine its own default may be as small, hence the command line too).
      const youngBytes = await value(name, 'nodejs_heap_space_size_total_bytes', { space: 'new' });
      expect(youngBytes).toBeGreaterThan(0);
      expect(youngBytes).toBeLessThanOrEqual(2 * 16 * 1024 * 1024);
      const service = stack.processes.find((running) => running.name === name)!;
      const commandLine = readFileSync(`/proc/${service.child.pid}/cmdline`, 'utf8').split('\0');
      expect(commandLine).toEqual(expect.arrayContaining(flags));
    },
  );
});

describe('one mutation through the gateway', () => {
  it('moves the request histograms, the subgraph fetch, published at the producer, consumed and lag at the consumer', async () => {
    const created = { type: 'recipe.created' };
    const before = {
      gateway: await value('gateway', REQUESTS, { operation: 'CreateRecipe', outcome: 'ok' }),
      fetch: await value('gateway', 'potluck_gateway_subgraph_request_duration_seconds_count', {
        subgraph: 'recipes',
        outcome: 'ok',
      }),
      recipes: await value('recipes', REQUESTS, { operation: 'CreateRecipe', outcome: 'ok' }),
      published: await value('recipes', 'potluck_events_published_total', created),
      consumed: await value('comments', 'potluck_events_consumed_total', { ...created, outcome: 'applied' }),
      lag: await value('comments', 'potluck_event_lag_seconds_count', created),
    };

    const client = await stack.client();
    await client.request(CreateRecipeDocument, { input: { title: 'Measured soup', timeMinutes: 5, price: '3' } });

    await reaches('gateway', REQUESTS, { operation: 'CreateRecipe', outcome: 'ok' }, before.gateway + 1);
    const fetchLabels = { subgraph: 'recipes', outcome: 'ok' };
    await reaches('gateway', 'potluck_gateway_subgraph_request_duration_seconds_count', fetchLabels, before.fetch + 1);
    // The subgraph sees the gateway's planned name, CreateRecipe__recipes__0, under the client's.
    await reaches('recipes', REQUESTS, { operation: 'CreateRecipe', outcome: 'ok' }, before.recipes + 1);
    await reaches('recipes', 'potluck_events_published_total', created, before.published + 1);
    await reaches('comments', 'potluck_events_consumed_total', { ...created, outcome: 'applied' }, before.consumed + 1);
    await reaches('comments', 'potluck_event_lag_seconds_count', created, before.lag + 1);
    await waitFor(async () => ((await value('recipes', 'potluck_outbox_backlog', {})) === 0 ? true : undefined), {
      what: 'an empty outbox',
    });
  });
});

describe('a poison message', () => {
  it('raises the parked counter by reason and the parking queue gauge', async () => {
    const labels = { type: 'recipe.created', reason: 'malformed-json' };
    const before = await value('comments', 'potluck_events_parked_total', labels);
    const connection = await amqp.connect(testAmqpUrl());
    try {
      const channel = await connection.createConfirmChannel();
      const properties = { messageId: randomUUID(), type: 'recipe.created', userId: amqpUser(testAmqpUrl()) };
      channel.publish(`${stack.amqpPrefix}.recipes.events`, 'recipe.created', Buffer.from('{not json'), properties);
      await channel.waitForConfirms();
    } finally {
      await connection.close();
    }
    await reaches('comments', 'potluck_events_parked_total', labels, before + 1);
    await reaches('comments', 'potluck_events_parked_messages', {}, 1);
  });
});

describe('label cardinality', () => {
  it('stays bounded when a client sends 1,000 distinct operation names', async () => {
    const before = await value('gateway', REQUESTS, { operation: 'other', outcome: 'ok' });
    for (let batch = 0; batch < 20; batch += 1) {
      await Promise.all(
        Array.from({ length: 50 }, async (_, index) => {
          const query = `query Invented${batch}_${index} { recipes(first: 1) { totalCount } }`;
          const response = await fetch(stack.gatewayUrl, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ query }),
          });
          expect(response.status).toBe(200);
        }),
      );
    }
    await reaches('gateway', REQUESTS, { operation: 'other', outcome: 'ok' }, before + 1000);
    for (const service of ['gateway', 'recipes'] as const) {
      const families = await scrape(service);
      const operations = new Set(
        families.get('potluck_graphql_request_duration_seconds')!.samples.map((sample) => sample.labels.operation),
      );
      expect(
        [...operations].filter((name) => name?.startsWith('Invented')),
        service,
      ).toEqual([]);
      expect(operations.size, `${service}: ${[...operations].join(', ')}`).toBeLessThanOrEqual(20);
    }
  });
});
