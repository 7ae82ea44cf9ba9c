import { freePort, queryRows } from '@potluck/testing';
import {
  insertBacklog,
  openDrainClients,
  releaseBacklog,
  waitForDrain,
  type DrainClients,
  type QueuedEvent,
} from '../eventBacklog.js';
import type { BenchWorkspace } from '../gateways/benchStack.js';
import { sampleProcesses } from '../gateways/processSampler.js';
import { round } from '../stats.js';
import type { ReplicaBenchConfig } from './config.js';
import { Fleet, type ProcessSpec } from './fleet.js';
import { watchMachineCpu } from './machineCpu.js';
import { inTurn } from './rounds.js';

/** How many recipes processes (each one relay publishing the backlog) and comments processes (each one consumer applying it). */
export interface EventShape {
  relays: number;
  consumers: number;
}

export interface DrainResult {
  relayEventsPerSecond: number | null;
  consumerEventsPerSecond: number | null;
  /** How busy the machine's cores were (everything on it) from release to the last event applied, %. */
  machineCpuBusy: number | null;
  /** CPU time the recipes processes (relays) and the comments processes (consumers) spent per 1,000 events, all of them summed, ms. */
  cpuMsPer1000Events: { relays: number; consumers: number };
}

export const EVENT_SHAPES: EventShape[] = [
  { relays: 1, consumers: 1 },
  { relays: 2, consumers: 1 },
  { relays: 2, consumers: 2 },
  { relays: 1, consumers: 2 },
];

/** Two recipes and two comments processes on free ports, as `bench:events` runs them (batches of 500, warn logs). */
async function specsOf(workspace: BenchWorkspace, config: ReplicaBenchConfig): Promise<Record<string, ProcessSpec>> {
  const specs: Record<string, ProcessSpec> = {};
  for (const name of ['recipes', 'comments'] as const) {
    for (const index of [1, 2]) {
      const port = await freePort();
      specs[`${name}-${index}`] = {
        service: name,
        readyUrl: `http://127.0.0.1:${port}/health/ready`,
        env: {
          HOST: '127.0.0.1',
          PORT: String(port),
          LOG_LEVEL: 'warn',
          DATABASE_URL: workspace.databases[name],
          AMQP_URL: config.AMQP_URL,
          AMQP_PREFIX: workspace.amqpPrefix,
          MIGRATE_ON_START: 'false',
          OUTBOX_BATCH_SIZE: '500',
          ...workspace.auth.env,
        },
      };
    }
  }
  return specs;
}

const labelsOf = (shape: EventShape) => [
  ...Array.from({ length: shape.relays }, (_, index) => `recipes-${index + 1}`),
  ...Array.from({ length: shape.consumers }, (_, index) => `comments-${index + 1}`),
];

/**
 * Queues `backlog` events, releases them all at once and wakes every relay (NOTIFY, as an
 * outbox insert does), then times the relays publishing them and the consumers applying
 * them. Each measurement starts from empty tables, so every round does the same work.
 */
async function drain(workspace: BenchWorkspace, fleet: Fleet, backlog: number): Promise<DrainResult> {
  const { recipes, comments } = workspace.databases;
  await queryRows(recipes, 'TRUNCATE outbox');
  await queryRows(comments, 'TRUNCATE recipe_replica, inbox');
  const last = await insertBacklog(recipes, backlog);
  const db = await openDrainClients(recipes, comments);
  try {
    return await timeDrain(db, fleet, last, backlog);
  } finally {
    await db.close();
  }
}

async function timeDrain(db: DrainClients, fleet: Fleet, last: QueuedEvent, backlog: number): Promise<DrainResult> {
  const cpu = watchMachineCpu();
  const processes = sampleProcesses(fleet.pids());
  const start = performance.now();
  await releaseBacklog(db);
  const { relayDone, consumerDone } = await waitForDrain(db, last, backlog, start + 180_000);
  const perSecond = (done?: number) => (done ? round(backlog / ((done - start) / 1000), 0) : null);
  const machineCpuBusy = cpu.stop();
  const { cpuMs } = processes.stop();
  const per1000 = (prefix: string) =>
    round(
      (Object.entries(cpuMs).reduce((sum, [label, ms]) => sum + (label.startsWith(prefix) ? ms : 0), 0) / backlog) *
        1000,
      0,
    );
  return {
    relayEventsPerSecond: perSecond(relayDone),
    consumerEventsPerSecond: perSecond(consumerDone),
    machineCpuBusy,
    cpuMsPer1000Events: { relays: per1000('recipes'), consumers: per1000('comments') },
  };
}

/**
 * Relay and consumer throughput with one and two of each, over one pair of databases and one
 * broker prefix: every shape is measured once per round, the shapes interleaved (each round
 * starting one shape later), starting and stopping only the processes a shape adds or drops.
 */
export async function measureEventReplicas(
  workspace: BenchWorkspace,
  config: ReplicaBenchConfig,
  log: (line: string) => void,
): Promise<Array<EventShape & { runs: DrainResult[] }>> {
  const fleet = new Fleet(workspace, await specsOf(workspace, config));
  const results = EVENT_SHAPES.map((shape) => ({ ...shape, runs: [] as DrainResult[] }));
  try {
    // The comments queue must exist before anything is published (the relay publishes as mandatory),
    // and a first drain, not measured, warms the processes (JIT) and Postgres' caches.
    await fleet.exactly(labelsOf({ relays: 1, consumers: 1 }));
    log(`events warm-up: ${JSON.stringify(await drain(workspace, fleet, config.BENCH_BACKLOG))}`);
    for (let round = 1; round <= config.BENCH_ROUNDS; round += 1) {
      for (const result of inTurn(results, round)) {
        await fleet.exactly(labelsOf(result));
        const run = await drain(workspace, fleet, config.BENCH_BACKLOG);
        log(
          `events round ${round}: ${result.relays} relay(s), ${result.consumers} consumer(s): ${JSON.stringify(run)}`,
        );
        result.runs.push(run);
      }
    }
  } finally {
    await fleet.stopAll();
  }
  return results;
}
