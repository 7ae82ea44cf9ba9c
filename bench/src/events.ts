import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { dropDatabase, ensureDatabase, migrate, withDatabase } from '@potluck/db';
import {
  recipeEventFixture,
  deleteBrokerTopology,
  freePort,
  randomName,
  testAmqpUrl,
  testServerUrl,
  uniqueAmqpPrefix,
} from '@potluck/testing';
import {
  REPO_ROOT,
  SERVICES,
  spawnService,
  stopService,
  waitForHttpOk,
  type ServiceProcess,
} from '../../scripts/stack.js';
import { machine, percentile, round } from './stats.js';

/**
 * `npm run bench:events`: event propagation latency (recipes commit → comments replica
 * row visible) at a steady mutation rate, and relay throughput draining a backlog.
 * Runs its own recipes and comments processes over throwaway databases on 127.0.0.1.
 */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const RATE = Number(process.env.BENCH_RATE ?? 200);
const BACKLOG = Number(process.env.BENCH_BACKLOG ?? 10_000);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Stack {
  recipesUrl: string;
  recipesDb: string;
  commentsDb: string;
  services: ServiceProcess[];
}

async function startServices(prefix: string): Promise<Stack> {
  const [recipesDb, commentsDb] = ['recipes', 'comments'].map((name) =>
    withDatabase(testServerUrl(), randomName(`potluck_bench_${name}`)),
  );
  for (const [url, service] of [
    [recipesDb!, SERVICES.recipes],
    [commentsDb!, SERVICES.comments],
  ] as const) {
    await ensureDatabase(url);
    await migrate(url, path.join(REPO_ROOT, service.migrations));
  }
  const [recipesPort, commentsPort] = await Promise.all([freePort(), freePort()]);
  const common = {
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    AMQP_URL: testAmqpUrl(),
    AMQP_PREFIX: prefix,
    MIGRATE_ON_START: 'false',
    OUTBOX_BATCH_SIZE: '500',
  };
  const print = (name: string, line: string) => process.stderr.write(`[${name}] ${line}\n`);
  const services = [
    spawnService('recipes', { ...common, PORT: String(recipesPort), DATABASE_URL: recipesDb! }, print),
    spawnService('comments', { ...common, PORT: String(commentsPort), DATABASE_URL: commentsDb! }, print),
  ];
  for (const port of [recipesPort, commentsPort]) await waitForHttpOk(`http://127.0.0.1:${port}/health/ready`, 60_000);
  return {
    recipesUrl: `http://127.0.0.1:${recipesPort}/graphql`,
    recipesDb: recipesDb!,
    commentsDb: commentsDb!,
    services,
  };
}

/** Bench-only instrumentation: a NOTIFY per replica change, so visibility is timed without polling. */
async function watchReplica(commentsDb: string, onVisible: (recipeId: string) => void): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: commentsDb });
  await client.connect();
  await client.query(`
    CREATE FUNCTION bench_replica_notify() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN PERFORM pg_notify('bench_replica', NEW.id::text); RETURN NULL; END $$;
    CREATE TRIGGER bench_replica_notify AFTER INSERT ON recipe_replica FOR EACH ROW EXECUTE FUNCTION bench_replica_notify();
    LISTEN bench_replica;`);
  client.on('notification', (message) => onVisible(message.payload ?? ''));
  return client;
}

const CREATE = 'mutation($input: CreateRecipeInput!) { createRecipe(input: $input) { id } }';

async function createRecipe(url: string, index: number): Promise<string> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      query: CREATE,
      variables: { input: { title: `bench ${index}`, timeMinutes: 10, price: '5' } },
    }),
  });
  const body = (await response.json()) as { data?: { createRecipe: { id: string } }; errors?: unknown };
  if (!body.data) throw new Error(`createRecipe failed: ${JSON.stringify(body.errors)}`);
  return body.data.createRecipe.id;
}

