import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { Kind, print, type DocumentNode } from 'graphql';
import { GraphQLRequestError, type GraphQLErrorEntry } from './requestError.js';

export interface ClientOptions {
  /** The GraphQL endpoint, e.g. the gateway's `http://localhost:4000/graphql`. */
  url: string;
  /** Sent with every request, e.g. `{ authorization: 'Bearer …' }`. */
  headers?: Record<string, string>;
  /** Defaults to the global `fetch`. */
  fetch?: typeof fetch;
}

export interface RequestOptions {
  /** Extra headers for this request only; they override the client's. */
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** The variables may be left out only when the operation has no required variable. */
export type RequestArgs<TVariables> =
  Record<string, never> extends TVariables
    ? [variables?: TVariables, options?: RequestOptions]
    : [variables: TVariables, options?: RequestOptions];

export interface GraphQLClient {
  /**
   * Sends one operation and resolves to its data, typed by the document. Rejects with a
   * {@link GraphQLRequestError} when the response has errors (even alongside partial data), is
   * not GraphQL, or never arrives.
   */
  request<TData, TVariables extends Record<string, unknown>>(
    document: TypedDocumentNode<TData, TVariables>,
    ...args: RequestArgs<TVariables>
  ): Promise<TData>;
}

interface ResponseBody {
  data?: unknown;
  errors?: GraphQLErrorEntry[];
}

const printed = new WeakMap<DocumentNode, string>();

function queryOf(document: DocumentNode): string {
  let query = printed.get(document);
  if (query === undefined) {
    query = print(document);
    printed.set(document, query);
  }
  return query;
}

function operationNameOf(document: DocumentNode): string | undefined {
  const operation = document.definitions.find((definition) => definition.kind === Kind.OPERATION_DEFINITION);
  return operation?.name?.value;
}

async function readBody(response: Response): Promise<{ body?: ResponseBody; text: string }> {
  const text = await response.text();
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && ('data' in parsed || 'errors' in parsed)) {
      return { body: parsed as ResponseBody, text };
    }
  } catch {
    // Not JSON: a proxy's error page, a body-size refusal. Reported below with the status.
  }
  return { text };
}

function describe(errors: readonly GraphQLErrorEntry[]): string {
  return errors.map((error) => `${error.message} (${error.extensions?.code ?? 'no code'})`).join('; ');
}

/** A small typed GraphQL client over `fetch`, for the documents GraphQL Code Generator writes. */
export function createClient(options: ClientOptions): GraphQLClient {
  const send = options.fetch ?? fetch;
  return {
    async request<TData, TVariables>(document: TypedDocumentNode<TData, TVariables>, ...args: RequestArgs<TVariables>) {
      const [variables, requestOptions] = args;
      const operationName = operationNameOf(document);
      const label = operationName ?? 'anonymous operation';
      let response: Response;
      try {
        response = await send(options.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/graphql-response+json, application/json;q=0.9',
            ...options.headers,
            ...requestOptions?.headers,
          },
          body: JSON.stringify({ query: queryOf(document), operationName, variables: variables ?? {} }),
          signal: requestOptions?.signal,
        });
      } catch (cause) {
        const reason = cause instanceof Error ? cause.message : String(cause);
        throw new GraphQLRequestError<TData>(`${label}: no response from ${options.url}: ${reason}`, {
          operationName,
          status: undefined,
          errors: [],
          cause,
        });
      }
      const { body, text } = await readBody(response);
      const details = { operationName, status: response.status, errors: body?.errors ?? [] };
      const data = body?.data as TData | null | undefined;
      if (details.errors.length > 0) {
        throw new GraphQLRequestError<TData>(`${label}: ${describe(details.errors)}`, { ...details, data });
      }
      if (!body || !response.ok || data === undefined || data === null) {
        const excerpt = text.slice(0, 200);
        throw new GraphQLRequestError<TData>(`${label}: HTTP ${response.status} without data: ${excerpt}`, details);
      }
      return data;
    },
  };
}
