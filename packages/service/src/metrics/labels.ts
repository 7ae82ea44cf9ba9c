/** The label of requests whose operation is not a known one. */
export const OTHER_OPERATION = 'other';
/** The label of requests that name no operation. */
export const ANONYMOUS_OPERATION = 'anonymous';

/**
 * Where the gateway's query planner suffix `__<subgraph>__<n>` starts in a subgraph fetch's
 * operation name (`RecipesWithComments__recipes__0`), or -1 when the name has none.
 */
function plannedSuffixAt(name: string): number {
  const last = name.lastIndexOf('__');
  if (last < 0 || last + 2 === name.length) return -1;
  for (let index = last + 2; index < name.length; index += 1) {
    const code = name.charCodeAt(index);
    if (code < 48 || code > 57) return -1;
  }
  const middle = name.lastIndexOf('__', last - 1);
  return middle > 0 && middle + 2 < last ? middle : -1;
}

const NONE: readonly string[] = [];

/**
 * Maps an operation name to a metric label from a fixed set, so a client sending a new name
 * on every request cannot grow the metrics: a known name is its own label, a subgraph fetch
 * the gateway planned for a known operation (`Recipe__recipes__0`) is labelled `Recipe`, no
 * name is `anonymous`, and anything else is `other`. Allocates nothing per call.
 */
export function operationLabeler(known: Iterable<string>): (name: string | undefined) => string {
  const names = new Set(known);
  const byLength = new Map<number, string[]>();
  for (const name of names) byLength.set(name.length, [...(byLength.get(name.length) ?? []), name]);
  return (name) => {
    if (!name) return ANONYMOUS_OPERATION;
    if (names.has(name)) return name;
    const suffixAt = plannedSuffixAt(name);
    for (const candidate of byLength.get(suffixAt) ?? NONE) if (name.startsWith(candidate)) return candidate;
    return OTHER_OPERATION;
  };
}

export type RequestOutcome = 'ok' | 'client_error' | 'server_error' | 'aborted';

/** Codes that mean the service (or one behind it) failed, not that the client asked for something refused. */
const SERVER_ERROR_CODES = new Set([
  'INTERNAL_SERVER_ERROR',
  'DOWNSTREAM_SERVICE_ERROR',
  'SUBGRAPH_TIMEOUT',
  'SUBGRAPH_UNAVAILABLE',
  'SUBGRAPH_BUSY',
  'SERVER_BUSY',
  'UNKNOWN',
]);

/**
 * How a GraphQL request ended, for the error-rate alert: `server_error` when the status is
 * 5xx or any error is the server's (a partial answer with `SUBGRAPH_UNAVAILABLE` counts),
 * `client_error` for any other error or 4xx, `ok` otherwise.
 */
export function requestOutcome(status: number, errors: ReadonlyArray<{ code: string }> | undefined): RequestOutcome {
  if (status >= 500) return 'server_error';
  if (errors) for (const { code } of errors) if (SERVER_ERROR_CODES.has(code)) return 'server_error';
  return status >= 400 || (errors !== undefined && errors.length > 0) ? 'client_error' : 'ok';
}
