import { parsePrometheusText, sampleValue } from '@potluck/testing';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { END_REASONS, endReasonOf, subscriptionMetrics } from '../src/subscriptions/metrics.js';

async function scrape(registry: Registry) {
  return parsePrometheusText(await registry.metrics());
}

describe('subscription metrics', () => {
  it('label an ending by a closed set of reasons, whatever the code', () => {
    expect(endReasonOf(undefined)).toBe('complete');
    expect(endReasonOf('TOKEN_EXPIRED')).toBe('token_expired');
    expect(endReasonOf('STREAM_UNAVAILABLE')).toBe('broker_error');
    expect(endReasonOf('SUBGRAPH_TIMEOUT')).toBe('subgraph_error');
    for (const code of ['SOMETHING_NEW', '__proto__', 'constructor', 'toString', '']) {
      expect(endReasonOf(code)).toBe('error');
    }
  });

  it('exist from the start at zero, and count a subscription ended once however often it is told', async () => {
    const registry = new Registry();
    let attached = false;
    const metrics = subscriptionMetrics(registry, { connected: () => attached });
    let families = await scrape(registry);
    for (const reason of END_REASONS) {
      expect(sampleValue(families, 'potluck_gateway_subscriptions_ended_total', { reason })).toBe(0);
    }
    expect(sampleValue(families, 'potluck_gateway_subscription_stream_connected')).toBe(0);

    const ended = metrics.opened('recipeUpdated', 'sse');
    const closed = metrics.connected('sse');
    metrics.delivered('recipeUpdated', new Date(Date.now() - 2000).toISOString());
    metrics.delivered('recipeUpdated', undefined);
    attached = true;
    families = await scrape(registry);
    const active = { field: 'recipeUpdated', transport: 'sse' };
    expect(sampleValue(families, 'potluck_gateway_subscriptions_active', active)).toBe(1);
    expect(sampleValue(families, 'potluck_gateway_subscription_connections_active', { transport: 'sse' })).toBe(1);
    expect(
      sampleValue(families, 'potluck_gateway_subscription_events_delivered_total', { field: 'recipeUpdated' }),
    ).toBe(2);
    const timed = { field: 'recipeUpdated' };
    expect(sampleValue(families, 'potluck_gateway_subscription_delivery_seconds_count', timed)).toBe(1);
    expect(sampleValue(families, 'potluck_gateway_subscription_delivery_seconds_bucket', { ...timed, le: '1' })).toBe(
      0,
    );
    expect(sampleValue(families, 'potluck_gateway_subscription_stream_connected')).toBe(1);

    ended('SLOW_CONSUMER');
    ended(undefined);
    metrics.limited();
    closed();
    closed();
    families = await scrape(registry);
    expect(sampleValue(families, 'potluck_gateway_subscriptions_active', active)).toBe(0);
    expect(sampleValue(families, 'potluck_gateway_subscription_connections_active', { transport: 'sse' })).toBe(0);
    expect(sampleValue(families, 'potluck_gateway_subscriptions_ended_total', { reason: 'slow_consumer' })).toBe(1);
    expect(sampleValue(families, 'potluck_gateway_subscriptions_ended_total', { reason: 'complete' })).toBe(0);
    expect(sampleValue(families, 'potluck_gateway_subscriptions_ended_total', { reason: 'limit' })).toBe(1);
  });
});
