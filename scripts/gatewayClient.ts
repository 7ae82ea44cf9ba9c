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

export interface GatewayClientOptions {
  /** A bearer token: every request is then made as its user. Without one, anonymously. */
  token?: string | undefined;
  timeoutMs?: number;
}

/** The smallest client the seed needs: POST, and throw on any GraphQL error or non-JSON answer. */
export function gatewayClient(url: string, { token, timeoutMs = 10_000 }: GatewayClientOptions = {}): GraphQLClient {
  const headers = { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) };
  return async <Data>(query: string, variables: Record<string, unknown> = {}) => {
    const response = await fetch(url, {
      method: 'POST',
      headers,
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
