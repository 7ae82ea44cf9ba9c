import { resultHeader, writeResult } from './results.js';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { freePort } from '@potluck/testing';
import type { ServiceProcess } from '../../scripts/stack.js';
import { runInWorkspace, spawnBenchService, waitUntilReady } from './benchmarkRun.js';
import type { BenchWorkspace } from './gateways/benchStack.js';
import { round, summarize } from './stats.js';

/**
 * `npm run bench:subscriptions`: event committed → delivered to a subscriber, with 1, 100 and
 * 1,000 subscribers (each on its own WebSocket) to one recipe on one gateway. "Committed" is
 * the comment's `createdAt`, taken inside the writing transaction just before its commit, so
 * the figures are an upper bound by the few milliseconds the commit takes.
 */
const SUBSCRIBERS = (process.env.BENCH_SUBSCRIBERS ?? '1,100,1000').split(',').map(Number);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 50);
const RATE = Number(process.env.BENCH_RATE ?? 10);
const TARGET_P99_MS = 100;

const SUBSCRIPTION = `subscription($r: ID!) { commentAdded(recipeId: $r) {
  cursor comment { id text createdAt author { name } recipe { title commentCount } } } }`;

interface Stack {
  gatewayUrl: string;
  authorization: string;
  services: ServiceProcess[];
}

async function startStack(workspace: BenchWorkspace): Promise<Stack> {
  const [gatewayPort, recipesPort, commentsPort] = await Promise.all([freePort(), freePort(), freePort()]);
  const url = (port: number) => `http://127.0.0.1:${port}/graphql`;
  const services = [
    spawnBenchService(workspace, 'recipes', recipesPort),
    spawnBenchService(workspace, 'comments', commentsPort),
    spawnBenchService(workspace, 'gateway', gatewayPort, {
      RECIPES_URL: url(recipesPort),
      COMMENTS_URL: url(commentsPort),
      SUBSCRIPTIONS_PER_ADDRESS: String(Math.max(...SUBSCRIBERS) + 10),
      HTTP_MAX_CONNECTIONS: String(Math.max(...SUBSCRIBERS) + 100),
      WEBSOCKETS_MAX: String(Math.max(...SUBSCRIBERS) + 10),
    }),
  ];
  await waitUntilReady([recipesPort, commentsPort, gatewayPort]);
  return { gatewayUrl: url(gatewayPort), authorization: await workspace.auth.authorization(), services };
}

async function mutate<T>(stack: Stack, query: string, variables: Record<string, unknown>): Promise<T> {
  const response = await fetch(stack.gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: stack.authorization },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: unknown };
  if (!body.data) throw new Error(`mutation failed: ${JSON.stringify(body.errors)}`);
  return body.data;
}

const addComment = (stack: Stack, recipeId: string, text: string) =>
  mutate(stack, 'mutation($input: AddCommentInput!) { addComment(input: $input) { id } }', {
    input: { recipeId, text },
  });

interface Subscriber {
  client: Client;
  /** Per comment text: milliseconds from its createdAt to its arrival here. */
  latencies: Map<string, number>;
  /** Per comment text: when it arrived (Date.now()). */
  arrivals: Map<string, number>;
  stop(): void;
}

