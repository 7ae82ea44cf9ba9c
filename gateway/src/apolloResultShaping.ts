import { createRequire } from 'node:module';
import type { ResultShaping } from './config.js';
import { computeResponse } from './resultShaping.js';

const require = createRequire(import.meta.url);

/** The Apollo Gateway whose `computeResponse` Potluck's is checked against (`resultShaping.unit.test.ts`). */
export const SHAPES_LIKE_APOLLO_GATEWAY = '2.14.4';

/**
 * Apollo Gateway's result-shaping module. Its `executeQueryPlan` looks `computeResponse` up on
 * this module's exports at every call, so replacing it there is the one way in: Apollo
 * Gateway takes no option for it. `apolloResultShaping.unit.test.ts` fails if an upgrade
 * moves it or stops reading it there.
 */
const apolloModule = require('@apollo/gateway/dist/resultShaping.js') as Record<
  string | symbol,
  typeof computeResponse
>;
/** The installed Apollo Gateway's version. */
export const apolloGatewayVersion = (require('@apollo/gateway/package.json') as { version: string }).version;

// Apollo's own is kept on the module itself: Node loads that once per process, where this file
// may be evaluated more than once (vitest isolates each test file's modules, not Node's).
const APOLLOS = Symbol.for('potluck.apolloComputeResponse');
apolloModule[APOLLOS] ??= apolloModule.computeResponse!;
const apollos = apolloModule[APOLLOS];

/** Apollo Gateway's own, to compare Potluck's with. */
export const apolloComputeResponse: typeof computeResponse = apollos;

/**
 * Which function turns the data of a query plan's fetches into the response, for every
 * Apollo Gateway in this process: Potluck's (`resultShaping.ts`, the same results for less
 * CPU) or Apollo's own. Potluck's only over the Apollo Gateway it was checked against: over
 * another version this keeps Apollo's. Returns the one in use.
 */
export function useResultShaping(wanted: ResultShaping, version = apolloGatewayVersion): ResultShaping {
  const which = wanted === 'potluck' && version === SHAPES_LIKE_APOLLO_GATEWAY ? 'potluck' : 'apollo';
  apolloModule.computeResponse = which === 'potluck' ? computeResponse : apollos;
  return which;
}

/** The one in use now; `other` when neither is installed (a test's spy). */
export function resultShapingInUse(): ResultShaping | 'other' {
  const installed = apolloModule.computeResponse;
  return installed === apollos ? 'apollo' : installed === computeResponse ? 'potluck' : 'other';
}
