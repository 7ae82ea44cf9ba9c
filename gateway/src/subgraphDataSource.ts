import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { GATEWAY_CREDENTIAL_HEADER, type GatewayCredentialSigner } from '@potluck/identity';
import { REQUEST_ID_HEADER, type Logger } from '@potluck/service';
import { GraphQLError } from 'graphql';
import type { GatewayContext } from './context.js';
import { SubgraphBatcher, type BatchObserver } from './batching/subgraphBatcher.js';
import type { GatewayEntityCache } from './entityCache/index.js';
import { headerLines } from './inflightDedupe.js';
import { responseOf, type GatewayGraphQLResponse } from './subgraphAnswers.js';
import type { SubgraphAnswer, SubgraphCall } from './subgraphCall.js';
import { failedCallOutcome, type SubgraphCallTimer } from './subgraphMetrics.js';
import type { SubgraphPools } from './subgraphPools.js';

type ProcessOptions = GraphQLDataSourceProcessOptions<GatewayContext>;

function unavailable(subgraph: string): GraphQLError {
  return new GraphQLError(`The ${subgraph} subgraph is unavailable`, {
    extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: subgraph },
  });
}

/**
 * What must be the same for two fetches to go as one call: the credential (so the viewer) and
 * every other header but the request id. The credential is the signer's cached string, so the
 * common case (no other header) builds no new string.
 */
function batchKeyOf(credential: string, otherHeaders: Record<string, string>): string {
  const others = Object.entries(otherHeaders);
  return others.length === 0 ? credential : `${credential}\n${headerLines(others).join('\n')}`;
}

const TRACE_HEADER = 'apollo-federation-include-trace';

/** A wrong secret refuses every call: the refusal is logged at most once per subgraph in this long. */
export const REFUSAL_LOG_INTERVAL_MS = 10_000;

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
}

/** The cause of a failed call, as an operator needs it (ECONNREFUSED, UND_ERR_SOCKET …). */
function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}

export interface SubgraphDataSourceOptions {
  name: string;
  url: string;
  pools: SubgraphPools;
  timeoutMs: number;
  logger: Logger;
  credentials: GatewayCredentialSigner;
  /** Times each fetch by outcome; none when metrics are off. */
  timer?: SubgraphCallTimer;
  /** The entity cache's fetch for this subgraph; none when the cache is off. */
  cache?: ReturnType<GatewayEntityCache['fetchFor']>;
  /** At most this many concurrent requests' queries go to the subgraph as one call; 1 sends each alone. */
  batchMaxFetches?: number;
  /** Counts the calls' fetches; none when metrics are off. */
  batchObserver?: BatchObserver;
}

/**
 * A subgraph as the gateway calls it: forwards the request id and, as a gateway credential
 * for this subgraph, who the caller is (never the client's own token), and turns a timeout, an
 * unreachable subgraph or one refusing that credential into a coded error on the fields it owns
 * (SUBGRAPH_TIMEOUT, SUBGRAPH_UNAVAILABLE) while the rest of the response still comes back.
 *
 * Apollo's `RemoteGraphQLDataSource` does the same through the fetch API: for every call it
 * builds node-fetch `Headers` and a `Request` (parsing the URL) and reads a `Response` (the
 * body turned to bytes and back before it is parsed), several percent of the gateway's CPU
 * on a page (bench/README.md, item 15). This one sends the JSON body and reads the answer's
 * text with undici directly, and answers as Apollo's does (`subgraphAnswers.ts` says where it
 * differs). Of Apollo's data source it leaves out what Potluck never uses: automatic persisted
 * queries, the `didReceiveResponse` hook, the fetch `Response` on each result, and subgraph
 * `cache-control` headers narrowing the response's cache policy (the subgraphs send none;
 * the gateway's responses are never marked cacheable).
 */
export class SubgraphDataSource implements GraphQLDataSource<GatewayContext> {
  private readonly call: SubgraphCall;
  private readonly batcher: SubgraphBatcher | undefined;
  private lastRefusalLoggedAt = -Infinity;
  private refusalsNotLogged = 0;

  constructor(private readonly options: SubgraphDataSourceOptions) {
    this.call = options.pools.callFor(options.timeoutMs);
    const { batchMaxFetches = 1, batchObserver: observer } = options;
    if (batchMaxFetches > 1) this.batcher = new SubgraphBatcher({ maxFetches: batchMaxFetches, observer });
  }

