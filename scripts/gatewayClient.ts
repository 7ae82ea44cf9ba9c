/** A GraphQL error answer, with the `extensions.code` of each error (`NOT_FOUND`, `BAD_USER_INPUT`, …). */
export class GraphQLRequestError extends Error {
  override name = 'GraphQLRequestError';
  constructor(
    message: string,
    readonly codes: string[],
  ) {
    super(message);
  }
}

export type GraphQLClient = <Data>(query: string, variables?: Record<string, unknown>) => Promise<Data>;

interface GraphQLBody<Data> {
  data?: Data | null;
  errors?: Array<{ message: string; extensions?: { code?: unknown } }>;
}

/** The smallest client the seed needs: POST, and throw on any GraphQL error or non-JSON answer. */
export function gatewayClient(url: string, timeoutMs = 10_000): GraphQLClient {
  return async <Data>(query: string, variables: Record<string, unknown> = {}) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = (await response.json().catch(() => ({}))) as GraphQLBody<Data>;
    if (body.errors?.length || !body.data) {
      const errors = body.errors ?? [{ message: `${url} answered ${response.status} without data` }];
      throw new GraphQLRequestError(
        errors.map((error) => error.message).join('; '),
        errors.map((error) => String(error.extensions?.code ?? 'NONE')),
      );
    }
    return body.data;
  };
}
