import type { Viewer } from '@potluck/identity';
import type { Logger } from '@potluck/service';
import type { Request, RequestHandler, Response } from 'express';
import type { ExecutionResult } from 'graphql';
import { GraphQLError } from 'graphql';
import type { SubscribeParams, SubscriptionService } from './service.js';
import { tokenExpiry } from './tokenExpiry.js';

/** A comment line every so often keeps proxies from closing a quiet stream (graphql-sse's client expects them). */
const PING_MS = 12_000;

/** Whether a request asks for Server-Sent Events (media types compare case-insensitively). */
export function wantsEventStream(req: Request): boolean {
  return (req.get('accept') ?? '')
    .split(',')
    .some((type) => type.split(';')[0]!.trim().toLowerCase() === 'text/event-stream');
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The subscribe request in a body, or what is wrong with it. */
export function subscribeParamsOf(body: unknown): SubscribeParams | string {
  if (!isObject(body)) return 'The body must be a JSON object with a query';
  const { query, operationName, variables, extensions } = body;
  if (typeof query !== 'string') return 'query must be a string';
  if (operationName != null && typeof operationName !== 'string') return 'operationName must be a string';
  if (variables != null && !isObject(variables)) return 'variables must be an object';
  if (extensions != null && !isObject(extensions)) return 'extensions must be an object';
  return { query, operationName: operationName ?? undefined, variables: variables ?? undefined };
}

/**
 * SSE cannot say "this stream failed" after its 200: an ending error is sent as a last `next`
 * event carrying the coded error (with the cursor to resume after), then `complete`.
 */
async function* endingInBand(results: AsyncIterableIterator<ExecutionResult>): AsyncGenerator<ExecutionResult> {
  try {
    yield* results;
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error;
    yield { errors: [error] };
  } finally {
    await results.return?.();
  }
}

/** Writes a chunk, resolving once the connection takes more (`drain`): false when it closed instead. */
function write(res: Response, chunk: string): Promise<boolean> {
  if (res.destroyed) return Promise.resolve(false);
  if (res.write(chunk)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const settle = (open: boolean) => () => {
      res.off('drain', drained);
      res.off('close', closed);
      resolve(open);
    };
    const drained = settle(true);
    const closed = settle(false);
    res.once('drain', drained);
    res.once('close', closed);
  });
}

const refuse = (res: Response, errors: unknown[]) => void res.status(400).json({ errors });

/**
 * Subscriptions as Server-Sent Events: a POST to `/graphql` with `Accept: text/event-stream`,
 * one subscription per request (graphql-sse's distinct connections protocol:
 * `event: next` per result, then `event: complete`). Mounted after the token check, so the
 * viewer is the HTTP request's (a bad token is a 401 like any request). A refused
 * subscription is a 400 with coded errors.
 *
 * Hand-written rather than graphql-sse's handler, which pulls results as fast as they come
 * and queues them without bound: here the next result is taken only once the connection has
 * taken the last one (`drain`), so a client that does not read meets the subscription's send
 * bound (SUBSCRIPTION_MAX_UNSENT_BYTES, the stall timer) and is cut off, as on WebSocket.
 */
export function eventStreamHandler(options: { service: SubscriptionService; logger: Logger }): RequestHandler {
  return (req, res) => {
    const params = subscribeParamsOf(req.body);
    if (typeof params === 'string') return refuse(res, [{ message: params, extensions: { code: 'BAD_REQUEST' } }]);
    const viewer = (res.locals.viewer as Viewer | undefined) ?? null;
    const stream = options.service.subscribe(params, {
      transport: 'sse',
      viewer,
      expiresAt: viewer ? tokenExpiry(req.headers.authorization) : undefined,
      address: req.socket.remoteAddress ?? 'unknown',
      unsent: () => res.writableLength,
      drop: () => res.destroy(),
    });
    if (!stream.ok) return refuse(res, stream.errors);
    const disconnected = options.service.connected('sse');
    res.once('close', () => {
      stream.release();
      disconnected();
      void stream.results.return?.();
    });
    res.writeHead(200, {
      connection: 'keep-alive',
      'cache-control': 'no-cache',
      'content-encoding': 'none',
      'content-type': 'text/event-stream; charset=utf-8',
    });
    const ping = setInterval(() => res.write(':\n\n'), PING_MS).unref();
    void (async () => {
      try {
        if (!(await write(res, ':\n\n'))) return;
        for await (const result of endingInBand(stream.results)) {
          if (!(await write(res, `event: next\ndata: ${JSON.stringify(result)}\n\n`))) return;
        }
        res.end('event: complete\ndata:\n\n');
      } catch (error) {
        options.logger.warn({ err: error }, 'event stream ended with an error');
        res.destroy();
      } finally {
        clearInterval(ping);
        stream.release();
      }
    })();
  };
}