/** Open loop: one mutation every 1000/RATE ms whatever the latency, for SECONDS. */
async function measureLatency(stack: Stack) {
  const visibleAt = new Map<string, number>();
  const listener = await watchReplica(stack.commentsDb, (id) => visibleAt.set(id, performance.now()));
  const committedAt = new Map<string, number>();
  const sentAt = new Map<string, number>();
  const total = SECONDS * RATE;
  const inFlight: Promise<void>[] = [];
  let errors = 0;
  const start = performance.now();
  for (let index = 0; index < total; index += 1) {
    const due = start + (index * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const sent = performance.now();
    inFlight.push(
      createRecipe(stack.recipesUrl, index).then(
        (id) => {
          committedAt.set(id, performance.now());
          sentAt.set(id, sent);
        },
        () => void (errors += 1),
      ),
    );
  }
  await Promise.all(inFlight);
  const deadline = performance.now() + 10_000;
  while (visibleAt.size < committedAt.size && performance.now() < deadline) await sleep(50);
  await listener.end();
  const fromCommit: number[] = [];
  const fromRequest: number[] = [];
  for (const [id, committed] of committedAt) {
    const visible = visibleAt.get(id);
    if (visible === undefined) continue;
    fromCommit.push(Math.max(0, visible - committed));
    fromRequest.push(visible - sentAt.get(id)!);
  }
  const summary = (values: number[]) => ({
    p50: round(percentile(values, 50)),
    p95: round(percentile(values, 95)),
    p99: round(percentile(values, 99)),
  });
  return {
    mutations: committedAt.size,
    errors,
    notVisible: committedAt.size - fromCommit.length,
    achievedRate: round(committedAt.size / ((performance.now() - start) / 1000)),
    commitToVisibleMs: summary(fromCommit),
    requestToVisibleMs: summary(fromRequest),
  };
}

async function insertBacklog(recipesDb: string, count: number): Promise<void> {
  const client = new pg.Client({ connectionString: recipesDb });
  await client.connect();
  try {
    await client.query('BEGIN');
    for (let offset = 0; offset < count; offset += 1000) {
      const events = Array.from({ length: Math.min(1000, count - offset) }, () =>
        recipeEventFixture('recipe.created', uuidv7(), 1, uuidv7()),
      );
      await client.query(
        `INSERT INTO outbox (id, type, aggregate_id, aggregate_version, payload, next_attempt_at)
         SELECT (e->>'id')::uuid, e->>'type', (e->>'aggregateId')::uuid, 1, e, now() + interval '1 hour'
           FROM jsonb_array_elements($1::jsonb) AS e`,
        [JSON.stringify(events)],
      );
    }
    await client.query('COMMIT');
  } finally {
    await client.end();
  }
}

async function scalar(url: string, sql: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return Number((await client.query(sql)).rows[0].n);
  } finally {
    await client.end();
  }
}

/** Queues a backlog that is not yet due, releases it at once, and times the relay (and the consumer) draining it. */
async function measureBacklog(stack: Stack) {
  const replicaBefore = await scalar(stack.commentsDb, 'SELECT count(*) AS n FROM recipe_replica');
  await insertBacklog(stack.recipesDb, BACKLOG);
  const start = performance.now();
  await scalar(
    stack.recipesDb,
    'WITH released AS (UPDATE outbox SET next_attempt_at = now() WHERE sent_at IS NULL RETURNING 1) SELECT count(*) AS n FROM released',
  );
  let relayDone: number | undefined;
  let consumerDone: number | undefined;
  const deadline = start + 120_000;
  while ((!relayDone || !consumerDone) && performance.now() < deadline) {
    if (!relayDone && (await scalar(stack.recipesDb, 'SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL')) === 0)
      relayDone = performance.now();
    if (
      !consumerDone &&
      (await scalar(stack.commentsDb, 'SELECT count(*) AS n FROM recipe_replica')) >= replicaBefore + BACKLOG
    )
      consumerDone = performance.now();
    await sleep(20);
  }
  const perSecond = (done?: number) => (done ? round(BACKLOG / ((done - start) / 1000), 0) : 0);
  return {
    events: BACKLOG,
    relaySeconds: relayDone ? round((relayDone - start) / 1000, 2) : null,
    relayEventsPerSecond: perSecond(relayDone),
    consumerSeconds: consumerDone ? round((consumerDone - start) / 1000, 2) : null,
    consumerEventsPerSecond: perSecond(consumerDone),
  };
}

async function main(): Promise<void> {
  const prefix = uniqueAmqpPrefix();
  const stack = await startServices(prefix);
  try {
    const latency = await measureLatency(stack);
    const backlog = await measureBacklog(stack);
    const result = {
      benchmark: 'events',
      date: new Date().toISOString(),
      machine: machine(),
      seconds: SECONDS,
      rate: RATE,
      latency,
      backlog,
    };
    console.log(`
## Event sync (${result.date}, ${result.machine})

| measure | value | target |
| --- | --- | --- |
| mutations at ${RATE}/s for ${SECONDS} s | ${latency.mutations} ok, ${latency.errors} errors, ${latency.notVisible} not visible, ${latency.achievedRate}/s achieved | |
| commit → replica visible p50 / p95 / p99 | ${latency.commitToVisibleMs.p50} / ${latency.commitToVisibleMs.p95} / ${latency.commitToVisibleMs.p99} ms | p99 ≤ 50 ms |
| request sent → replica visible p50 / p95 / p99 | ${latency.requestToVisibleMs.p50} / ${latency.requestToVisibleMs.p95} / ${latency.requestToVisibleMs.p99} ms | |
| relay draining ${BACKLOG} events | ${backlog.relaySeconds} s, ${backlog.relayEventsPerSecond} events/s | ≥ 5,000 events/s |
| consumer applying them | ${backlog.consumerSeconds} s, ${backlog.consumerEventsPerSecond} events/s | |
`);
    const dir = path.join(REPO_ROOT, 'bench', 'results');
    await mkdir(dir, { recursive: true });
    await writeFile(
      path.join(dir, `events-${result.date.replace(/[:.]/g, '-')}.json`),
      `${JSON.stringify(result, null, 2)}\n`,
    );
  } finally {
    await Promise.all(stack.services.map((service) => stopService(service)));
    await Promise.all([dropDatabase(stack.recipesDb), dropDatabase(stack.commentsDb)]);
    await deleteBrokerTopology(prefix);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
