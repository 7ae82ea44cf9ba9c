import autocannon from 'autocannon';
import { isGraphQLSuccess } from './queries.js';
import type { LoadSample } from './loadSample.js';

/** One GraphQL POST, either the same body every time or a new body per request (`nextBody`). */
export interface HttpTarget {
  url: string;
  body?: string;
  nextBody?: () => string;
  /** Added to every request (a user token for writes). */
  headers?: Record<string, string>;
}

/**
 * Drives `target` with autocannon for `seconds` at `connections` keep-alive connections.
 * Latencies come from its per-response event (sub-millisecond, unlike its 1 ms histogram);
 * errors are failed connections, timeouts, non-2xx and GraphQL responses with errors.
 */
export async function runAutocannon(target: HttpTarget, connections: number, seconds: number): Promise<LoadSample> {
  const latenciesMs: number[] = [];
  let finish: (error: Error | null, result: autocannon.Result) => void = () => undefined;
  const finished = new Promise<autocannon.Result>((resolve, reject) => {
    finish = (error, result) => (error ? reject(error) : resolve(result));
  });
  const options: autocannon.Options = {
    url: target.url,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...target.headers },
    connections,
    duration: seconds,
    timeout: 10,
    ...(target.body !== undefined && { body: target.body }),
    ...(target.nextBody && {
      requests: [{ setupRequest: (request: autocannon.Request) => ({ ...request, body: target.nextBody!() }) }],
    }),
    verifyBody: (received) => typeof received === 'string' && isGraphQLSuccess(received),
  };
  const instance = autocannon(options, (error, result) => finish(error, result));
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    if (statusCode >= 200 && statusCode < 300) latenciesMs.push(responseTime);
  });
  const result = await finished;
  const errors = result.errors + result.non2xx + result.mismatches;
  return {
    requests: latenciesMs.length - result.mismatches,
    errors,
    seconds: result.duration,
    latenciesMs,
  };
}
