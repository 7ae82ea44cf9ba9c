import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { GATEWAY_CREDENTIAL_HEADER, type GatewayCredentialSigner } from '@potluck/identity';
import { currentRequest, REQUEST_ID_HEADER, withShortQuotes, type Logger } from '@potluck/service';
import { GraphQLError } from 'graphql';
import { Agent } from 'undici';
import type { GatewayContext } from './context.js';
import type { GatewayEntityCache } from './entityCache/index.js';
import { dedupeInflight } from './inflightDedupe.js';
import { subgraphCall, toResponse, type SubgraphRequestInit } from './subgraphCall.js';
import { failedCallOutcome, type SubgraphCallTimer } from './subgraphMetrics.js';

type Fetcher = NonNullable<ConstructorParameters<typeof RemoteGraphQLDataSource>[0]>['fetcher'];
type FetcherResponse = Awaited<ReturnType<NonNullable<Fetcher>>>;

/**
 * Codes that mean a subgraph broke, not that the client asked for something it refuses: a
 * subgraph that cannot parse or validate what the gateway planned disagrees with the supergraph.
 */
const SERVER_CODES = new Set([
  'INTERNAL_SERVER_ERROR',
  'DOWNSTREAM_SERVICE_ERROR',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
]);

/** The first error of a subgraph's 4xx GraphQL body, when it carries a client-facing code. */
function clientRefusalIn(body: unknown): { message: string; code: string } | undefined {
  const [first] = (body as { errors?: unknown[] } | null)?.errors ?? [];
  const { message, extensions } = (first ?? {}) as { message?: unknown; extensions?: { code?: unknown } };
  const code = extensions?.code;
  if (typeof message !== 'string' || typeof code !== 'string' || SERVER_CODES.has(code)) return undefined;
  return { message: withShortQuotes(message), code };
}

export interface SubgraphFetch {
  /** The fetcher for subgraph calls with this deadline. */
  fetcherFor(timeoutMs: number): Fetcher;
  /** Closes the pooled keep-alive connections (at shutdown). */
  close(): Promise<void>;
}

/** Puts on this request's log line whose subgraph call it shared, so its id stays traceable. */
function noteSharedCall(requestIdOfCall: string | undefined): void {
  const facts = currentRequest();
  if (!facts || !requestIdOfCall || requestIdOfCall === facts.requestId) return;
  facts.sharedCallsOf = [...new Set([...(facts.sharedCallsOf ?? []), requestIdOfCall])];
}

function pooledFetcher(timeoutMs: number, dedupe: boolean) {
  const agent = new Agent({ keepAliveTimeout: 30_000, connect: { timeout: timeoutMs } });
  const direct = subgraphCall(agent, timeoutMs);
  const call = dedupe ? dedupeInflight(direct, { onJoin: noteSharedCall }) : direct;
  const fetcher = (async (url: string, init?: SubgraphRequestInit) =>
    toResponse(await call(url, init))) as unknown as Fetcher;
  return { agent, fetcher };
}

/**
 * Keep-alive connection pools for subgraph calls, and a deadline on each call (connect,
 * headers and body) so a slow or silent subgraph can never hold a request. The connect
 * timeout belongs to a pool, so there is one pool per deadline; a subgraph's calls always
 * share its deadline, hence its pool, also across supergraph reloads. With `dedupe`,
 * concurrent identical queries share one call (see `dedupeInflight`).
 */
export function createSubgraphFetch({ dedupe = true } = {}): SubgraphFetch {
  const pools = new Map<number, ReturnType<typeof pooledFetcher>>();
  return {
    fetcherFor(timeoutMs) {
      let pool = pools.get(timeoutMs);
      if (!pool) {
        pool = pooledFetcher(timeoutMs, dedupe);
        pools.set(timeoutMs, pool);
      }
      return pool.fetcher;
    },
    async close() {
      await Promise.all([...pools.values()].map(({ agent }) => agent.close()));
    },
  };
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
  credentials: GatewayCredentialSigner;
  /** Times each fetch by outcome; none when metrics are off. */
  timer?: SubgraphCallTimer;
  /** The entity cache's fetch for this subgraph; none when the cache is off. */
  cache?: ReturnType<GatewayEntityCache['fetchFor']>;
}

/**
 * A subgraph as the gateway calls it: forwards the request id and, as a gateway credential
 * for this subgraph, who the caller is (never the client's own token), and turns a timeout or an unreachable subgraph into a coded error on the
 * fields it owns (SUBGRAPH_TIMEOUT, SUBGRAPH_UNAVAILABLE) while the rest of the response
 * still comes back.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(private readonly options: SubgraphDataSourceOptions) {
    super({ url: options.url, fetcher: options.fetch.fetcherFor(options.timeoutMs) });
  }

  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>) {
    const { cache } = this.options;
    // Only a client's operation (@apollo/gateway does not export the enum that names it).
    if (!cache || !('incomingRequestContext' in options)) return this.timed(options);
    return cache(options, (sent) => this.timed(sent));
  }

  private async timed(options: GraphQLDataSourceProcessOptions<GatewayContext>) {
    const { timer } = this.options;
    if (!timer) return super.process(options);
    const started = performance.now();
    try {
      const response = await super.process(options);
      timer[response.errors?.length ? 'error' : 'ok']((performance.now() - started) / 1000);
      return response;
    } catch (error) {
      timer[failedCallOutcome(error)]((performance.now() - started) / 1000);
      throw error;
    }
  }

  override async willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>) {
    const viewer = context.viewer ?? null;
    request.http?.headers.set(
      GATEWAY_CREDENTIAL_HEADER,
      await this.options.credentials.credentialFor(this.options.name, viewer),
    );
    if (context.requestId) request.http?.headers.set(REQUEST_ID_HEADER, context.requestId);
  }

  /**
   * A subgraph that refuses a request with a 4xx and a coded GraphQL error (input its own
   * rules refuse) is answering the client, not failing: its message and code reach the client
   * instead of Apollo's "400: Bad Request", which the gateway could only report as internal.
   */
  override async errorFromResponse(response: FetcherResponse): Promise<GraphQLError> {
    const error = await super.errorFromResponse(response);
    const body = (error.extensions.response as { body?: unknown } | undefined)?.body;
    const refusal = response.status < 500 ? clientRefusalIn(body) : undefined;
    if (!refusal) return error;
    return new GraphQLError(refusal.message, { extensions: { code: refusal.code, serviceName: this.options.name } });
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
