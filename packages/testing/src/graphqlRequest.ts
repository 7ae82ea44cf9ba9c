import type { Viewer } from '@potluck/identity';
import { credentialHeaders, TEST_USER } from './identities.js';

export interface GraphQLResponse<Data = Record<string, unknown>> {
  status: number;
  headers: Headers;
  data?: Data | null;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }>;
}

/**
 * POSTs one operation; tests of a single subgraph use it, the end-to-end tests use the typed
 * client. To a subgraph under test it goes as the gateway would send it, for `as` (default
 * `TEST_USER`; null for nobody signed in), unless `headers` set the gateway credential.
 */
export async function graphqlRequest<Data = Record<string, unknown>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
  { as = TEST_USER }: { as?: Viewer } = {},
): Promise<GraphQLResponse<Data>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(await credentialHeaders(url, as, headers)) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as Omit<GraphQLResponse<Data>, 'status' | 'headers'>;
  return { status: response.status, headers: response.headers, ...body };
}

/** The codes of a response's errors, for assertions such as `expect(codes).toEqual(['NOT_FOUND'])`. */
export function errorCodes(response: GraphQLResponse<unknown>): unknown[] {
  return (response.errors ?? []).map((error) => error.extensions?.code);
}
