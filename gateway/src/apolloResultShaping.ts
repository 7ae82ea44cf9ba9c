import { createRequire } from 'node:module';
import { computeResponse } from './resultShaping.js';

/**
 * Apollo Gateway's result-shaping module. Its `executeQueryPlan` looks `computeResponse` up on
 * this module's exports at every call, so replacing it there is the one way in: Apollo
 * Gateway takes no option for it. `@apollo/gateway` is pinned to one exact version, and
 * `apolloResultShaping.unit.test.ts` fails if an upgrade moves or stops reading it.
 */
const apolloModule = createRequire(import.meta.url)('@apollo/gateway/dist/resultShaping.js') as Record<
  string | symbol,
  typeof computeResponse
>;
// Apollo's own is kept on the module itself: Node loads that once per process, where this file
// may be evaluated more than once (vitest isolates each test file's modules, not Node's).
const APOLLOS = Symbol.for('potluck.apolloComputeResponse');
apolloModule[APOLLOS] ??= apolloModule.computeResponse!;
const apollos = apolloModule[APOLLOS];

export type ResultShaping = 'potluck' | 'apollo';
export const RESULT_SHAPINGS: readonly ResultShaping[] = ['potluck', 'apollo'];

/**
 * Which function turns the data of a query plan's fetches into the response, for every
 * Apollo Gateway in this process: Potluck's (`resultShaping.ts`, the same results for less
 * CPU) or Apollo's own.
 */
export function useResultShaping(which: ResultShaping): void {
  apolloModule.computeResponse = which === 'potluck' ? computeResponse : apollos;
}

/** The one in use now. */
export function resultShapingInUse(): ResultShaping {
  return apolloModule.computeResponse === apollos ? 'apollo' : 'potluck';
}

/** Apollo Gateway's own, to compare Potluck's with. */
export const apolloComputeResponse: typeof computeResponse = apollos;
