import type { Logger } from 'pino';
import { metricsOn } from '@potluck/telemetry/metrics';
import type { Gauge, Registry } from 'prom-client';
import type { FailureKind } from './classify.js';
import { EVENT_TYPES, type ValidEvent } from './contract/index.js';
import type { MessagingObserver, ParkReason } from './observer.js';
import type { OutboxStats } from './relay.js';

/** The label of an event type that is not one of Potluck's (a publisher's claim, a malformed message). */
export const UNKNOWN_EVENT_TYPE = 'unknown';

const EVENT_TYPE_SET: ReadonlySet<unknown> = new Set(EVENT_TYPES);

/** An event type as a label: one of Potluck's types, else `unknown` (whatever a publisher wrote). */
export function eventTypeLabel(type: unknown): string {
  return EVENT_TYPE_SET.has(type) ? (type as string) : UNKNOWN_EVENT_TYPE;
}

/** From a few milliseconds (the relay woken by NOTIFY) to minutes (retries, a broker outage). */
const LAG_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

/**
 * The counters of a subgraph's event sync, fed by the relay and the consumer. Every `type`
 * label is one of Potluck's event types or `unknown`, whatever a publisher claimed.
 */
export function messagingMetrics(registry: Registry): MessagingObserver {
  const declare = metricsOn(registry);
  const published = declare.counter('potluck_events_published_total', 'Outbox events the broker confirmed, by type', [
    'type',
  ]);
  const publishFailures = declare.counter(
    'potluck_events_publish_failures_total',
    'Failed publishes of outbox events (retried later), by type and reason ("unroutable": no queue took it)',
    ['type', 'reason'],
  );
  const consumed = declare.counter(
    'potluck_events_consumed_total',
    'Events committed by the consumer, by type and outcome ("applied", or "duplicate" skipped by the inbox)',
    ['type', 'outcome'],
  );
  const retried = declare.counter(
    'potluck_events_retried_total',
    'Events sent to the retry queue after a failure, by type and kind of failure',
    ['type', 'kind'],
  );
  const parked = declare.counter('potluck_events_parked_total', 'Messages the consumer parked, by type and reason', [
    'type',
    'reason',
  ]);
  const lag = declare.histogram(
    'potluck_event_lag_seconds',
    'From an event occurring at its producer to its change committed by this consumer, by type',
    ['type'],
    LAG_BUCKETS,
  );
  return {
    published: (type: string) => published.inc({ type: eventTypeLabel(type) }),
    publishFailed: (type: string, unroutable: boolean) =>
      publishFailures.inc({ type: eventTypeLabel(type), reason: unroutable ? 'unroutable' : 'error' }),
    consumed(event: ValidEvent, outcome: 'applied' | 'duplicate') {
      consumed.inc({ type: event.type, outcome });
      if (outcome !== 'applied') return;
      // Clocks of two hosts: a producer slightly ahead must not make a negative lag.
      lag.observe({ type: event.type }, Math.max(0, Date.now() - Date.parse(event.occurredAt)) / 1000);
    },
    retried: (type: string, kind: FailureKind) => retried.inc({ type: eventTypeLabel(type), kind }),
    parked: (type: unknown, reason: ParkReason) => parked.inc({ type: eventTypeLabel(type), reason }),
  };
}

/** What the event-sync gauges read at each scrape. */
export interface EventSyncProbes {
  outboxStats(): Promise<OutboxStats>;
  /** The readiness bound of the oldest unsent event (`OUTBOX_MAX_AGE_MS`). */
  outboxMaxAgeMs: number;
  brokerConnected(): boolean;
  consumerRunning(): boolean;
  /** Messages in the parking queue now; undefined while the broker is down. */
  parkedCount(): Promise<number | undefined>;
  /** Registers a listener for every (re)connect to the broker. */
  onBrokerConnect(listener: () => void): void;
}

/** A scrape waits at most this long for the database or the broker, like a readiness check. */
const PROBE_TIMEOUT_MS = 2000;

/**
 * Gauges read when Prometheus scrapes: the outbox backlog and its oldest event's age (one
 * query, shared by both), the readiness bound as a gauge of its own so an alert can compare
 * against the configured value, the broker connection and the parking queue's depth. A probe
 * that fails or times out leaves its gauge at the last value read, logged; readiness reports the outage.
 */
export function eventSyncGauges(registry: Registry, probes: EventSyncProbes, logger: Logger): void {
  const declare = metricsOn(registry);
  const readOutbox = shared(async () => {
    const stats = await withDeadline(probes.outboxStats(), 'outbox stats');
    backlog.set(stats.backlog);
    oldestAge.set(stats.oldestAgeMs / 1000);
  }, logger);
  const backlog = declare.collected('potluck_outbox_backlog', 'Unsent outbox events', readOutbox);
  const oldestAge = declare.collected(
    'potluck_outbox_oldest_age_seconds',
    'Age of the oldest unsent outbox event; 0 when there is none',
    readOutbox,
  );
  declare
    .gauge(
      'potluck_outbox_max_age_seconds',
      'OUTBOX_MAX_AGE_MS: the service is not ready while its oldest unsent event is older',
    )
    .set(probes.outboxMaxAgeMs / 1000);
  declare.reading('potluck_broker_connected', '1 while connected to RabbitMQ, else 0', () =>
    probes.brokerConnected() ? 1 : 0,
  );
  declare.reading('potluck_event_consumer_running', '1 while consuming the other service’s events, else 0', () =>
    probes.consumerRunning() ? 1 : 0,
  );
  const parkedNow: Gauge = declare.collected(
    'potluck_events_parked_messages',
    'Messages waiting in this consumer’s parking queue (for an operator: npm run parked)',
    shared(async () => {
      const count = await withDeadline(probes.parkedCount(), 'parking queue depth');
      if (count !== undefined) parkedNow.set(count);
    }, logger),
  );
  const connects = declare.counter(
    'potluck_broker_connections_total',
    'Connections made to RabbitMQ (the first and every reconnect)',
  );
  probes.onBrokerConnect(() => connects.inc());
}

/** One run of `read` at a time, shared by every collect that asks meanwhile; a failure is logged, not thrown. */
function shared(read: () => Promise<void>, logger: Logger): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () =>
    (running ??= read()
      .catch((error: unknown) => logger.warn({ err: error }, 'metrics probe failed; gauge keeps its last value'))
      .finally(() => {
        running = undefined;
      }));
}

function withDeadline<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took over ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
