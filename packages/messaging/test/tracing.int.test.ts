import { randomBytes, randomUUID } from 'node:crypto';
import { SpanKind, SpanStatusCode, trace, type SpanContext } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendToOutbox, type ValidEvent } from '@potluck/messaging';
import { recordSpansInMemory, type SpansInMemory } from '@potluck/telemetry/testing';
import { waitFor } from '@potluck/testing';
import { openInboxDatabase, startTestConsumer, type InboxDatabase, type TestConsumer } from './consumerHarness.js';
import { commitToOutbox, startTestRelay } from './relayHarness.js';
import { recipeEvent, type PgTransaction } from './support.js';

let tracing: SpansInMemory;
let database: InboxDatabase;
let run: TestConsumer;
/** What the handler does for an aggregate id, besides recording the event as applied. */
const handlers = new Map<string, (event: ValidEvent, tx: PgTransaction) => void | Promise<void>>();

beforeAll(async () => {
  tracing = recordSpansInMemory();
  database = await openInboxDatabase();
  run = await startTestConsumer(database, {
    behaviour: (event, tx) => handlers.get(event.aggregateId)?.(event, tx),
    retryBaseDelayMs: 50,
  });
});

afterAll(async () => {
  await run?.stop();
  await database?.close();
  await tracing?.stop();
});

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const traceparent = (context: Pick<SpanContext, 'traceId' | 'spanId'>) => `00-${context.traceId}-${context.spanId}-01`;

function spansOf(messageId: string, kind: SpanKind): ReadableSpan[] {
  return tracing.spans().filter((span) => span.kind === kind && span.attributes['messaging.message.id'] === messageId);
}

/** The consumer's spans for a message once `count` of them have ended. */
function consumed(messageId: string, count = 1): Promise<ReadableSpan[]> {
  return waitFor(
    () => {
      const spans = spansOf(messageId, SpanKind.CONSUMER);
      return spans.length >= count ? spans : undefined;
    },
    { what: `${count} consume span(s) of ${messageId}` },
  );
}

async function storedTraceContext(id: string): Promise<unknown> {
  const { rows } = await database.pool.query('SELECT trace_context FROM outbox WHERE id = $1', [id]);
  return rows[0]?.trace_context;
}

/** Publishes an event straight to the consumer's exchange with these headers, as any publisher could. */
async function publishWith(headers: Record<string, unknown>): Promise<ValidEvent> {
  const event = recipeEvent('recipe.created', randomUUID(), 1);
  await run.publish(event.type, event, event.id, { headers });
  return event;
}

