import { AsyncLocalStorage } from 'node:async_hooks';

/** What one HTTP request's log line reports beyond method, URL, status and duration. */
export interface RequestFacts {
  requestId: string;
  operationName?: string;
  errors?: Array<{ code: string; message: string }>;
  /** Requests whose subgraph calls this one shared (the gateway's identical queries in flight). */
  sharedCallsOf?: string[];
  /** When the request arrived (`performance.now()`), for its duration metric. */
  startedAt?: number;
  /** Refused for want of a turn (`admissionControl`): it ran nothing. */
  shed?: boolean;
}

const scope = new AsyncLocalStorage<RequestFacts>();

/** Runs the rest of a request with its facts reachable from anywhere in its async flow. */
export function runInRequestScope<T>(facts: RequestFacts, run: () => T): T {
  return scope.run(facts, run);
}

/** The facts of the request being served, or undefined outside one (start-up, timers). */
export function currentRequest(): RequestFacts | undefined {
  return scope.getStore();
}
