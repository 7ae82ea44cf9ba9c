import { queryRows as rows } from '@potluck/testing';
import type { ConvergenceTarget } from './convergence.js';

type Subgraph = 'recipes' | 'comments';

/** Who consumes whose events: each subgraph applies every event the other publishes. */
const CONSUMER_OF: Record<Subgraph, Subgraph> = { recipes: 'comments', comments: 'recipes' };

/** What the consumers logged ("event consumed", one entry per message, with outcome `applied` or `duplicate`). */
export type ConsumedLog = Record<Subgraph, Array<Record<string, unknown>>>;

export interface DeliveryReport {
  problems: string[];
  /** Deliveries the inbox recognised as seen before (redeliveries after a crash, republished events). */
  duplicates: number;
  applied: number;
}

/** Events sent by `producer` that never reached its consumer's inbox. */
async function lostEvents(target: ConvergenceTarget, producer: Subgraph): Promise<string[]> {
  const consumer = CONSUMER_OF[producer];
  const [sent, received] = await Promise.all([
    rows(target.databaseUrls[producer], 'SELECT id::text, type FROM outbox WHERE sent_at IS NOT NULL'),
    rows(target.databaseUrls[consumer], 'SELECT message_id::text AS id FROM inbox'),
  ]);
  const seen = new Set(received.map((row) => String(row.id)));
  return sent
    .filter((row) => !seen.has(String(row.id)))
    .map((row) => `${producer}'s ${String(row.type)} ${String(row.id)} never reached ${consumer}'s inbox`);
}

/**
 * Aggregates whose announced versions are not exactly 1, 2, …, n: a version announced twice
 * (two replicas deciding the same change) or skipped. Replicas order events by these
 * versions, so this is what per-aggregate order rests on when replicas publish side by side.
 */
async function versionGaps(target: ConvergenceTarget, producer: Subgraph): Promise<string[]> {
  const broken = await rows(
    target.databaseUrls[producer],
    `SELECT aggregate_id::text AS id, array_agg(aggregate_version ORDER BY aggregate_version) AS versions
       FROM outbox GROUP BY aggregate_id
     HAVING min(aggregate_version) <> 1 OR max(aggregate_version) <> count(*)
         OR count(DISTINCT aggregate_version) <> count(*)`,
  );
  return broken.map(
    (row) => `${producer} aggregate ${String(row.id)} announced versions ${JSON.stringify(row.versions)}`,
  );
}

/** Messages a service's consumers logged as applied more than once, across all its replicas and restarts. */
function appliedTwice(service: Subgraph, entries: ConsumedLog[Subgraph]): { problems: string[]; applied: number } {
  const times = new Map<string, number>();
  for (const entry of entries) {
    if (entry.msg === 'event consumed' && entry.outcome === 'applied') {
      const id = String(entry.eventId);
      times.set(id, (times.get(id) ?? 0) + 1);
    }
  }
  const problems = [...times]
    .filter(([, count]) => count > 1)
    .map(([id, count]) => `${service} applied event ${id} ${count} times`);
  return { problems, applied: times.size };
}

/**
 * The message-level half of convergence, for a run with several relays and consumers:
 * every event sent reached the other side's inbox (nothing lost), no consumer applied a
 * message twice (read from every replica's log), and every aggregate's versions run 1…n.
 * Call it once the stack has converged (`waitForConvergence`).
 */
export async function deliveryReport(target: ConvergenceTarget, consumed: ConsumedLog): Promise<DeliveryReport> {
  const problems: string[] = [];
  let applied = 0;
  for (const service of ['recipes', 'comments'] as const) {
    problems.push(...(await lostEvents(target, service)), ...(await versionGaps(target, service)));
    const twice = appliedTwice(service, consumed[service]);
    problems.push(...twice.problems);
    applied += twice.applied;
  }
  const duplicates = [...consumed.recipes, ...consumed.comments].filter(
    (entry) => entry.msg === 'event consumed' && entry.outcome === 'duplicate',
  ).length;
  return { problems, duplicates, applied };
}
