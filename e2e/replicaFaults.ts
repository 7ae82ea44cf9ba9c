import { setTimeout as sleep } from 'node:timers/promises';
import { FAILPOINTS, type Failpoint } from '@potluck/messaging';
import { waitFor } from '@potluck/testing';
import { hasExited } from '../scripts/stack.js';
import type { FaultTimeline } from './faultTimeline.js';
import type { Replica, ReplicaStack } from './replicaStack.js';
import type { SeededRandom } from './seededRandom.js';

/** A replica that dies at a crash point (its process SIGKILLs itself there). */
export interface CrashPoint {
  target: string;
  failpoint: Failpoint;
}

/**
 * What one run does to the replicas. Each crash point once, on random replicas: two are armed
 * from the start (one recipes and one comments replica, so each dies at the first event it
 * relays or consumes); mid-run, a random gateway is SIGKILLed, and a random subgraph replica
 * is SIGKILLed and started again armed with the third, in a random order. Every replica that
 * died comes back without failpoints. Each restart costs a process start, the dearest thing
 * on a small CI machine, so there are five.
 */
export interface FaultPlan {
  armed: CrashPoint[];
  kills: Array<{ target: string; failpoint?: Failpoint }>;
}

function shuffled<T>(items: readonly T[], random: SeededRandom): T[] {
  const copy = [...items];
  for (let index = copy.length - 1; index > 0; index -= 1) {
    const other = random.int(0, index);
    [copy[index], copy[other]] = [copy[other]!, copy[index]!];
  }
  return copy;
}

export function planFaults(random: SeededRandom, replicasPerService = 2): FaultPlan {
  const pick = (service: string) => `${service}#${random.int(1, replicasPerService)}`;
  const [first, second, third] = shuffled(FAILPOINTS, random) as [Failpoint, Failpoint, Failpoint];
  const [one, other] = shuffled(['recipes', 'comments'], random) as [string, string];
  return {
    armed: [
      { target: pick(one), failpoint: first },
      { target: pick(other), failpoint: second },
    ],
    kills: shuffled(
      [{ target: pick('gateway') }, { target: pick(random.pick([one, other])!), failpoint: third }],
      random,
    ),
  };
}

/** The environment the armed replicas start with, by label. */
export function armedAtStart(plan: FaultPlan): Record<string, Record<string, string>> {
  return Object.fromEntries(plan.armed.map(({ target, failpoint }) => [target, { FAILPOINTS: failpoint }]));
}

/** What happened to the replicas, for the test's assertions. */
export interface FaultRecord {
  /** Replicas down right now (dead, not yet live again), by label, with when they went down. */
  down: Map<string, number>;
  crashes: CrashPoint[];
  kills: string[];
}

/** Waits for a replica armed with a failpoint to die there: its process must end by SIGKILL. */
async function crashAt(replica: Replica, failpoint: Failpoint): Promise<void> {
  const ended = () => (hasExited(replica.process) ? String(replica.process.child.signalCode) : undefined);
  const signal = await waitFor(ended, {
    timeoutMs: 60_000,
    intervalMs: 100,
    what: `${replica.label} to die at ${failpoint}`,
  });
  if (signal !== 'SIGKILL') throw new Error(`${replica.label} armed with ${failpoint} ended by ${signal}`);
}

/** Starts a replica again without failpoints and fails unless it is live. */
async function bringBack(stack: ReplicaStack, replica: Replica): Promise<void> {
  await stack.restart(replica.label, { FAILPOINTS: '' });
  if (hasExited(replica.process)) throw new Error(`${replica.label} did not come back`);
}

/**
 * Lets an armed replica die at its crash point and brings it back. The whole time it is armed
 * counts as a restart window (requests failing meanwhile are expected); it is down from its death.
 */
export async function crashAndReturn(
  stack: ReplicaStack,
  timeline: FaultTimeline,
  record: FaultRecord,
  crash: CrashPoint,
) {
  const replica = stack.replica(crash.target);
  await timeline.record('restart', `${crash.target}@${crash.failpoint}`, async () => {
    await crashAt(replica, crash.failpoint);
    record.down.set(crash.target, Date.now());
    record.crashes.push(crash);
    try {
      await bringBack(stack, replica);
    } finally {
      record.down.delete(crash.target);
    }
  });
}

/** SIGKILLs a replica and starts it again: armed with a failpoint (then it dies there and comes back), or not. */
export async function killAndReturn(
  stack: ReplicaStack,
  timeline: FaultTimeline,
  record: FaultRecord,
  kill: FaultPlan['kills'][number],
) {
  const replica = stack.replica(kill.target);
  const killed = async () => {
    record.down.set(kill.target, Date.now());
    if (!hasExited(replica.process)) replica.process.child.kill('SIGKILL');
    await replica.process.exited;
    record.kills.push(kill.target);
  };
  if (!kill.failpoint) {
    await timeline.record('restart', kill.target, async () => {
      await killed();
      await sleep(1000);
      await bringBack(stack, replica).finally(() => record.down.delete(kill.target));
    });
    return;
  }
  const crash = { target: kill.target, failpoint: kill.failpoint };
  await timeline.record('restart', `${kill.target} (SIGKILL, then armed)`, async () => {
    await killed();
    await stack.restart(kill.target, { FAILPOINTS: kill.failpoint! }).finally(() => record.down.delete(kill.target));
  });
  await crashAndReturn(stack, timeline, record, crash);
}

/**
 * Cuts broker links at random until `done()`: one subgraph replica's, both of one service,
 * or all four (RabbitMQ gone for everyone), each for 1.5–4 s.
 */
export async function cutLinks(
  stack: ReplicaStack,
  timeline: FaultTimeline,
  random: SeededRandom,
  done: () => boolean,
) {
  const linked = stack.replicas.filter((replica) => replica.brokerLink);
  const groups = [
    ...linked.map((replica) => [replica]),
    ...['recipes', 'comments'].map((name) => linked.filter((replica) => replica.name === name)),
    linked,
  ];
  while (!done()) {
    await sleep(random.int(1000, 3000));
    if (done()) return;
    // The first cut takes every link, so each run has at least one full broker outage.
    const group = timeline.count('cut') === 0 ? linked : random.pick(groups)!;
    await timeline.record('cut', group.map((replica) => replica.label).join('+'), async () => {
      for (const replica of group) replica.brokerLink!.cut();
      try {
        await sleep(random.int(1500, 4000));
      } finally {
        for (const replica of group) replica.brokerLink!.restore();
      }
    });
  }
}
