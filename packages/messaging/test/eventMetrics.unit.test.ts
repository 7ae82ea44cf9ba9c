import { randomUUID } from 'node:crypto';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { pino } from 'pino';
import { eventSyncGauges, eventTypeLabel, messagingMetrics } from '../src/index.js';
import { commentEventFixture, eventSyncProbesFixture, parsePrometheusText, sampleValue } from '@potluck/testing';

const silent = pino({ level: 'silent' });

async function read(registry: Registry) {
  return parsePrometheusText(await registry.metrics());
}

afterEach(() => {
  vi.useRealTimers();
});

describe('messagingMetrics: what the relay and the consumer report, as counters', () => {
  it('counts by event type, and calls any type a publisher made up "unknown"', async () => {
    const registry = new Registry();
    const observer = messagingMetrics(registry);
    observer.published('comment.added');
    observer.published('comment.added');
    observer.publishFailed('comment.deleted', true);
    observer.publishFailed('comment.deleted', false);
    observer.retried('recipe.created', 'transient');
    observer.parked('recipe.created\u001b[2J', 'malformed-json');
    observer.parked(undefined, 'untrusted-publisher');
    observer.parked('recipe.updated', 'max-attempts');
    const families = await read(registry);
    expect(sampleValue(families, 'potluck_events_published_total', { type: 'comment.added' })).toBe(2);
    const failures = { type: 'comment.deleted' };
    expect(sampleValue(families, 'potluck_events_publish_failures_total', { ...failures, reason: 'unroutable' })).toBe(
      1,
    );
    expect(sampleValue(families, 'potluck_events_publish_failures_total', { ...failures, reason: 'error' })).toBe(1);
    expect(sampleValue(families, 'potluck_events_retried_total', { type: 'recipe.created', kind: 'transient' })).toBe(
      1,
    );
    expect(sampleValue(families, 'potluck_events_parked_total', { type: 'unknown', reason: 'malformed-json' })).toBe(1);
    expect(
      sampleValue(families, 'potluck_events_parked_total', { type: 'unknown', reason: 'untrusted-publisher' }),
    ).toBe(1);
    expect(
      sampleValue(families, 'potluck_events_parked_total', { type: 'recipe.updated', reason: 'max-attempts' }),
    ).toBe(1);
  });

  it('observes the lag from occurredAt to commit for applied events only, never below zero', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-01-01T00:00:10.000Z'));
    const registry = new Registry();
    const observer = messagingMetrics(registry);
    const event = (occurredAt: string) => ({ ...commentEventFixture('comment.added', randomUUID()), occurredAt });
    observer.consumed(event('2026-01-01T00:00:09.700Z'), 'applied');
    observer.consumed(event('2026-01-01T00:00:12.000Z'), 'applied'); // a producer clock ahead
    observer.consumed(event('2026-01-01T00:00:00.000Z'), 'duplicate');
    const families = await read(registry);
    const type = { type: 'comment.added' };
    expect(sampleValue(families, 'potluck_events_consumed_total', { ...type, outcome: 'applied' })).toBe(2);
    expect(sampleValue(families, 'potluck_events_consumed_total', { ...type, outcome: 'duplicate' })).toBe(1);
    expect(sampleValue(families, 'potluck_event_lag_seconds_count', type)).toBe(2);
    expect(sampleValue(families, 'potluck_event_lag_seconds_sum', type)).toBeCloseTo(0.3);
    expect(sampleValue(families, 'potluck_event_lag_seconds_bucket', { ...type, le: '0.005' })).toBe(1);
  });
});

const probes = eventSyncProbesFixture;

describe('eventSyncGauges: read at each scrape', () => {
  it('reports the outbox (one query for both gauges), its readiness bound, the broker and the parking queue', async () => {
    const registry = new Registry();
    const outboxStats = vi.fn(async () => ({ backlog: 3, oldestAgeMs: 1500 }));
    let connect = () => undefined as void;
    eventSyncGauges(
      registry,
      probes({ outboxStats, brokerConnected: () => false, onBrokerConnect: (listener) => void (connect = listener) }),
      silent,
    );
    connect();
    connect();
    const families = await read(registry);
    expect(outboxStats).toHaveBeenCalledTimes(1);
    expect(sampleValue(families, 'potluck_outbox_backlog')).toBe(3);
    expect(sampleValue(families, 'potluck_outbox_oldest_age_seconds')).toBe(1.5);
    expect(sampleValue(families, 'potluck_outbox_max_age_seconds')).toBe(30);
    expect(sampleValue(families, 'potluck_broker_connected')).toBe(0);
    expect(sampleValue(families, 'potluck_event_consumer_running')).toBe(1);
    expect(sampleValue(families, 'potluck_events_parked_messages')).toBe(2);
    expect(sampleValue(families, 'potluck_broker_connections_total')).toBe(2);
  });

  it('keeps the last values when the database or broker fails or hangs, and still answers the scrape', async () => {
    const registry = new Registry();
    let outbox: () => Promise<{ backlog: number; oldestAgeMs: number }> = async () => ({ backlog: 5, oldestAgeMs: 0 });
    let parked: () => Promise<number | undefined> = async () => 1;
    eventSyncGauges(registry, probes({ outboxStats: () => outbox(), parkedCount: () => parked() }), silent);
    await read(registry);
    outbox = () => Promise.reject(new Error('database down'));
    parked = async () => undefined;
    let families = await read(registry);
    expect(sampleValue(families, 'potluck_outbox_backlog')).toBe(5);
    expect(sampleValue(families, 'potluck_events_parked_messages')).toBe(1);

    vi.useFakeTimers();
    outbox = () => new Promise(() => undefined);
    const scrape = read(registry);
    await vi.advanceTimersByTimeAsync(2001);
    families = await scrape;
    expect(sampleValue(families, 'potluck_outbox_backlog')).toBe(5);
  });
});

describe('eventTypeLabel', () => {
  it('keeps Potluck’s event types and calls anything a publisher made up "unknown"', () => {
    expect(eventTypeLabel('comment.added')).toBe('comment.added');
    expect(eventTypeLabel('recipe.deleted')).toBe('recipe.deleted');
    for (const claimed of ['comment.added\u0000', 'x'.repeat(5000), undefined, 42, { type: 'recipe.created' }]) {
      expect(eventTypeLabel(claimed)).toBe('unknown');
    }
  });
});
