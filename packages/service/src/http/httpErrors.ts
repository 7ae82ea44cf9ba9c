import type { ErrorRequestHandler } from 'express';
import type { Logger } from '../logger.js';
import { requestIdOf } from './requestId.js';

interface HttpError {
  status?: number;
  type?: string;
  limit?: number;
}

/** Why a request was refused before GraphQL saw it, in the shape of a GraphQL error. */
function refusalOf(error: HttpError): { status: number; code: string; message: string } | undefined {
  if (error.type === 'entity.too.large') {
    return {
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
      message: `The request body is larger than the limit of ${error.limit ?? '?'} bytes`,
    };
  }
  if (error.type === 'entity.parse.failed') {
    return { status: 400, code: 'BAD_REQUEST', message: 'The request body is not valid JSON' };
  }
  if (typeof error.status === 'number' && error.status >= 400 && error.status < 500) {
    return { status: error.status, code: 'BAD_REQUEST', message: 'The request could not be read' };
  }
  return undefined;
}

/**
 * Express's last error handler: body-parser refusals (too large, not JSON) become GraphQL
 * error bodies with a code and the right status instead of express's HTML page; anything
 * else is logged with the request id and answered 500 without details.
 */
export function graphqlHttpErrors(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) return next(error);
    const refusal = refusalOf((error ?? {}) as HttpError);
    const requestId = requestIdOf(req);
    if (refusal) {
      res.status(refusal.status).json({ errors: [{ message: refusal.message, extensions: { code: refusal.code } }] });
      return;
    }
    logger.error({ err: error, requestId }, 'unexpected error while serving HTTP');
    res.status(500).json({
      errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR', requestId } }],
    });
  };
}