function subscribe(stack: Stack, recipeId: string): Subscriber {
  const client = createClient({
    url: stack.gatewayUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: true,
  });
  const latencies = new Map<string, number>();
  const arrivals = new Map<string, number>();
  const stop = client.subscribe(
    { query: SUBSCRIPTION, variables: { r: recipeId } },
    {
      next: ({ data }) => {
        const { text, createdAt } = (data as { commentAdded: { comment: { text: string; createdAt: string } } })
          .commentAdded.comment;
        latencies.set(text, Date.now() - Date.parse(createdAt));
        arrivals.set(text, Date.now());
      },
      error: (error) => console.error('subscription error', error),
      complete: () => undefined,
    },
  );
  return { client, latencies, arrivals, stop };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function measure(stack: Stack, count: number) {
  const { createRecipe } = await mutate<{ createRecipe: { id: string } }>(
    stack,
    'mutation($input: CreateRecipeInput!) { createRecipe(input: $input) { id } }',
    { input: { title: `bench ${count} subscribers`, timeMinutes: 5, price: '3' } },
  );
  const recipeId = createRecipe.id;
  // Opened a hundred at a time, as clients arriving over a second or so rather than in one burst.
  const subscribers: Subscriber[] = [];
  for (let opened = 0; opened < count; opened += 100) {
    subscribers.push(...Array.from({ length: Math.min(100, count - opened) }, () => subscribe(stack, recipeId)));
    await sleep(100);
  }
  // Live once a probe reaches every one of them.
  for (let probe = 0; subscribers.some((subscriber) => subscriber.latencies.size === 0); probe++) {
    if (probe > 100) throw new Error('the subscribers never all received a probe');
    await addComment(stack, recipeId, `probe ${probe}`).catch((error: unknown) => console.error(String(error)));
    await sleep(300);
  }
  const texts: string[] = [];
  let failed = 0;
  const answeredAt = new Map<string, number>();
  const start = performance.now();
  for (let index = 0; index < EVENTS; index++) {
    const wait = start + (index * 1000) / RATE - performance.now();
    if (wait > 0) await sleep(wait);
    const text = `event ${index}`;
    try {
      await addComment(stack, recipeId, text);
      texts.push(text);
      answeredAt.set(text, Date.now());
    } catch (error) {
      failed += 1;
      console.error(String(error));
    }
  }
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && subscribers.some((s) => texts.some((text) => !s.latencies.has(text))))
    await sleep(100);
  const samples = subscribers.flatMap((subscriber) =>
    texts.flatMap((text) => (subscriber.latencies.has(text) ? [subscriber.latencies.get(text)!] : [])),
  );
  const afterAnswer = subscribers.flatMap((subscriber) =>
    texts.flatMap((text) =>
      subscriber.arrivals.has(text) ? [subscriber.arrivals.get(text)! - answeredAt.get(text)!] : [],
    ),
  );
  const missing = subscribers.length * texts.length - samples.length;
  for (const subscriber of subscribers) subscriber.stop();
  await Promise.all(subscribers.map((subscriber) => subscriber.client.dispose()));
  const { p50, p95, p99 } = summarize(samples);
  return {
    subscribers: count,
    events: EVENTS,
    /** Mutations that failed (not counted as missing deliveries). */
    failed,
    deliveries: samples.length,
    missing,
    p50,
    p95,
    p99,
    max: round(Math.max(...samples)),
    /** From the mutation's answer reaching the client to the event reaching the subscriber (can be negative). */
    afterAnswerMs: summarize(afterAnswer),
  };
}

async function measureAll(stack: Stack): Promise<void> {
  const runs = [];
  for (const count of SUBSCRIBERS) runs.push(await measure(stack, count));
  const result = {
    ...resultHeader('subscriptions'),
    events: EVENTS,
    rate: RATE,
    targetP99Ms: TARGET_P99_MS,
    runs,
  };
  console.log(`
## Subscriptions (${result.date}, ${result.machine})

${EVENTS} comments at ${RATE}/s to one recipe; latency from the comment's commit to its arrival at each subscriber (one WebSocket each).

| subscribers | deliveries | missing | failed mutations | p50 | p95 | p99 | max | target | mutation answered → delivered p50 / p99 |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
${runs
  .map(
    (run) =>
      `| ${run.subscribers} | ${run.deliveries} | ${run.missing} | ${run.failed} | ${run.p50} ms | ${run.p95} ms | ${run.p99} ms | ${run.max} ms | p99 < ${TARGET_P99_MS} ms | ${run.afterAnswerMs.p50} / ${run.afterAnswerMs.p99} ms |`,
  )
  .join('\n')}
`);
  await writeResult('subscriptions', result, process.env.BENCH_RESULTS_DIR);
}

await runInWorkspace(startStack, measureAll);