describe('a trace across the broker', () => {
  it('goes from the writer’s transaction to the outbox row, the publish span, the AMQP headers, the consume span and the events its handler appends', async () => {
    const relay = await startTestRelay({ databaseUrl: database.url, prefix: run.prefix });
    try {
      const received = await relay.receive();
      const event = recipeEvent('recipe.created', randomUUID(), 1);
      const followUp = recipeEvent('recipe.updated', randomUUID(), 2);
      handlers.set(event.aggregateId, (_event, tx) => appendToOutbox(tx, followUp));
      const request = await trace.getTracer('test').startActiveSpan('createRecipe', async (span) => {
        await commitToOutbox(database.pool, [event]);
        span.end();
        return span.spanContext();
      });
      await run.waitApplied(followUp.id);

      expect(await storedTraceContext(event.id)).toEqual({ traceparent: traceparent(request) });
      const [publish] = spansOf(event.id, SpanKind.PRODUCER);
      expect(publish?.name).toBe(`publish ${relay.exchange}`);
      expect(publish?.spanContext().traceId).toBe(request.traceId);
      expect(publish?.parentSpanContext?.spanId).toBe(request.spanId);
      expect(publish?.attributes).toMatchObject({
        'messaging.system.name': 'rabbitmq',
        'messaging.operation.type': 'send',
        'messaging.operation.name': 'publish',
        'messaging.destination.name': relay.exchange,
        'rabbitmq.destination.routing_key': 'recipe.created',
        'messaging.message.id': event.id,
      });
      const message = await waitFor(() => received.find((candidate) => candidate.id === event.id));
      expect(message.properties.headers?.traceparent).toBe(traceparent(publish!.spanContext()));

      const [consume] = await consumed(event.id);
      expect(consume?.spanContext().traceId).toBe(request.traceId);
      expect(consume?.parentSpanContext?.spanId).toBe(publish?.spanContext().spanId);
      expect(consume?.attributes).toMatchObject({
        'messaging.system.name': 'rabbitmq',
        'messaging.operation.type': 'process',
        'messaging.destination.subscription.name': run.topology.workQueue,
        'messaging.message.id': event.id,
        'potluck.message.outcome': 'applied',
      });

      // The handler's own write continues the consumed message's trace, and so on across the broker again.
      expect(await storedTraceContext(followUp.id)).toEqual({ traceparent: traceparent(consume!.spanContext()) });
      const [next] = await consumed(followUp.id);
      expect(next?.spanContext().traceId).toBe(request.traceId);
    } finally {
      await relay.stop();
    }
  });

  it('starts a trace at the relay for a row written outside one (a replay, a row from before tracing)', async () => {
    const relay = await startTestRelay({ databaseUrl: database.url, prefix: run.prefix });
    try {
      const event = recipeEvent('recipe.created', randomUUID(), 1);
      await commitToOutbox(database.pool, [event]);
      expect(await storedTraceContext(event.id)).toBeNull();
      const [consume] = await consumed(event.id);
      const [publish] = spansOf(event.id, SpanKind.PRODUCER);
      expect(publish?.parentSpanContext).toBeUndefined();
      expect(consume?.parentSpanContext?.spanId).toBe(publish?.spanContext().spanId);
    } finally {
      await relay.stop();
    }
  });

  it('keeps a retried message in the trace it came with: each attempt is a span under the same publish', async () => {
    const sent = { traceId: hex(16), spanId: hex(8) };
    const event = recipeEvent('recipe.created', randomUUID(), 1);
    let attempts = 0;
    handlers.set(event.aggregateId, () => {
      attempts += 1;
      if (attempts === 1) throw new Error('the first attempt fails');
    });
    await run.publish(event.type, event, event.id, { headers: { traceparent: traceparent(sent) } });
    const spans = await consumed(event.id, 2);
    expect(spans.map((span) => span.attributes['potluck.message.outcome'])).toEqual(['retried', 'applied']);
    expect(spans[0]?.status.code).toBe(SpanStatusCode.ERROR);
    for (const span of spans) {
      expect(span.spanContext().traceId).toBe(sent.traceId);
      expect(span.parentSpanContext?.spanId).toBe(sent.spanId);
    }
  });

  it('gives each message of a batch its own trace, and the shared transaction a span linking them all', async () => {
    const gate = Promise.withResolvers<void>();
    let holding = false;
    const blocker = recipeEvent('recipe.created', randomUUID(), 1);
    handlers.set(blocker.aggregateId, () => {
      holding = true;
      return gate.promise;
    });
    await run.publish(blocker.type, blocker, blocker.id);
    await waitFor(() => (holding ? true : undefined), { what: 'the first message to hold the consumer' });
    // While it does, these are delivered into the consumer's buffer, and then applied as one batch.
    const sent = Array.from({ length: 8 }, () => ({ traceId: hex(16), spanId: hex(8) }));
    const events = sent.map(() => recipeEvent('recipe.created', randomUUID(), 1));
    const handledIn = new Map<string, string | undefined>();
    for (const [index, event] of events.entries()) {
      handlers.set(event.aggregateId, () => void handledIn.set(event.id, trace.getActiveSpan()?.spanContext().spanId));
      await run.publish(event.type, event, event.id, { headers: { traceparent: traceparent(sent[index]!) } });
    }
    const { workQueue } = run.topology;
    await waitFor(async () => ((await run.test.channel.checkQueue(workQueue)).messageCount === 0 ? true : undefined), {
      what: 'every message delivered to the consumer',
    });
    gate.resolve();

    const spans = await Promise.all(events.map(async (event) => (await consumed(event.id))[0]!));
    spans.forEach((span, index) => {
      expect(span.spanContext().traceId).toBe(sent[index]!.traceId);
      expect(handledIn.get(events[index]!.id), 'the handler runs in its message’s span').toBe(
        span.spanContext().spanId,
      );
    });
    const batch = tracing
      .spans()
      .find((span) => span.links.some((link) => link.context.spanId === spans[0]?.spanContext().spanId));
    expect(batch?.name).toBe(`process ${run.topology.workQueue}`);
    expect(batch?.parentSpanContext).toBeUndefined();
    const linked = new Set(batch?.links.map((link) => link.context.spanId));
    expect(batch?.attributes['messaging.batch.message_count']).toBe(linked.size);
    expect(linked.size).toBeGreaterThan(1);
    expect(spans.filter((span) => linked.has(span.spanContext().spanId)).length).toBe(linked.size);
  });
});

describe('trace context from the broker is checked before it is believed', () => {
  it('ignores a malformed traceparent: the message is applied in a trace of its own', async () => {
    const valid = { traceId: hex(16), spanId: hex(8) };
    const hostile: unknown[] = [
      'not a traceparent',
      `00-${'0'.repeat(32)}-${valid.spanId}-01`,
      `ff-${valid.traceId}-${valid.spanId}-01`,
      `00-${valid.traceId}-${valid.spanId}-01-${'x'.repeat(10_000)}`,
      42,
      { traceparent: traceparent(valid) },
      Buffer.from(traceparent(valid)),
    ];
    for (const value of hostile) {
      const event = await publishWith({ traceparent: value, tracestate: 'a=1' });
      await run.waitApplied(event.id);
      const [span] = await consumed(event.id);
      expect(span?.parentSpanContext, String(value).slice(0, 40)).toBeUndefined();
      expect(span?.spanContext().traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(span?.spanContext().traceId).not.toBe(valid.traceId);
    }
  });

  it('does not continue the trace of a publisher the consumer does not trust, and parks its message', async () => {
    const stranger = await startTestConsumer(database, { behaviour: () => undefined, publishers: ['someone-else'] });
    try {
      const sent = { traceId: hex(16), spanId: hex(8) };
      const event = recipeEvent('recipe.created', randomUUID(), 1);
      await stranger.publish(event.type, event, event.id, { headers: { traceparent: traceparent(sent) } });
      const [span] = await consumed(event.id);
      expect(span?.attributes['potluck.message.outcome']).toBe('parked');
      expect(span?.parentSpanContext).toBeUndefined();
      expect(span?.spanContext().traceId).not.toBe(sent.traceId);
    } finally {
      await stranger.stop();
    }
  });
});
