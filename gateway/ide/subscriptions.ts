import { getOperationAST, parse } from 'graphql';
import { createClient } from 'graphql-ws';

export interface OperationParams {
  query: string;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
}

/** Whether the request runs a subscription (it goes over a WebSocket instead of a POST). */
export function isSubscription(params: OperationParams): boolean {
  try {
    return getOperationAST(parse(params.query), params.operationName ?? undefined)?.operation === 'subscription';
  } catch {
    return false;
  }
}

/** The WebSocket URL of a GraphQL endpoint: the same host and path, ws: or wss:. */
export function webSocketUrl(endpoint: string, base: string): string {
  const url = new URL(endpoint, base);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

/**
 * One subscription over its own WebSocket (graphql-transport-ws), signed in with the same
 * Authorization header a POST would carry. GraphiQL shows each result as it arrives and stops
 * it with `return`, which also closes the socket.
 */
export function subscribeOverWebSocket(
  url: string,
  authorization: string | undefined,
  params: OperationParams,
): AsyncIterableIterator<unknown> {
  const client = createClient({
    url,
    connectionParams: authorization ? { Authorization: authorization } : {},
    lazy: true,
    retryAttempts: 0,
  });
  const results = client.iterate({
    query: params.query,
    operationName: params.operationName ?? undefined,
    variables: params.variables ?? undefined,
  });
  const close = async () => {
    await results.return?.();
    await client.dispose();
  };
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next() {
      try {
        const next = await results.next();
        if (next.done) await client.dispose();
        return next;
      } catch (error) {
        await client.dispose();
        throw error;
      }
    },
    async return() {
      await close();
      return { done: true, value: undefined };
    },
  };
}
