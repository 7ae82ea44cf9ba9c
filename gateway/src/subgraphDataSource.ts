import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { Logger } from '@potluck/service';
import { GraphQLError } from 'graphql';
import { Agent } from 'undici';
import type { GatewayContext } from './context.js';
import { dedupeInflight } from './inflightDedupe.js';
import { subgraphCall, toResponse, type SubgraphRequestInit } from './subgraphCall.js';

type Fetcher = NonNullable<ConstructorParameters<typeof RemoteGraphQLDataSource>[0]>['fetcher'];

export interface SubgraphFetch {
  fetcher: Fetcher;
  /** Closes the pooled keep-alive connections (at shutdown). */
  close(): Promise<void>;
}

/**
 * One keep-alive connection pool for all subgraph calls, and a deadline on each call
 * (connect, headers and body) so a slow or silent subgraph can never hold a request.
 * With `dedupe`, concurrent identical queries share one call (see `dedupeInflight`).
 */
export function createSubgraphFetch(timeoutMs: number, { dedupe = true } = {}): SubgraphFetch {
  const agent = new Agent({ keepAliveTimeout: 30_000, connect: { timeout: timeoutMs } });
  const direct = subgraphCall(agent, timeoutMs);
  const call = dedupe ? dedupeInflight(direct) : direct;
  const fetcher = (async (url: string, init?: SubgraphRequestInit) =>
    toResponse(await call(url, init))) as unknown as Fetcher;
  return { fetcher, close: () => agent.close() };
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
}

/** The cause of a failed fetch, as an operator needs it (ECONNREFUSED, UND_ERR_SOCKET …). */
function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}

export interface SubgraphDataSourceOptions {
  name: string;
  url: string;
  fetch: SubgraphFetch;
  timeoutMs: number;
  logger: Logger;
}

/**
 * A subgraph as the gateway calls it: forwards the request id and the caller's
 * credentials, and turns a timeout or an unreachable subgraph into a coded error on the
 * fields it owns (SUBGRAPH_TIMEOUT, SUBGRAPH_UNAVAILABLE) while the rest of the response
 * still comes back.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(private readonly options: SubgraphDataSourceOptions) {
    super({ url: options.url, fetcher: options.fetch.fetcher });
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>) {
    if (!context.requestId) return;
    request.http?.headers.set('x-request-id', context.requestId);
    if (context.authorization) request.http?.headers.set('authorization', context.authorization);
  }

  override didEncounterError(error: Error, _request: unknown, response: unknown, context?: GatewayContext): void {
    if (error instanceof GraphQLError) throw error;
    const { name, timeoutMs, logger } = this.options;
    const serviceName = name;
    const requestId = context?.requestId;
    if (isTimeout(error)) {
      logger.warn({ subgraph: name, timeoutMs, requestId }, 'subgraph did not answer in time');
      throw new GraphQLError(`The ${name} subgraph did not answer within ${timeoutMs} ms`, {
        extensions: { code: 'SUBGRAPH_TIMEOUT', serviceName },
      });
    }
    if (!response) {
      logger.warn({ subgraph: name, cause: causeOf(error), requestId }, 'subgraph unreachable');
      throw new GraphQLError(`The ${name} subgraph is unavailable`, {
        extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName },
      });
    }
    throw error;
  }
}
