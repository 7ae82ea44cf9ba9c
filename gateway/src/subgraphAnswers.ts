import { STATUS_CODES } from 'node:http';
import type { GraphQLDataSource } from '@apollo/gateway';
import { SERVER_BUSY, withShortQuotes } from '@potluck/service';
import { GraphQLError, type GraphQLErrorExtensions } from 'graphql';
import type { SubgraphAnswer } from './subgraphCall.js';

export type GatewayGraphQLResponse = Awaited<ReturnType<GraphQLDataSource['process']>>;

/*
 * A subgraph's answer read as Apollo's `RemoteGraphQLDataSource` reads a fetch `Response`,
 * with the same errors, straight from the text: no `Request` or `Response` object is built
 * for each call, and the body is parsed once. Where it differs from Apollo's: a coded 4xx
 * refusal reaches the client as the subgraph's own error; a body that is not the JSON it
 * claims is kept as text in an error status; a body quoted in an error message is cut short.
 * A 401 or 403 never gets here: it is the subgraph refusing the gateway's own credential,
 * which `SubgraphDataSource` reports as the subgraph being unavailable.
 */

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

const JSON_TYPES = ['application/json', 'application/graphql-response+json'];

function headerOf(answer: SubgraphAnswer, name: string): string | undefined {
  return answer.headers.find(([key]) => key.toLowerCase() === name)?.[1];
}

function isJson(answer: SubgraphAnswer): boolean {
  const type = headerOf(answer, 'content-type');
  return type !== undefined && JSON_TYPES.some((json) => type.startsWith(json));
}

/** A subgraph's body quoted in an error: enough to recognize it, not a copy of a whole page. */
const QUOTED_BODY_CHARACTERS = 300;

/** The first error of a subgraph's 4xx GraphQL body, when it carries a client-facing code. */
function clientRefusalIn(body: unknown): { message: string; code: string } | undefined {
  const errors = (body as { errors?: unknown } | null)?.errors;
  const first: unknown = Array.isArray(errors) ? errors[0] : undefined;
  const { message, extensions } = (first ?? {}) as { message?: unknown; extensions?: { code?: unknown } };
  const code = extensions?.code;
  if (typeof message !== 'string' || typeof code !== 'string' || SERVER_CODES.has(code)) return undefined;
  return { message: withShortQuotes(message), code };
}

/** A subgraph's 503 `SERVER_BUSY` (its admission control refused the call unexecuted), as its own code. */
function busyRefusalIn(body: unknown, subgraph: string): GraphQLError | undefined {
  const first: unknown = (body as { errors?: unknown[] } | null)?.errors?.[0];
  const extensions = (first as { extensions?: { code?: unknown; retryAfter?: unknown } } | undefined)?.extensions;
  if (extensions?.code !== SERVER_BUSY) return undefined;
  const retryAfter = typeof extensions.retryAfter === 'number' ? extensions.retryAfter : 1;
  return new GraphQLError(`The ${subgraph} subgraph is busy; try again in ${retryAfter} s`, {
    extensions: { code: 'SUBGRAPH_BUSY', serviceName: subgraph, retryAfter },
  });
}

/**
 * Apollo's error for a status outside 2xx (`"<status>: <status text>"`, the body kept in its
 * extensions), except that a subgraph refusing a request with a 4xx and a
 * coded GraphQL error (input its own rules refuse) is answering the client, not failing: its
 * message and code reach the client instead of "400: Bad Request", which the gateway could
 * only report as internal; nor is one too busy to take the call (`SUBGRAPH_BUSY`, with its
 * `retryAfter`). A body that is not the JSON it claims is kept as text.
 */
function errorOf(answer: SubgraphAnswer, url: string, subgraph: string): GraphQLError {
  let body: unknown = answer.body;
  if (isJson(answer)) {
    try {
      body = JSON.parse(answer.body);
    } catch {
      // kept as text
    }
  }
  const busy = answer.status === 503 ? busyRefusalIn(body, subgraph) : undefined;
  if (busy) return busy;
  const refusal = answer.status < 500 ? clientRefusalIn(body) : undefined;
  if (refusal) return new GraphQLError(refusal.message, { extensions: { code: refusal.code, serviceName: subgraph } });
  const statusText = STATUS_CODES[answer.status] ?? '';
  const extensions: GraphQLErrorExtensions = { response: { url, status: answer.status, statusText, body } };
  return new GraphQLError(`${answer.status}: ${statusText}`, { extensions });
}

/** The GraphQL response in a 2xx answer; throws what Apollo's data source throws for anything else. */
export function responseOf(answer: SubgraphAnswer, url: string, subgraph: string): GatewayGraphQLResponse {
  if (answer.status < 200 || answer.status > 299) throw errorOf(answer, url, subgraph);
  const unexpected = (received: unknown) =>
    new Error(`Expected JSON response body, but received: ${String(received).slice(0, QUOTED_BODY_CHARACTERS)}`);
  if (!isJson(answer)) throw unexpected(answer.body);
  const body: unknown = JSON.parse(answer.body);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw unexpected(body);
  return body as GatewayGraphQLResponse;
}
