import { GraphQLError } from 'graphql';
import { Counter, Histogram, type Registry } from 'prom-client';
import type { BatchObserver } from './batching/subgraphBatcher.js';

export type SubgraphCallOutcome = 'ok' | 'error' | 'timeout' | 'unavailable';

/** Observers of one subgraph's calls, one per outcome, bound once so a call allocates no labels. */
export type SubgraphCallTimer = Record<SubgraphCallOutcome, (seconds: number) => void>;

const OUTCOMES: readonly SubgraphCallOutcome[] = ['ok', 'error', 'timeout', 'unavailable'];

/**
 * `potluck_gateway_subgraph_request_duration_seconds` by subgraph and outcome: each fetch of
 * a query plan as the gateway waits for it (a call shared with an identical one in flight
 * counts for each). Subgraph names come from the supergraph, so they are bounded; a reload
 * that adds one adds its series.
 */
export function subgraphCallMetrics(registry: Registry): (subgraph: string) => SubgraphCallTimer {
  const histogram = new Histogram({
    name: 'potluck_gateway_subgraph_request_duration_seconds',
    help: 'Subgraph fetches of the gateway, by subgraph and outcome (ok, error: an answer with errors, timeout, unavailable)',
    labelNames: ['subgraph', 'outcome'],
    registers: [registry],
  });
  const timers = new Map<string, SubgraphCallTimer>();
  return (subgraph) => {
    let timer = timers.get(subgraph);
    if (!timer) {
      timer = {} as SubgraphCallTimer;
      for (const outcome of OUTCOMES) {
        histogram.zero({ subgraph, outcome });
        timer[outcome] = histogram.labels(subgraph, outcome).observe;
      }
      timers.set(subgraph, timer);
    }
    return timer;
  };
}

/** The outcome of a fetch that threw: the coded errors `SubgraphDataSource` turns failures into, else `error`. */
export function failedCallOutcome(error: unknown): SubgraphCallOutcome {
  const code = error instanceof GraphQLError ? error.extensions.code : undefined;
  if (code === 'SUBGRAPH_TIMEOUT') return 'timeout';
  if (code === 'SUBGRAPH_UNAVAILABLE' || code === 'SUBGRAPH_BUSY') return 'unavailable';
  return 'error';
}

/**
 * `potluck_gateway_subgraph_batch_fetches` by subgraph: every subgraph call, by how many
 * distinct fetches it carried (1: alone; see `SubgraphBatcher`), and
 * `potluck_gateway_subgraph_batch_resent_total`: fetches of merged calls sent again alone.
 */
export function subgraphBatchMetrics(registry: Registry): (subgraph: string) => BatchObserver {
  const fetches = new Histogram({
    name: 'potluck_gateway_subgraph_batch_fetches',
    help: 'Subgraph calls of the gateway by how many distinct fetches each carried (1: sent alone)',
    labelNames: ['subgraph'],
    buckets: [1, 2, 4, 8, 16, 32],
    registers: [registry],
  });
  const resent = new Counter({
    name: 'potluck_gateway_subgraph_batch_resent_total',
    help: 'Fetches of a merged subgraph call that failed as a whole and were sent again alone',
    labelNames: ['subgraph'],
    registers: [registry],
  });
  return (subgraph) => {
    fetches.zero({ subgraph });
    resent.labels(subgraph).inc(0);
    return { sent: fetches.labels(subgraph).observe, resent: (count) => resent.labels(subgraph).inc(count) };
  };
}
