import { z } from 'zod';
import { parseEnv } from '@potluck/service';
import { resultHeader, writeResult } from './results.js';
import { freePort } from '@potluck/testing';
import type { ServiceProcess } from '../../scripts/stack.js';
import { runInWorkspace, spawnBenchService, waitUntilReady } from './benchmarkRun.js';
import { BENCH_USER } from './gateways/benchAuth.js';
import type { BenchWorkspace } from './gateways/benchStack.js';
import { measureBacklog } from './eventBacklog.js';
import { measureLatency } from './eventLatency.js';
import { measureStages } from './eventStages.js';
import { writeCharts } from './charts/writeCharts.js';
import { seconds, whole } from './configFields.js';

/**
 * `npm run bench:events`: event propagation latency (recipes commit → comments replica
 * row visible) at a steady mutation rate, and relay throughput draining a backlog.
 * Runs its own recipes and comments processes over throwaway databases on 127.0.0.1.
 */
const {
  BENCH_SECONDS: SECONDS,
  BENCH_WARMUP_SECONDS: WARMUP_SECONDS,
  BENCH_RATE: RATE,
  BENCH_BACKLOG: BACKLOG,
} = parseEnv(
  z.object({
    BENCH_SECONDS: seconds(15),
    BENCH_WARMUP_SECONDS: z.coerce.number().min(0, 'must be 0 or more seconds').default(3),
    BENCH_RATE: whole(200),
    BENCH_BACKLOG: whole(10_000),
  }),
  process.env,
);
/**
 * What the relay runs with, recorded with the results: the batch size (500 unless
 * `OUTBOX_BATCH_SIZE` is set for an A/B) and how many batches it keeps in flight (the services'
 * default unless `OUTBOX_BATCHES_IN_FLIGHT` is set, which the services inherit).
 */
const RELAY_SETTINGS = {
  OUTBOX_BATCH_SIZE: process.env.OUTBOX_BATCH_SIZE ?? '500',
  OUTBOX_BATCHES_IN_FLIGHT: process.env.OUTBOX_BATCHES_IN_FLIGHT ?? 'default',
};

interface Stack {
  recipesUrl: string;
  /** The gateway credential each mutation sent straight to the recipes subgraph carries (signed in as the bench user). */
  recipesCredential: () => Promise<string>;
  recipesDb: string;
  commentsDb: string;
  services: ServiceProcess[];
}

async function startServices(workspace: BenchWorkspace): Promise<Stack> {
  const { recipes: recipesDb, comments: commentsDb } = workspace.databases;
  const [recipesPort, commentsPort] = await Promise.all([freePort(), freePort()]);
  const batches = { OUTBOX_BATCH_SIZE: RELAY_SETTINGS.OUTBOX_BATCH_SIZE };
  const services = [
    spawnBenchService(workspace, 'recipes', recipesPort, batches),
    spawnBenchService(workspace, 'comments', commentsPort, batches),
  ];
  await waitUntilReady([recipesPort, commentsPort]);
  return {
    recipesUrl: `http://127.0.0.1:${recipesPort}/graphql`,
    recipesCredential: () => workspace.auth.credential('recipes', BENCH_USER),
    recipesDb,
    commentsDb,
    services,
  };
}

async function measureAll(stack: Stack): Promise<void> {
  const latency = await measureLatency(stack, SECONDS, RATE, WARMUP_SECONDS);
  const stages = await measureStages(stack.recipesDb, stack.commentsDb, latency.measuredFrom);
  const backlog = await measureBacklog(stack, BACKLOG);
  const result = {
    ...resultHeader('events'),
    seconds: SECONDS,
    warmupSeconds: WARMUP_SECONDS,
    rate: RATE,
    relaySettings: RELAY_SETTINGS,
    latency,
    stages,
    backlog,
  };
  console.log(`
## Event sync (${result.date}, ${result.machine})

| measure | value | target |
| --- | --- | --- |
| mutations at ${RATE}/s for ${SECONDS} s | ${latency.mutations} ok, ${latency.errors} errors, ${latency.notVisible} not visible, ${latency.achievedRate}/s achieved | |
| commit → replica visible p50 / p95 / p99 | ${latency.commitToVisibleMs.p50} / ${latency.commitToVisibleMs.p95} / ${latency.commitToVisibleMs.p99} ms | p99 ≤ 50 ms |
| request sent → replica visible p50 / p95 / p99 | ${latency.requestToVisibleMs.p50} / ${latency.requestToVisibleMs.p95} / ${latency.requestToVisibleMs.p99} ms | |
| cold start: the ${WARMUP_SECONDS} s warm-up before, request sent → visible p50 / p99 / max | ${latency.coldStart ? `${latency.coldStart.requestToVisibleMs.p50} / ${latency.coldStart.requestToVisibleMs.p99} / ${latency.coldStart.requestToVisibleMs.max} ms` : 'no warm-up'} | |
| where it waited: mutation tx start → relay tx start p50 / p95 / p99 | ${stages.mutationToRelayMs.p50} / ${stages.mutationToRelayMs.p95} / ${stages.mutationToRelayMs.p99} ms | |
| where it waited: relay tx start → consumer tx start p50 / p95 / p99 | ${stages.relayToConsumerMs.p50} / ${stages.relayToConsumerMs.p95} / ${stages.relayToConsumerMs.p99} ms | |
| relay draining ${BACKLOG} events (batches of ${RELAY_SETTINGS.OUTBOX_BATCH_SIZE}, in flight: ${RELAY_SETTINGS.OUTBOX_BATCHES_IN_FLIGHT}) | ${backlog.relaySeconds} s, ${backlog.relayEventsPerSecond} events/s | ≥ 5,000 events/s |
| consumer applying them | ${backlog.consumerSeconds} s, ${backlog.consumerEventsPerSecond} events/s | |
`);
  const file = await writeResult('events', result, process.env.BENCH_RESULTS_DIR);
  for (const written of [file, ...(await writeCharts(file))]) console.error(`[bench:events] wrote ${written}`);
}

await runInWorkspace(startServices, measureAll);
