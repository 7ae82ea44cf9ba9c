/**
 * The codes Potluck puts in `extensions.code`: the services' own, the gateway's for a subgraph
 * it could not reach in time and for requests over a limit, then Apollo's for requests it
 * refuses before they run. Any other string is still accepted: codes are open-ended in GraphQL.
 */
export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'INTERNAL_SERVER_ERROR'
  | 'SUBGRAPH_UNAVAILABLE'
  | 'SUBGRAPH_TIMEOUT'
  | 'SUBGRAPH_BUSY'
  | 'SERVER_BUSY'
  | 'QUERY_TOO_DEEP'
  | 'TOO_MANY_ALIASES'
  | 'QUERY_TOO_COSTLY'
  | 'TOO_MANY_DIRECTIVES'
  | 'PAYLOAD_TOO_LARGE'
  | 'OPERATION_RESOLUTION_FAILURE'
  | 'GRAPHQL_PARSE_FAILED'
  | 'GRAPHQL_VALIDATION_FAILED'
  | 'BAD_REQUEST'
  | (string & {});

/** One entry of a GraphQL response's `errors`. */
export interface GraphQLErrorEntry {
  message: string;
  path?: ReadonlyArray<string | number>;
  locations?: ReadonlyArray<{ line: number; column: number }>;
  extensions?: { code?: ErrorCode; [key: string]: unknown };
}

interface RequestErrorDetails<TData> {
  operationName: string | undefined;
  /** The HTTP status, or undefined when no response arrived (connection refused, aborted). */
  status: number | undefined;
  errors: readonly GraphQLErrorEntry[];
  data?: TData | null;
  cause?: unknown;
}

/**
 * Why a request did not return its data: the GraphQL errors (each with its `extensions.code`),
 * any partial data the server still returned, or the HTTP or network failure behind it.
 */
export class GraphQLRequestError<TData = unknown> extends Error {
  override readonly name = 'GraphQLRequestError';
  readonly operationName: string | undefined;
  readonly status: number | undefined;
  readonly errors: readonly GraphQLErrorEntry[];
  /** What the server resolved despite the errors, typed as the operation's result. */
  readonly data: TData | null | undefined;

  constructor(message: string, details: RequestErrorDetails<TData>) {
    super(message, { cause: details.cause });
    this.operationName = details.operationName;
    this.status = details.status;
    this.errors = details.errors;
    this.data = details.data;
  }

  /** `extensions.code` of every error, in order, e.g. `['NOT_FOUND']`. */
  get codes(): Array<ErrorCode | undefined> {
    return this.errors.map((error) => error.extensions?.code);
  }
}

export function isGraphQLRequestError(error: unknown): error is GraphQLRequestError {
  return error instanceof GraphQLRequestError;
}
