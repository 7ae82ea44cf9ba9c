import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Link,
  type Span,
  type TextMapGetter,
} from '@opentelemetry/api';
import type { ConsumeMessage } from 'amqplib';

/**
 * Trace context across the broker, through `@opentelemetry/api` only: without a registered
 * SDK every call here is a no-op. The mutation's context is stored with its outbox row
 * (`traceContextOfActive`), the relay's publish span continues it and writes it into the
 * message headers, and the consumer's span continues it from there.
 */
const tracer = () => trace.getTracer('@potluck/messaging');

/** W3C `traceparent` is 55 characters; `tracestate` is at most 32 members of 256 (the W3C bound is 512 characters). */
const MAX_TRACE_HEADER_LENGTH = 8192;

/** A carrier as the propagator writes it: header names to values (`traceparent`, `tracestate`). */
export type TraceCarrier = Record<string, string>;

/** The active context as a carrier, or null when there is no trace to continue. */
export function traceContextOfActive(): TraceCarrier | null {
  const carrier: TraceCarrier = {};
  propagation.inject(context.active(), carrier);
  return Object.keys(carrier).length > 0 ? carrier : null;
}

/**
 * Reads only string values of a bounded length: the stored column and AMQP headers are
 * data from outside this process (a broker header may be a number, a table, a Buffer, or
 * a megabyte), and the propagator ignores a malformed value, continuing nothing.
 */
const boundedStrings: TextMapGetter<unknown> = {
  keys: (carrier) => (carrier && typeof carrier === 'object' ? Object.keys(carrier) : []),
  get(carrier, key) {
    const value: unknown =
      carrier && typeof carrier === 'object' ? (carrier as Record<string, unknown>)[key] : undefined;
    return typeof value === 'string' && value.length <= MAX_TRACE_HEADER_LENGTH ? value : undefined;
  },
};

/** The context a carrier names, or the root context (a new trace) when it names none. */
export function contextFrom(carrier: unknown): Context {
  return propagation.extract(ROOT_CONTEXT, carrier, boundedStrings);
}

const RABBITMQ = { 'messaging.system.name': 'rabbitmq' } as const;

export interface PublishFacts {
  exchange: string;
  routingKey: string;
  messageId: string;
  correlationId?: string | undefined;
  bodySize: number;
}

/**
 * Runs `publish` in a PRODUCER span that continues `parent` (the outbox row's stored
 * context), handing it the headers that carry the span's own context to the consumer.
 */
export async function tracedPublish(
  parent: Context,
  facts: PublishFacts,
  publish: (traceHeaders: TraceCarrier) => Promise<void>,
): Promise<void> {
  const attributes: Attributes = {
    ...RABBITMQ,
    'messaging.operation.type': 'send',
    'messaging.operation.name': 'publish',
    'messaging.destination.name': facts.exchange,
    'rabbitmq.destination.routing_key': facts.routingKey,
    'messaging.message.id': facts.messageId,
    'messaging.message.body.size': facts.bodySize,
    ...(facts.correlationId && { 'messaging.message.conversation_id': facts.correlationId }),
  };
  const span = tracer().startSpan(`publish ${facts.exchange}`, { kind: SpanKind.PRODUCER, attributes }, parent);
  const headers: TraceCarrier = {};
  propagation.inject(trace.setSpan(parent, span), headers);
  try {
    await publish(headers);
  } catch (error) {
    failed(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/** One delivery's CONSUMER span, from its arrival to its ack, retry or parking. */
export interface ConsumeTrace {
  /** The span's context: what the handler's SQL and the events it appends run in. */
  readonly context: Context;
  /** Ends the span with what became of the message (`unsettled`: it could not be moved, the broker redelivers it). */
  end(outcome: 'applied' | 'duplicate' | 'retried' | 'parked' | 'unsettled', error?: unknown): void;
}

/**
 * Starts a delivery's CONSUMER span as a child of the context its headers carry (the
 * relay's publish span), or as a new trace when they carry none. A publisher the consumer
 * does not trust (`trusted` false) chooses nothing, not even sampling: its headers are not read.
 * The span starts at `receivedAt` (ms since the epoch), so it includes the wait in the consumer's buffer.
 */
export function startConsume(
  message: ConsumeMessage,
  { queue, receivedAt, trusted }: { queue: string; receivedAt: number; trusted: boolean },
): ConsumeTrace {
  const { fields, properties, content } = message;
  const parent = trusted ? contextFrom(properties.headers) : ROOT_CONTEXT;
  const { messageId, correlationId }: { messageId: unknown; correlationId: unknown } = properties;
  const attributes: Attributes = {
    ...RABBITMQ,
    'messaging.operation.type': 'process',
    'messaging.operation.name': 'process',
    'messaging.destination.name': fields.exchange,
    'messaging.destination.subscription.name': queue,
    'rabbitmq.destination.routing_key': fields.routingKey,
    'rabbitmq.message.delivery_tag': fields.deliveryTag,
    'messaging.message.body.size': content.length,
    ...(typeof messageId === 'string' && { 'messaging.message.id': messageId }),
    ...(typeof correlationId === 'string' && { 'messaging.message.conversation_id': correlationId }),
  };
  const span = tracer().startSpan(
    `process ${queue}`,
    { kind: SpanKind.CONSUMER, attributes, startTime: receivedAt },
    parent,
  );
  return {
    context: trace.setSpan(parent, span),
    end(outcome, error) {
      span.setAttribute('potluck.message.outcome', outcome);
      if (error !== undefined) failed(span, error);
      span.end();
    },
  };
}

/**
 * Runs a transaction shared by several deliveries in a span of its own that links to each
 * delivery's span: the BEGIN and COMMIT belong to all of them, so to none of their traces.
 * A single delivery's transaction runs in that delivery's own context.
 */
export function inBatchSpan<T>(queue: string, deliveries: readonly ConsumeTrace[], work: () => Promise<T>): Promise<T> {
  if (deliveries.length === 1) return context.with(deliveries[0]!.context, work);
  const links: Link[] = deliveries.map((delivery) => ({ context: trace.getSpanContext(delivery.context)! }));
  const attributes: Attributes = {
    ...RABBITMQ,
    'messaging.operation.type': 'process',
    'messaging.operation.name': 'process',
    'messaging.destination.subscription.name': queue,
    'messaging.batch.message_count': deliveries.length,
  };
  return tracer().startActiveSpan(
    `process ${queue}`,
    { kind: SpanKind.CONSUMER, attributes, links },
    ROOT_CONTEXT,
    async (span) => {
      try {
        return await work();
      } catch (error) {
        failed(span, error);
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

function failed(span: Span, error: unknown): void {
  const described = error instanceof Error ? error : new Error(String(error));
  span.recordException(described);
  span.setStatus({ code: SpanStatusCode.ERROR, message: described.message });
  span.setAttribute('error.type', described.name);
}
