import { createClient as createSseClient } from 'graphql-sse';
import { createClient as createWsClient } from 'graphql-ws';
import WebSocket from 'ws';
import { waitFor } from '@potluck/testing';

/** The mutations the subscription tests make events with. */
export const CREATE = `mutation($title: String!) { createRecipe(input: { title: $title, timeMinutes: 10, price: "5" }) { id } }`;
export const ADD_COMMENT = `mutation($input: AddCommentInput!) { addComment(input: $input) { id } }`;

export type Transport = 'ws' | 'sse';
export const TRANSPORTS: Transport[] = ['ws', 'sse'];

export interface Payload {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

/**
 * How a subscription ended: `complete`, or an error: graphql-transport-ws errors (an array),
 * a WebSocket close event (`code`), or an HTTP refusal of an event stream (`status`, `body`).
 */
export type Ending = { kind: 'complete' } | { kind: 'error'; error: unknown };

/** One subscription as a client sees it: every payload it got, how it ended, and a way to stop it. */
export interface LiveSubscription {
  payloads: Payload[];
  ending: Ending | undefined;
  /** Waits until at least `count` payloads arrived, and returns them all. */
  received(count: number, timeoutMs?: number): Promise<Payload[]>;
  /** Waits for the end. */
  ended(timeoutMs?: number): Promise<Ending>;
  close(): Promise<void>;
}

export interface SubscribeRequest {
  query: string;
  variables?: Record<string, unknown>;
}

/**
 * Subscribes through the gateway over one transport: graphql-ws's client on a WebSocket (the
 * token in the connection params) or graphql-sse's in distinct connections mode (the token as
 * a header). Each subscription gets a connection of its own, never retried.
 */
export function subscribeOver(
  transport: Transport,
  gatewayUrl: string,
  request: SubscribeRequest,
  headers: Record<string, string> = {},
): LiveSubscription {
  const live: LiveSubscription = {
    payloads: [],
    ending: undefined,
    async received(count, timeoutMs = 15_000) {
      return waitFor(() => (live.payloads.length >= count ? live.payloads : undefined), {
        timeoutMs,
        what: `${count} payloads over ${transport} (got ${JSON.stringify(live.payloads)}; ending ${describe(live.ending)})`,
      });
    },
    async ended(timeoutMs = 15_000) {
      return waitFor(() => live.ending, { timeoutMs, what: `the ${transport} subscription to end` });
    },
    close: async () => undefined,
  };
  const sink = {
    next: (payload: unknown) => void live.payloads.push(payload as Payload),
    error: (error: unknown) => {
      const response = (error as { response?: Response }).response;
      if (!response) return void (live.ending ??= { kind: 'error', error });
      // graphql-sse's refusal: the HTTP answer, read in full.
      void response
        .text()
        .then((body) => (live.ending ??= { kind: 'error', error: { status: response.status, body } }));
    },
    complete: () => void (live.ending ??= { kind: 'complete' }),
  };
  if (transport === 'ws') {
    const client = createWsClient({
      url: gatewayUrl.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: headers.authorization ? { Authorization: headers.authorization } : {},
      retryAttempts: 0,
      lazy: true,
    });
    const unsubscribe = client.subscribe(request, sink);
    live.close = async () => {
      unsubscribe();
      await client.dispose();
    };
  } else {
    const client = createSseClient({ url: gatewayUrl, headers, singleConnection: false, retryAttempts: 0 });
    const unsubscribe = client.subscribe(request, sink);
    live.close = async () => {
      unsubscribe();
      client.dispose();
    };
  }
  return live;
}

function describe(ending: Ending | undefined): string {
  if (!ending) return 'none';
  if (ending.kind === 'complete') return 'complete';
  const { error } = ending;
  return error instanceof Error ? error.message : JSON.stringify(error);
}

/** The errors a subscription ended with: a protocol error (WebSocket), a refusal or a last payload (SSE). */
export function errorsOf(live: LiveSubscription): NonNullable<Payload['errors']> {
  const ending = live.ending;
  if (ending?.kind === 'error' && Array.isArray(ending.error)) return ending.error;
  const body = ending?.kind === 'error' ? (ending.error as { body?: unknown }).body : undefined;
  if (typeof body === 'string') return (JSON.parse(body) as { errors: NonNullable<Payload['errors']> }).errors;
  return live.payloads.at(-1)?.errors ?? [];
}
