import { setTimeout as sleep } from 'node:timers/promises';
import { expect, it } from 'vitest';
import type { GraphQLClient } from '@potluck/client';
import { FAILPOINTS } from '@potluck/messaging';
import { waitForConvergence } from './convergence.js';
import { deliveryReport } from './deliveryChecks.js';
import { FaultTimeline } from './faultTimeline.js';
import { MutationDriver } from './mutationDriver.js';
import {
  armedAtStart,
  crashAndReturn,
  cutLinks,
  killAndReturn,
  planFaults,
  type FaultRecord,
} from './replicaFaults.js';
import { serviceLogEntries, useReplicaStack } from './replicaStack.js';
import { seededRandom, type SeededRandom } from './seededRandom.js';

// Two of everything over one pair of databases and one broker. Bounded by default (CI);
// REPLICA_CONVERGENCE_SECONDS runs the mutations longer, CONVERGENCE_SEED replays a run's random draws.
const seconds = Number(process.env.REPLICA_CONVERGENCE_SECONDS ?? 30);
const seed = Number(process.env.CONVERGENCE_SEED ?? Math.floor(Math.random() * 2 ** 31));
const WORKERS = 3;
const plan = planFaults(seededRandom(seed));

const stack = useReplicaStack({ env: { comments: { RECIPE_WAIT_MS: '1000' } }, firstStart: armedAtStart(plan) });

/** Mutations alternate between the gateways; counts what each answered and what succeeded while a replica was down. */
function throughBothGateways(clients: GraphQLClient[], record: FaultRecord) {
  const answered = clients.map(() => 0);
  let okWhileDown = 0;
  let turn = 0;
  const client: GraphQLClient = {
    async request(document, ...args) {
      const index = turn++ % clients.length;
      const started = Date.now();
      const data = await clients[index]!.request(document, ...args);
      answered[index]! += 1;
      if ([...record.down.values()].some((since) => since <= started)) okWhileDown += 1;
      return data;
    },
  };
  return { client, answered, okWhileDown: () => okWhileDown };
}

/**
 * The armed replicas die as events flow and come back; meanwhile the kills run one after
 * another, 2–5 s apart. A kill of an armed replica waits until it has died at its crash point
 * and come back (a SIGKILL from the test must not pass for the failpoint's).
 */
async function injectKills(timeline: FaultTimeline, record: FaultRecord, random: SeededRandom) {
  const armed = new Map(plan.armed.map((crash) => [crash.target, crashAndReturn(stack, timeline, record, crash)]));
  const kills = async () => {
    for (const kill of plan.kills) {
      await sleep(random.int(2000, 5000));
      await armed.get(kill.target);
      await killAndReturn(stack, timeline, record, kill);
    }
  };
  await Promise.all([...armed.values(), kills()]);
}

/** Keeps the workers mutating until the deadline has passed and `done()` says the faults are over. */
async function mutateUntil(driver: MutationDriver, deadline: number, done: () => boolean) {
  await Promise.all(
    Array.from({ length: WORKERS }, async (_, index) => {
      const random = seededRandom(seed + index + 1);
      while (Date.now() < deadline || !done()) await driver.work(random, Math.max(deadline, Date.now() + 500));
    }),
  );
}

/** What the run must have exercised, so a green run means the faults really happened and traffic really flowed. */
function expectFaultsAndTraffic(
  timeline: FaultTimeline,
  record: FaultRecord,
  driver: MutationDriver,
  gateways: ReturnType<typeof throughBothGateways>,
) {
  expect(driver.tally.unexpected).toEqual([]);
  expect(record.crashes.map((crash) => crash.failpoint).sort()).toEqual([...FAILPOINTS].sort());
  const died = [...record.kills, ...record.crashes.map((crash) => crash.target)];
  expect(new Set(died.map((label) => label.split('#')[0]))).toEqual(new Set(['recipes', 'comments', 'gateway']));
  expect(timeline.count('cut')).toBeGreaterThan(1);
  expect(driver.tally.ok.createRecipe).toBeGreaterThan(0);
  expect(driver.tally.ok.addComment).toBeGreaterThan(0);
  expect(gateways.answered, 'both gateways answered mutations').not.toContain(0);
  expect(gateways.okWhileDown(), 'mutations succeed while a replica is down').toBeGreaterThan(0);
  expect(driver.tally.okDuringCuts, 'mutations keep succeeding while broker links are cut').toBeGreaterThan(0);
  for (const balancer of Object.values(stack.balancers)) {
    expect(balancer.connections(), 'every subgraph replica served').not.toContain(0);
  }
}

it(
  'two replicas of each service and two gateways converge after random mutations, SIGKILLs at crash points and broker cuts',
  async () => {
    console.log(
      `replica convergence run: seed ${seed} (CONVERGENCE_SEED=${seed} replays its random draws; timing still varies), ${seconds} s, faults ${JSON.stringify(plan)}`,
    );
    const timeline = new FaultTimeline();
    const record: FaultRecord = { down: new Map(), crashes: [], kills: [] };
    const gateways = throughBothGateways(await Promise.all([stack.client(0), stack.client(1)]), record);
    const driver = new MutationDriver(gateways.client, timeline);
    const started = Date.now();
    let killsDone = false;
    await Promise.all([
      injectKills(timeline, record, seededRandom(seed + 200)).finally(() => (killsDone = true)),
      cutLinks(stack, timeline, seededRandom(seed + 100), () => killsDone && Date.now() >= started + seconds * 1000),
      mutateUntil(driver, started + seconds * 1000, () => killsDone),
    ]);
    const connections = {
      recipes: stack.balancers.recipes.connections(),
      comments: stack.balancers.comments.connections(),
    };
    console.log(`faults: ${timeline.describe(started)}`);
    console.log(`mutations: ${JSON.stringify(driver.tally)}, per gateway ${JSON.stringify(gateways.answered)}`);
    console.log(`connections per subgraph replica: ${JSON.stringify(connections)}`);
    expectFaultsAndTraffic(timeline, record, driver, gateways);

    await waitForConvergence(stack, 60_000);
    const consumed = { recipes: serviceLogEntries(stack, 'recipes'), comments: serviceLogEntries(stack, 'comments') };
    const delivery = await deliveryReport(stack, consumed);
    console.log(`consumed: ${delivery.applied} applied, ${delivery.duplicates} duplicates skipped`);
    expect(delivery.problems).toEqual([]);
    expect(
      delivery.applied,
      'the consumers logged what they applied (else no double application could be seen)',
    ).toBeGreaterThan(0);
    expect(delivery.duplicates, 'the crash points made redeliveries, and the inbox skipped them').toBeGreaterThan(0);
  },
  seconds * 1000 + 300_000,
);
