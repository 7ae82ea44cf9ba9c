import { currentRequest } from '@potluck/service';
import { Agent } from 'undici';
import { dedupeInflight } from './inflightDedupe.js';
import { subgraphCall, type SubgraphCall } from './subgraphCall.js';

export interface SubgraphPools {
  /** The call to subgraphs with this deadline. */
  callFor(timeoutMs: number): SubgraphCall;
  /** Closes the pooled keep-alive connections (at shutdown). */
  close(): Promise<void>;
}

/**
 * Puts on a request's log line (its `facts`, by default the current request's) whose subgraph
 * call carried its query, so its id stays traceable: a shared identical call or a merged one.
 */
export function noteSharedCall(requestIdOfCall: string | undefined, facts = currentRequest()): void {
  if (!facts || !requestIdOfCall || requestIdOfCall === facts.requestId) return;
  facts.sharedCallsOf = [...new Set([...(facts.sharedCallsOf ?? []), requestIdOfCall])];
}

function pooledCall(timeoutMs: number, dedupe: boolean) {
  const agent = new Agent({ keepAliveTimeout: 30_000, connect: { timeout: timeoutMs } });
  const direct = subgraphCall(agent, timeoutMs);
  return {
    agent,
    call: dedupe ? dedupeInflight(direct, { onJoin: (requestId) => noteSharedCall(requestId) }) : direct,
  };
}

/**
 * Keep-alive connection pools for subgraph calls, and a deadline on each call (connect,
 * headers and body) so a slow or silent subgraph can never hold a request. The connect
 * timeout belongs to a pool, so there is one pool per deadline; a subgraph's calls always
 * share its deadline, hence its pool, also across supergraph reloads. With `dedupe`,
 * concurrent identical queries share one call (see `dedupeInflight`).
 */
export function createSubgraphPools({ dedupe = true } = {}): SubgraphPools {
  const pools = new Map<number, ReturnType<typeof pooledCall>>();
  return {
    callFor(timeoutMs) {
      let pool = pools.get(timeoutMs);
      if (!pool) {
        pool = pooledCall(timeoutMs, dedupe);
        pools.set(timeoutMs, pool);
      }
      return pool.call;
    },
    async close() {
      await Promise.all([...pools.values()].map(({ agent }) => agent.close()));
    },
  };
}
