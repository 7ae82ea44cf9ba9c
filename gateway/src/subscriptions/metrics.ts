import { metricsOn } from '@potluck/telemetry/metrics';
import { Registry } from 'prom-client';
import { SUBSCRIPTION_FIELDS } from './subscriptionFields.js';

export type Transport = 'ws' | 'sse';
const TRANSPORTS: readonly Transport[] = ['ws', 'sse'];

/** Why a WebSocket upgrade was refused: the path, Host or Origin (`forbidden`), the total cap, the per-address cap. */
export const UPGRADE_REFUSALS = ['not_found', 'forbidden', 'busy', 'per_address'] as const;
export type UpgradeRefusal = (typeof UPGRADE_REFUSALS)[number];

/** Why a subscription ended, as the metrics label it: a closed set, whatever code the ending carried. */
export const END_REASONS = [
  'complete',
  'slow_consumer',
  'limit',
  'cursor_expired',
  'token_expired',
  'shutdown',
  'broker_error',
  'subgraph_error',
  'bad_request',
  'error',
] as const;
export type EndReason = (typeof END_REASONS)[number];

const REASON_BY_CODE: Readonly<Record<string, EndReason>> = {
  SLOW_CONSUMER: 'slow_consumer',
  TOO_MANY_SUBSCRIPTIONS: 'limit',
  SUBSCRIPTIONS_BUSY: 'limit',
  CURSOR_EXPIRED: 'cursor_expired',
  TOKEN_EXPIRED: 'token_expired',
  SHUTTING_DOWN: 'shutdown',
  STREAM_UNAVAILABLE: 'broker_error',
  SUBGRAPH_UNAVAILABLE: 'subgraph_error',
  SUBGRAPH_TIMEOUT: 'subgraph_error',
  SUBGRAPH_BUSY: 'subgraph_error',
  BAD_USER_INPUT: 'bad_request',
};

/** The label of an ending: `complete` when the client stopped (no code), `error` for a code not listed. */
export function endReasonOf(code: string | undefined): EndReason {
  if (code === undefined) return 'complete';
  return Object.hasOwn(REASON_BY_CODE, code) ? REASON_BY_CODE[code]! : 'error';
}

/** From an event occurring at its producer to its payload handed to the transport: 5 ms to 1 min. */
const DELIVERY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export interface SubscriptionMetrics {
  /** Counts a subscription open; the returned function counts it ended, with the code it ended with (none: the client's doing). */
  opened(field: string, transport: Transport): (code: string | undefined) => void;
  /** Counts a connection open (a WebSocket, or an event stream); the returned function counts it closed. */
  connected(transport: Transport): () => void;
  /** A subscription refused by a limit before it started. */
  limited(): void;
  /** A WebSocket upgrade refused before the socket opened. */
  upgradeRefused(reason: UpgradeRefusal): void;
  /** One payload handed to the transport; `occurredAt` (the event's, ISO) for live events only, to time the delivery. */
  delivered(field: string, occurredAt: string | undefined): void;
}

/**
 * The subscription metrics, on `registry` (none: measured, never exposed). Every label is
 * from a closed set (the fields of `SUBSCRIPTION_FIELDS`, the two transports, `END_REASONS`)
 * and each series exists from the start at zero.
 */
export function subscriptionMetrics(
  registry: Registry | undefined,
  stream?: { connected(): boolean },
): SubscriptionMetrics {
  const declare = metricsOn(registry ?? new Registry());
  const active = declare.gauge(
    'potluck_gateway_subscriptions_active',
    'Subscriptions open now, by field and transport (ws, sse)',
    ['field', 'transport'],
  );
  const connections = declare.gauge(
    'potluck_gateway_subscription_connections_active',
    'Subscription connections open now: WebSockets past connection_init, and event streams',
    ['transport'],
  );
  const ended = declare.counter(
    'potluck_gateway_subscriptions_ended_total',
    `Subscriptions ended (or refused by a limit), by reason: ${END_REASONS.join(', ')}`,
    ['reason'],
  );
  const delivered = declare.counter(
    'potluck_gateway_subscription_events_delivered_total',
    'Payloads handed to a subscriber’s transport, backlog included, by field',
    ['field'],
  );
  const latency = declare.histogram(
    'potluck_gateway_subscription_delivery_seconds',
    'From a live event occurring at its producer to its payload handed to the subscriber’s transport, by field',
    ['field'],
    DELIVERY_BUCKETS,
  );
  const refusedUpgrades = declare.counter(
    'potluck_gateway_websocket_upgrades_refused_total',
    `WebSocket upgrades refused before the socket opened, by reason: ${UPGRADE_REFUSALS.join(', ')}`,
    ['reason'],
  );
  declare.reading(
    'potluck_gateway_subscription_stream_connected',
    '1 while the gateway’s live reader of the event stream is attached',
    () => (stream?.connected() ? 1 : 0),
  );
  // Bound once: a delivery (a thousand per event with a thousand subscribers) allocates no labels.
  const perField = new Map(
    [...SUBSCRIPTION_FIELDS.keys()].map((field) => {
      latency.zero({ field });
      for (const transport of TRANSPORTS) active.labels(field, transport).set(0);
      return [field, { delivered: delivered.labels(field), latency: latency.labels(field) }];
    }),
  );
  for (const bound of perField.values()) bound.delivered.inc(0);
  for (const transport of TRANSPORTS) connections.labels(transport).set(0);
  for (const reason of END_REASONS) ended.labels(reason).inc(0);
  for (const reason of UPGRADE_REFUSALS) refusedUpgrades.labels(reason).inc(0);

  return {
    opened(field, transport) {
      const open = active.labels(field, transport);
      open.inc();
      let done = false;
      return (code) => {
        if (done) return;
        done = true;
        open.dec();
        ended.labels(endReasonOf(code)).inc();
      };
    },
    connected(transport) {
      connections.labels(transport).inc();
      let done = false;
      return () => {
        if (done) return;
        done = true;
        connections.labels(transport).dec();
      };
    },
    limited: () => ended.labels('limit').inc(),
    upgradeRefused: (reason) => refusedUpgrades.labels(reason).inc(),
    delivered(field, occurredAt) {
      const bound = perField.get(field);
      if (!bound) return;
      bound.delivered.inc();
      if (occurredAt === undefined) return;
      const seconds = (Date.now() - Date.parse(occurredAt)) / 1000;
      if (Number.isFinite(seconds)) bound.latency.observe(Math.max(0, seconds));
    },
  };
}