  async process(options: ProcessOptions): Promise<GatewayGraphQLResponse> {
    const { cache } = this.options;
    // Only a client's operation (@apollo/gateway does not export the enum that names it).
    if (!cache || !('incomingRequestContext' in options)) return this.timed(options);
    return cache(options, (sent) => this.timed(sent));
  }

  private async timed(options: ProcessOptions): Promise<GatewayGraphQLResponse> {
    const { timer } = this.options;
    if (!timer) return this.send(options);
    const started = performance.now();
    try {
      const response = await this.send(options);
      timer[response.errors?.length ? 'error' : 'ok']((performance.now() - started) / 1000);
      return response;
    } catch (error) {
      timer[failedCallOutcome(error)]((performance.now() - started) / 1000);
      throw error;
    }
  }

  private async send({ request, context }: ProcessOptions): Promise<GatewayGraphQLResponse> {
    // Only a client's operation has Potluck's context; the others (none today) are nobody's.
    const { requestId, viewer = null } = context as Partial<GatewayContext>;
    const { http, ...graphqlRequest } = request;
    if (!graphqlRequest.query) throw new Error('Missing query');
    const credential = await this.options.credentials.credentialFor(this.options.name, viewer);
    const headers: Record<string, string> = Object.fromEntries(http?.headers ?? []);
    // A fetch Apollo Gateway traces (`apollo-federation-include-trace`) needs its own answer's trace: never merged.
    const traced = TRACE_HEADER in headers;
    const batchKey = this.batcher && !traced ? batchKeyOf(credential, headers) : undefined;
    headers['content-type'] = 'application/json';
    headers[GATEWAY_CREDENTIAL_HEADER] = credential;
    if (!this.batcher || batchKey === undefined) {
      return this.answer(JSON.stringify(graphqlRequest), { headers, requestId });
    }
    const fetch = { ...graphqlRequest, query: graphqlRequest.query };
    return this.batcher.fetch(fetch, batchKey, requestId, (body, leadRequestId) =>
      this.answer(body, { headers, requestId: leadRequestId }),
    );
  }

  private async answer(
    body: string,
    { headers, requestId }: { headers: Record<string, string>; requestId: string | undefined },
  ): Promise<GatewayGraphQLResponse> {
    const sentHeaders = requestId ? { ...headers, [REQUEST_ID_HEADER]: requestId } : headers;
    const answer = await this.answerTo(body, sentHeaders, requestId);
    if (answer.status === 401 || answer.status === 403) throw this.refusedCredential(answer, requestId);
    return responseOf(answer, this.options.url, this.options.name);
  }

  /**
   * A subgraph answers 401 or 403 only when it refuses the gateway's own credential (its
   * resolvers refuse a viewer with a coded error in a 200): a secret that differs between the
   * services, or a clock far off. No client can fix that, so the client is told the subgraph
   * is unavailable, not `UNAUTHENTICATED` (which would send it to sign in again), and the
   * operator is told here, at error, at most once per `REFUSAL_LOG_INTERVAL_MS` with the
   * number of refusals since the last line.
   */
  private refusedCredential(answer: SubgraphAnswer, requestId?: string): GraphQLError {
    const { name, logger } = this.options;
    const now = performance.now();
    if (now - this.lastRefusalLoggedAt >= REFUSAL_LOG_INTERVAL_MS) {
      const said = answer.body.slice(0, 300);
      logger.error(
        {
          subgraph: name,
          status: answer.status,
          answer: said,
          requestId,
          refusedSinceLastLine: this.refusalsNotLogged,
        },
        'subgraph refused the gateway credential',
      );
      this.lastRefusalLoggedAt = now;
      this.refusalsNotLogged = 0;
    } else {
      this.refusalsNotLogged += 1;
    }
    return unavailable(name);
  }

  private async answerTo(body: string, headers: Record<string, string>, requestId?: string): Promise<SubgraphAnswer> {
    const { name, url, timeoutMs, logger } = this.options;
    try {
      return await this.call(url, { method: 'POST', headers, body });
    } catch (error) {
      if (isTimeout(error)) {
        logger.warn({ subgraph: name, timeoutMs, requestId }, 'subgraph did not answer in time');
        throw new GraphQLError(`The ${name} subgraph did not answer within ${timeoutMs} ms`, {
          extensions: { code: 'SUBGRAPH_TIMEOUT', serviceName: name },
        });
      }
      logger.warn({ subgraph: name, cause: causeOf(error), requestId }, 'subgraph unreachable');
      throw unavailable(name);
    }
  }
}
