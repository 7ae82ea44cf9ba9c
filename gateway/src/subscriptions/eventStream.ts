import type { Viewer } from '@potluck/identity';
import type { Logger } from '@potluck/service';
import type { Request, RequestHandler, Response } from 'express';
import type { ExecutionResult } from 'graphql';
import { createHandler } from 'graphql-sse/lib/use/express';
import { GraphQLError } from 'graphql';
import type { Opened, SubscriptionService } from './service.js';

type OpenedStream = Extract<Opened, { ok: true }>;

/** Whether a request asks for Server-Sent Events (graphql-sse's distinct connections mode). */
export function wantsEventStream(req: Request): boolean {
  return (req.get('accept') ?? '').split(',').some((type) => type.trim().split(';')[0] === 'text/event-stream');
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

/**
 * Subscriptions as Server-Sent Events: a POST to `/graphql` with `Accept: text/event-stream`,
 * one subscription per request (graphql-sse, distinct connections mode). Mounted after the
 * token check, so the viewer is the HTTP request's (a bad token is a 401 like any request).
 * A refused subscription is a 400 with coded errors; a client that does not read is cut off.
 */
export function eventStreamHandler(options: { service: SubscriptionService; logger: Logger }): RequestHandler {
  const opened = new WeakMap<Request, OpenedStream>();
  const handler = createHandler<{ stream: OpenedStream }>({
    authenticate: () => null,
    onSubscribe: (req, params) => {
      const raw = req.raw;
      const res = req.context.res;
      const stream = options.service.subscribe(params, {
        viewer: (res.locals.viewer as Viewer | undefined) ?? null,
        address: raw.socket.remoteAddress ?? 'unknown',
        unsent: () => res.writableLength,
        drop: () => res.destroy(),
      });
      if (!stream.ok) {
        return [
          JSON.stringify({ errors: stream.errors }),
          { status: 400, statusText: 'Bad Request', headers: { 'content-type': 'application/json; charset=utf-8' } },
        ];
      }
      opened.set(raw, stream);
      return endingInBand(stream.results);
    },
    onComplete: (_ctx, req) => {
      opened.get(req.raw)?.release();
    },
  });
  return (req: Request, res: Response, next) => {
    // graphql-sse matches the Accept header exactly; the route already decided it asks for events.
    req.headers.accept = 'text/event-stream';
    res.once('close', () => opened.get(req)?.release());
    handler(req, res).catch((error: unknown) => {
      opened.get(req)?.release();
      if (res.headersSent) {
        options.logger.warn({ err: error }, 'event stream ended with an error');
        res.destroy();
      } else next(error);
    });
  };
}
