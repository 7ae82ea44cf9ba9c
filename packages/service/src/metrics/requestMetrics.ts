import type { ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import { Histogram, type Registry } from 'prom-client';
import { requestFacts } from '../http/requestLog.js';
import {
  ANONYMOUS_OPERATION,
  OTHER_OPERATION,
  operationLabeler,
  requestOutcome,
  type RequestOutcome,
} from './labels.js';

type Observe = (seconds: number) => void;
type ByOutcome = Record<RequestOutcome, Observe>;

const OUTCOMES: readonly RequestOutcome[] = ['ok', 'client_error', 'server_error', 'aborted'];

/**
 * Express middleware for `/graphql` that times every request, from its arrival to the last
 * byte of the answer (or the client leaving), into `potluck_graphql_request_duration_seconds`
 * by operation and outcome. Operation labels come from a fixed set (see `operationLabeler`),
 * so their series exist from the start and each observation reuses one: nothing is
 * allocated per request beyond prom-client's own bookkeeping.
 */
export function graphqlRequestMetrics(registry: Registry, knownOperations: readonly string[]): RequestHandler {
  const histogram = new Histogram({
    name: 'potluck_graphql_request_duration_seconds',
    help: 'GraphQL requests from arrival to the last byte of the answer, by operation (a known name, "other" or "anonymous") and outcome',
    labelNames: ['operation', 'outcome'],
    registers: [registry],
  });
  const labelOf = operationLabeler(knownOperations);
  const series = new Map<string, ByOutcome>();
  for (const operation of new Set([...knownOperations, OTHER_OPERATION, ANONYMOUS_OPERATION])) {
    const byOutcome = {} as ByOutcome;
    for (const outcome of OUTCOMES) {
      if (outcome !== 'aborted') histogram.zero({ operation, outcome });
      byOutcome[outcome] = histogram.labels(operation, outcome).observe;
    }
    series.set(operation, byOutcome);
  }

  function observe(this: ServerResponse): void {
    const facts = requestFacts(this.req);
    if (facts.startedAt === undefined) return;
    const outcome = this.writableFinished ? requestOutcome(this.statusCode, facts.errors) : 'aborted';
    series.get(labelOf(facts.operationName))![outcome]((performance.now() - facts.startedAt) / 1000);
  }

  return (req, res, next) => {
    requestFacts(req).startedAt = performance.now();
    res.on('close', observe);
    next();
  };
}
