import pg from 'pg';
import { Pool } from 'undici';
import { GATEWAY_CREDENTIAL_HEADER } from '@potluck/identity';
import { round, summarize } from './stats.js';
import { logHistogram } from './distributions.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface LatencyTarget {
  recipesUrl: string;
  /** Signs each mutation in, as the gateway would send it (the recipes subgraph answers only a gateway). */
  recipesCredential: () => Promise<string>;
  commentsDb: string;
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

/**
 * One mutation over a keep-alive undici pool. The client shares the cores with what it
 * measures: with the global `fetch` it took a third of a core at 200 mutations/s, with
 * undici's own `request` a fifth.
 */
async function createRecipe(stack: LatencyTarget, pool: Pool, index: number): Promise<string> {
  const response = await pool.request({
    path: new URL(stack.recipesUrl).pathname,
    method: 'POST',
    headers: { 'content-type': 'application/json', [GATEWAY_CREDENTIAL_HEADER]: await stack.recipesCredential() },
    body: JSON.stringify({
      query: CREATE,
      variables: { input: { title: `bench ${index}`, timeMinutes: 10, price: '5' } },
    }),
  });
  const body = (await response.body.json()) as { data?: { createRecipe: { id: string } }; errors?: unknown };
  if (!body.data) throw new Error(`createRecipe failed (${response.statusCode}): ${JSON.stringify(body.errors)}`);
  return body.data.createRecipe.id;
}

interface OpenLoopRun {
  committedAt: Map<string, number>;
  sentAt: Map<string, number>;
  errors: number;
  seconds: number;
}

/** Open loop: one mutation every 1000/rate ms whatever the latency, for `seconds`; then waits (bounded) until they are visible. */
async function openLoop(
  stack: LatencyTarget,
  pool: Pool,
  visibleAt: Map<string, number>,
  seconds: number,
  rate: number,
): Promise<OpenLoopRun> {
  const committedAt = new Map<string, number>();
  const sentAt = new Map<string, number>();
  const inFlight: Promise<void>[] = [];
  let errors = 0;
  const start = performance.now();
  for (let index = 0; index < seconds * rate; index += 1) {
    const due = start + (index * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const sent = performance.now();
    inFlight.push(
      createRecipe(stack, pool, index).then(
        (id) => {
          committedAt.set(id, performance.now());
          sentAt.set(id, sent);
        },
        () => void (errors += 1),
      ),
    );
  }
  await Promise.all(inFlight);
  const elapsed = (performance.now() - start) / 1000;
  const deadline = performance.now() + 10_000;
  const allVisible = () => [...committedAt.keys()].every((id) => visibleAt.has(id));
  while (!allVisible() && performance.now() < deadline) await sleep(50);
  return { committedAt, sentAt, errors, seconds: elapsed };
}

/** Commit → visible and request sent → visible of each mutation of a run that became visible. */
function lagsOf(run: OpenLoopRun, visibleAt: Map<string, number>) {
  const fromCommit: number[] = [];
  const fromRequest: number[] = [];
  for (const [id, committed] of run.committedAt) {
    const visible = visibleAt.get(id);
    if (visible === undefined) continue;
    fromCommit.push(Math.max(0, visible - committed));
    fromRequest.push(visible - run.sentAt.get(id)!);
  }
  return { fromCommit, fromRequest };
}

/**
 * Event lag at a steady mutation rate. A warm-up at the same rate comes first, unmeasured
 * as the gateway benchmark's are: services that have served nothing yet compile their code
 * and open their database connections under the first requests, and at 200 mutations/s
 * those first seconds queue requests for up to seconds. The warm-up's own lag is reported
 * apart, as the cold start. `measuredFrom` (epoch ms) is where the measured events begin.
 */
export async function measureLatency(stack: LatencyTarget, seconds: number, rate: number, warmupSeconds: number) {
  const visibleAt = new Map<string, number>();
  const listener = await watchReplica(stack.commentsDb, (id) => visibleAt.set(id, performance.now()));
  const pool = new Pool(new URL(stack.recipesUrl).origin, { pipelining: 1 });
  try {
    const warmup = warmupSeconds > 0 ? await openLoop(stack, pool, visibleAt, warmupSeconds, rate) : undefined;
    const measuredFrom = Date.now();
    const run = await openLoop(stack, pool, visibleAt, seconds, rate);
    const { fromCommit, fromRequest } = lagsOf(run, visibleAt);
    const coldStart = warmup && lagsOf(warmup, visibleAt).fromRequest;
    return {
      mutations: run.committedAt.size,
      errors: run.errors,
      notVisible: run.committedAt.size - fromCommit.length,
      achievedRate: round(run.committedAt.size / run.seconds),
      commitToVisibleMs: summarize(fromCommit),
      requestToVisibleMs: summarize(fromRequest),
      histogramsMs: { commitToVisible: logHistogram(fromCommit), requestToVisible: logHistogram(fromRequest) },
      measuredFrom,
      coldStart: coldStart && {
        seconds: warmupSeconds,
        mutations: warmup.committedAt.size,
        errors: warmup.errors,
        requestToVisibleMs: { ...summarize(coldStart), max: round(Math.max(0, ...coldStart)) },
      },
    };
  } finally {
    await pool.close();
    await listener.end();
  }
}
