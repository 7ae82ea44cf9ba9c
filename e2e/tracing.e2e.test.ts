import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CreateRecipeDocument } from '@potluck/client';
import { waitFor } from '@potluck/testing';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './otlpReceiver.js';
import { useStack } from './stack.js';

const SERVER = 2;
const CLIENT = 3;
const PRODUCER = 4;
const CONSUMER = 5;

let receiver: OtlpReceiver;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
});

afterAll(() => receiver.close());

// Each service exports to the receiver as it would to a collector (http/json so the test can read it), every 100 ms.
const exporting = () => ({
  OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
  OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
  OTEL_BSP_SCHEDULE_DELAY: '100',
});
const stack = useStack(() => ({ gateway: exporting(), recipes: exporting(), comments: exporting() }));

/** The span's ancestors within its trace, nearest first. */
function ancestorsOf(span: ReceivedSpan, trace: ReceivedSpan[]): ReceivedSpan[] {
  const byId = new Map(trace.map((candidate) => [candidate.spanId, candidate]));
  const chain: ReceivedSpan[] = [];
  for (let parent = byId.get(span.parentSpanId); parent; parent = byId.get(parent.parentSpanId)) chain.push(parent);
  return chain;
}

it('shows a createRecipe as one trace: gateway, recipes and its SQL, publish, the comments consumer and its replica upsert', async () => {
  const client = await stack.client();
  // A caller's trace context is not continued at the gateway: it would pick our trace id and sampling.
  const forged = { traceId: randomBytes(16).toString('hex'), spanId: randomBytes(8).toString('hex') };
  const title = `traced ${randomBytes(4).toString('hex')}`;
  await client.request(
    CreateRecipeDocument,
    { input: { title, timeMinutes: 10, price: '5' } },
    { headers: { traceparent: `00-${forged.traceId}-${forged.spanId}-01` } },
  );

  const entry = await waitFor(
    () =>
      receiver.spans.find(
        (span) => span.name === 'gateway.request' && span.attributes.operationName === 'CreateRecipe',
      ),
    { what: 'the gateway’s CreateRecipe span' },
  );
  const inTrace = () => receiver.spans.filter((span) => span.traceId === entry.traceId);
  const upsert = await waitFor(
    () =>
      inTrace().find(
        (span) =>
          span.service === 'comments' && /INSERT INTO recipe_replica/.test(String(span.attributes['db.query.text'])),
      ),
    { what: 'the comments replica upsert in the same trace', timeoutMs: 15_000 },
  );
  const trace = inTrace();
  const of = (service: string, predicate: (span: ReceivedSpan) => boolean) =>
    trace.find((span) => span.service === service && predicate(span));

  expect(entry.traceId).not.toBe(forged.traceId);
  const gatewayServer = of('gateway', (span) => span.kind === SERVER);
  expect(gatewayServer?.parentSpanId, 'the gateway starts the trace').toBe('');
  expect(gatewayServer?.name, 'express names the route').toBe('POST /graphql');
  expect(of('gateway', (span) => span.name === 'gateway.plan')).toBeDefined();
  const fetch = of('gateway', (span) => span.name === 'gateway.fetch' && span.attributes.service === 'recipes');
  const call = of('gateway', (span) => span.kind === CLIENT && span.parentSpanId === fetch?.spanId);
  expect(call?.attributes['http.request.method'], 'undici traces the subgraph call').toBe('POST');

  const recipesServer = of('recipes', (span) => span.kind === SERVER);
  expect(recipesServer?.parentSpanId, 'the subgraph continues the gateway’s call').toBe(call?.spanId);
  const operation = of('recipes', (span) => span.attributes['graphql.operation.type'] === 'mutation');
  expect(operation?.attributes['graphql.operation.name']).toMatch(/^CreateRecipe/);
  const outboxInsert = of('recipes', (span) => /INSERT INTO outbox/.test(String(span.attributes['db.query.text'])));
  expect(outboxInsert?.attributes['db.system.name']).toBe('postgresql');
  expect(ancestorsOf(outboxInsert!, trace), 'the outbox insert runs under the mutation').toContain(operation);
  expect(of('recipes', (span) => span.name.startsWith('prisma:client:'))).toBeDefined();

  const publish = of('recipes', (span) => span.kind === PRODUCER);
  expect(publish?.attributes).toMatchObject({
    'messaging.system.name': 'rabbitmq',
    'messaging.operation.name': 'publish',
    'messaging.destination.name': `${stack.amqpPrefix}.recipes.events`,
    'rabbitmq.destination.routing_key': 'recipe.created',
  });
  expect(ancestorsOf(publish!, trace), 'the relay continues the transaction that wrote the row').toContain(operation);
  const consume = of('comments', (span) => span.kind === CONSUMER);
  expect(consume?.parentSpanId, 'the consumer continues the publish').toBe(publish?.spanId);
  expect(consume?.attributes['messaging.message.id']).toBe(publish?.attributes['messaging.message.id']);
  expect(ancestorsOf(upsert, trace), 'the replica upsert runs under the consume span').toContain(consume);

  const consumedLine = stack.logs.find((line) => line.startsWith('[comments]') && line.includes('"event consumed"'));
  expect(consumedLine, 'the consumer’s log line leads to the trace').toContain(`"trace_id":"${entry.traceId}"`);
});

it('keeps a GET query’s variables out of spans and the request log, and cuts long attribute values', async () => {
  const secret = `secret-${randomBytes(6).toString('hex')}@example.com`;
  // A long query the gateway refuses (unknown fields): its text would be one huge graphql.source.
  const unknownFields = Array.from({ length: 400 }, (_, index) => `unknownField${index}WithALongName`).join(' ');
  const query = `query LongAndSecret($t: String) { recipes(first: 1, filter: { titleContains: $t }) { totalCount ${unknownFields} } }`;
  const url = new URL(stack.gatewayUrl);
  url.searchParams.set('query', query);
  url.searchParams.set('variables', JSON.stringify({ t: secret }));
  const response = await fetch(url, { headers: { 'apollo-require-preflight': 'true' } });
  expect(response.status).toBe(400);

  const server = await waitFor(
    () =>
      receiver.spans.find((span) => span.service === 'gateway' && span.kind === SERVER && span.name.startsWith('GET')),
    { what: 'the gateway’s GET span' },
  );
  const parse = await waitFor(
    () =>
      receiver.spans.find(
        (span) => span.traceId === server.traceId && typeof span.attributes['graphql.source'] === 'string',
      ),
    { what: 'the GET request’s graphql.source' },
  );
  expect(String(parse.attributes['graphql.source']).length).toBe(4096);
  for (const span of receiver.spans.filter((candidate) => candidate.traceId === server.traceId)) {
    expect(JSON.stringify(span.attributes), span.name).not.toContain(secret.slice(0, 12));
    expect(JSON.stringify(span.attributes), span.name).not.toContain('variables');
  }
  const logLines = stack.logs.filter((line) => line.startsWith('[gateway]') && line.includes('"GET"'));
  expect(logLines.length).toBeGreaterThan(0);
  expect(logLines.join('\n')).not.toContain(secret.slice(0, 12));
  expect(logLines.join('\n')).not.toContain('variables=');
});
