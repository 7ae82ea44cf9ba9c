import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTcpProxy, testAmqpUrl, type TcpProxy } from '@potluck/testing';
import { waitForConvergence } from './convergence.js';
import { FaultTimeline } from './faultTimeline.js';
import { MutationDriver } from './mutationDriver.js';
import { seededRandom, type SeededRandom } from './seededRandom.js';
import { logEntries, waitForGatewayReady } from './stackProbes.js';
import { useStack } from './stack.js';

// Bounded by default (CI); CONVERGENCE_SECONDS runs it longer, CONVERGENCE_SEED replays a run's random draws.
const seconds = Number(process.env.CONVERGENCE_SECONDS ?? 40);
const seed = Number(process.env.CONVERGENCE_SEED ?? Math.floor(Math.random() * 2 ** 31));
const WORKERS = 3;

type Subgraph = 'recipes' | 'comments';

const proxies = {} as Record<Subgraph, TcpProxy>;

beforeAll(async () => {
  proxies.recipes = await startTcpProxy(5672);
  proxies.comments = await startTcpProxy(5672);
});

afterAll(async () => {
  await Promise.all(Object.values(proxies).map((proxy) => proxy.close()));
});

const stack = useStack(() => ({
  recipes: { AMQP_URL: proxies.recipes.url(testAmqpUrl()) },
  comments: { AMQP_URL: proxies.comments.url(testAmqpUrl()), RECIPE_WAIT_MS: '1000' },
}));

// Registered after the stack, so it runs first: no service stops while its link is cut.
afterAll(() => {
  for (const proxy of Object.values(proxies)) proxy.restore();
});

/** Cuts the broker link of one or both subgraphs (random unless given) for a few seconds, then restores it. */
async function cutLinks(timeline: FaultTimeline, random: SeededRandom, given?: Subgraph[]): Promise<void> {
  const targets = given ?? random.pick([['recipes'], ['comments'], ['recipes', 'comments']] as const)!.slice();
  await timeline.record('cut', targets.join('+'), async () => {
    for (const target of targets) proxies[target].cut();
    try {
      await sleep(random.int(1500, 4000));
    } finally {
      for (const target of targets) proxies[target].restore();
    }
  });
}

/**
 * Restarts one subgraph with SIGTERM (graceful shutdown mid-traffic) and waits for the
 * stack to be ready again. With `unreachableBroker` the new process starts while its
 * broker link is cut, and must come up live, then catch up once the link returns.
 */
async function restart(timeline: FaultTimeline, service: Subgraph, random: SeededRandom, unreachableBroker: boolean) {
  await timeline.record('restart', service, async () => {
    if (unreachableBroker) {
      await timeline.record('cut', service, async () => {
        proxies[service].cut();
        try {
          await stack.restart(service);
          await sleep(random.int(1000, 3000));
        } finally {
          proxies[service].restore();
        }
      });
    } else {
      await stack.restart(service);
    }
    await waitForGatewayReady(stack);
  });
}

/** Faults until `deadline`: link cuts at random intervals, one restart of each subgraph (comments' without a broker). */
async function injectFaults(timeline: FaultTimeline, random: SeededRandom, started: number, deadline: number) {
  const length = deadline - started;
  const restarts = [
    { service: 'recipes' as const, unreachableBroker: false, at: started + length * (0.25 + random.next() * 0.15) },
    { service: 'comments' as const, unreachableBroker: true, at: started + length * (0.55 + random.next() * 0.15) },
  ];
  while (Date.now() < deadline) {
    await sleep(random.int(1000, 3000));
    if (Date.now() >= deadline) return;
    const due = restarts.find((planned) => planned.at <= Date.now());
    if (due) {
      restarts.splice(restarts.indexOf(due), 1);
      await restart(timeline, due.service, random, due.unreachableBroker);
    } else {
      // The first cut takes both links, so every run cuts each subgraph at least once.
      await cutLinks(timeline, random, timeline.count('cut') === 0 ? ['recipes', 'comments'] : undefined);
    }
  }
  for (const missed of restarts) await restart(timeline, missed.service, random, missed.unreachableBroker);
}

it(
  `converges after ${seconds} s of random mutations, broker link cuts and restarts`,
  async () => {
    console.log(
      `convergence run: seed ${seed} (CONVERGENCE_SEED=${seed} replays its random draws; timing still varies), ${seconds} s`,
    );
    const timeline = new FaultTimeline();
    const driver = new MutationDriver(await stack.client(), timeline);
    const started = Date.now();
    const deadline = started + seconds * 1000;
    await Promise.all([
      injectFaults(timeline, seededRandom(seed), started, deadline),
      ...Array.from({ length: WORKERS }, (_, index) => driver.work(seededRandom(seed + index + 1), deadline)),
    ]);
    console.log(`faults: ${timeline.describe(started)}`);
    console.log(`mutations: ${JSON.stringify(driver.tally)}`);

    expect(driver.tally.unexpected).toEqual([]);
    expect(timeline.count('restart')).toBe(2);
    expect(timeline.count('cut')).toBeGreaterThan(1);
    expect(driver.tally.ok.createRecipe).toBeGreaterThan(0);
    expect(driver.tally.ok.addComment).toBeGreaterThan(0);
    expect(driver.tally.okDuringCuts, 'mutations keep succeeding while the broker is unreachable').toBeGreaterThan(0);
    for (const service of ['recipes', 'comments'] as const) {
      const lost = logEntries(stack, service).filter((entry) => entry.msg === 'broker disconnected; reconnecting');
      expect(lost.length, `${service} noticed a cut`).toBeGreaterThan(0);
    }
    await waitForConvergence(stack, 60_000);
  },
  seconds * 1000 + 180_000,
);
